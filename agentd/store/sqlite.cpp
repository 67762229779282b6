#include "agentd/store/sqlite.hpp"
#include "agentd/store/postgres.hpp"

#include <sqlite3.h>

#include <cctype>
#include <charconv>

namespace agentd::store {

bool is_postgresql_url(std::string_view database) noexcept {
    return database.starts_with("postgresql://") || database.starts_with("postgres://");
}
engine engine_of(std::string_view database) noexcept {
    return is_postgresql_url(database) ? engine::postgresql : engine::sqlite;
}
// Errs towards hiding: everything between "://" and the last '@' before the query is treated
// as user information (a password may hold '/' or '@' when a URL is written by hand), and
// every query parameter whose key names a password (password, sslpassword) is masked.
std::string redact_database(std::string_view database) {
    if (!is_postgresql_url(database)) return std::string(database);
    const auto scheme = database.find("://") + 3;
    const auto query = database.find('?', scheme);
    const auto head = database.substr(0, query);
    std::string out;
    if (const auto at = head.rfind('@'); at != std::string_view::npos && at >= scheme) {
        const auto userinfo = head.substr(scheme, at - scheme);
        const auto colon = userinfo.find(':');
        out.append(head.substr(0, scheme)).append(userinfo.substr(0, colon)).append(head.substr(at));
    } else {
        out.append(head);
    }
    if (query == std::string_view::npos) return out;
    std::string_view rest = database.substr(query + 1);
    out.push_back('?');
    for (bool first = true; ; first = false) {
        const auto amp = rest.find('&');
        const auto item = rest.substr(0, amp);
        if (!first) out.push_back('&');
        const auto eq = item.find('=');
        std::string key(item.substr(0, eq));
        for (auto& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (eq != std::string_view::npos && key.find("password") != std::string::npos)
            out.append(item.substr(0, eq + 1)).append("***");
        else
            out.append(item);
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return out;
}

void detail::pg_conn_deleter::operator()(pg_conn* c) const noexcept { pg_close(c); }

// ---- statement ----

statement::statement(statement&& o) noexcept
    : pg_(o.pg_), stmt_(o.stmt_), db_(o.db_), name_(o.name_), in_use_(o.in_use_), bind_error_(o.bind_error_),
      bind_error_index_(o.bind_error_index_) {
    o.stmt_ = nullptr;
    o.pg_ = nullptr;
    o.in_use_ = nullptr;
}

statement::~statement() {
    if (pg_) detail::pg_reset(*pg_);
    if (stmt_) {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    if (in_use_) *in_use_ = false;
}

error statement::fail_here(std::string_view what) const {
    return fail(errc::io_error, "run statement '" + std::string(name_) + "': " + std::string(what));
}

namespace {
void note(int rc, int index, int& err, int& err_index) {
    if (rc != SQLITE_OK && err == 0) {
        err = rc;
        err_index = index;
    }
}
}  // namespace

statement& statement::bind_int64(int i, std::int64_t v) {
    if (pg_) {
        detail::pg_bind(*pg_, i, 'i', std::to_string(v));
        return *this;
    }
    note(sqlite3_bind_int64(stmt_, i, v), i, bind_error_, bind_error_index_);
    return *this;
}
statement& statement::bind_double(int i, double v) {
    if (pg_) {
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
        detail::pg_bind(*pg_, i, 'd', ec == std::errc() ? std::string(buf, end) : std::string("NaN"));
        return *this;
    }
    note(sqlite3_bind_double(stmt_, i, v), i, bind_error_, bind_error_index_);
    return *this;
}
statement& statement::bind_text(int i, std::string_view v) {
    if (pg_) {
        detail::pg_bind(*pg_, i, 't', std::string(v));
        return *this;
    }
    note(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), i, bind_error_,
         bind_error_index_);
    return *this;
}
statement& statement::bind_blob(int i, std::span<const std::byte> v) {
    if (pg_) {
        static constexpr char hex[] = "0123456789abcdef";
        std::string text = "\\x";
        for (auto b : v) {
            text += hex[static_cast<unsigned>(b) >> 4];
            text += hex[static_cast<unsigned>(b) & 15];
        }
        detail::pg_bind(*pg_, i, 'b', std::move(text));
        return *this;
    }
    // A zero-length blob must still be a blob, not NULL: SQLite wants a non-null pointer.
    static const std::byte empty{};
    note(sqlite3_bind_blob64(stmt_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_TRANSIENT), i, bind_error_,
         bind_error_index_);
    return *this;
}
statement& statement::bind_null(int i) {
    if (pg_) {
        detail::pg_bind(*pg_, i, 'n', {});
        return *this;
    }
    note(sqlite3_bind_null(stmt_, i), i, bind_error_, bind_error_index_);
    return *this;
}

result<bool> statement::step() {
    if (pg_) return detail::pg_step(*pg_);
    if (bind_error_ != 0)
        return fail_here("bind parameter " + std::to_string(bind_error_index_) + ": " + sqlite3_errstr(bind_error_));
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    error e = fail_here(sqlite3_errmsg(db_));
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL) e.code = errc::unavailable;
    else if (primary == SQLITE_CONSTRAINT) e.code = errc::conflict;
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) e.code = errc::corrupt;
    sqlite3_reset(stmt_);
    return e;
}

result<void> statement::run() {
    for (;;) {
        auto r = step();
        if (!r) return r.error();
        if (!*r) return {};
    }
}

std::int64_t statement::column_int64(int c) const {
    if (pg_) {
        auto v = detail::pg_value(*pg_, c);
        if (v == "t") return 1;  // a boolean expression
        if (v == "f") return 0;
        std::int64_t out = 0;
        std::from_chars(v.data(), v.data() + v.size(), out);
        return out;
    }
    return sqlite3_column_int64(stmt_, c);
}
double statement::column_double(int c) const {
    if (pg_) {
        auto v = std::string(detail::pg_value(*pg_, c));
        return v.empty() ? 0.0 : std::strtod(v.c_str(), nullptr);
    }
    return sqlite3_column_double(stmt_, c);
}
std::string statement::column_text(int c) const {
    if (pg_) return std::string(detail::pg_value(*pg_, c));
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}
std::vector<std::byte> statement::column_blob(int c) const {
    if (pg_) return detail::pg_bytea(*pg_, c);
    auto* p = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, c));
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::vector<std::byte>(p, p + n) : std::vector<std::byte>();
}
bool statement::column_is_null(int c) const {
    if (pg_) return detail::pg_is_null(*pg_, c);
    return sqlite3_column_type(stmt_, c) == SQLITE_NULL;
}
std::optional<std::int64_t> statement::column_optional_int64(int c) const {
    if (column_is_null(c)) return std::nullopt;
    return column_int64(c);
}
std::optional<std::string> statement::column_optional_text(int c) const {
    if (column_is_null(c)) return std::nullopt;
    return column_text(c);
}
int statement::column_count() const {
    if (pg_) return detail::pg_column_count(*pg_);
    return sqlite3_column_count(stmt_);
}

// ---- connection ----

void connection::stmt_deleter::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

result<connection> connection::open(const std::string& path, open_mode mode) {
    if (is_postgresql_url(path)) {
        auto pg = detail::pg_open(path, mode == open_mode::read_only);
        if (!pg) return pg.error();
        connection c;
        c.pg_.reset(*pg);
        c.path_ = detail::pg_display(**pg);
        return c;
    }
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    switch (mode) {
    case open_mode::read_write_create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    case open_mode::read_write: flags |= SQLITE_OPEN_READWRITE; break;
    case open_mode::read_only: flags |= SQLITE_OPEN_READONLY; break;
    }
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close_v2(db);
        errc code = (rc & 0xff) == SQLITE_CANTOPEN ? errc::io_error : (rc & 0xff) == SQLITE_NOTADB ? errc::corrupt : errc::io_error;
        return fail(code, "open database " + path + ": " + msg);
    }
    sqlite3_extended_result_codes(db, 1);
    connection c;
    c.db_ = db;
    c.path_ = path;
    return c;
}

connection::connection(connection&& o) noexcept
    : db_(o.db_), pg_(std::move(o.pg_)), path_(std::move(o.path_)), cache_(std::move(o.cache_)) {
    o.db_ = nullptr;
}

connection& connection::operator=(connection&& o) noexcept {
    if (this != &o) {
        close();
        db_ = o.db_;
        pg_ = std::move(o.pg_);
        path_ = std::move(o.path_);
        cache_ = std::move(o.cache_);
        o.db_ = nullptr;
    }
    return *this;
}

connection::~connection() { close(); }

void connection::close() noexcept {
    cache_.clear();  // statements are finalized before the connection closes
    if (db_) sqlite3_close_v2(db_);
    db_ = nullptr;
    pg_.reset();
}

error connection::fail_here(std::string_view name, int rc) const {
    error e = fail(errc::io_error, "run '" + std::string(name) + "' on " + path_ + ": " +
                                       (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
    int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL) e.code = errc::unavailable;
    else if (primary == SQLITE_CONSTRAINT) e.code = errc::conflict;
    else if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) e.code = errc::corrupt;
    return e;
}

result<void> connection::exec(std::string_view sql, std::string_view name) {
    if (pg_) return detail::pg_exec(*pg_, sql, name);
    if (!db_) return fail(errc::internal, "run '" + std::string(name) + "': connection is closed");
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail_here(name, rc);
    return {};
}

result<statement> connection::prepare(std::string_view name, std::string_view sql) {
    if (pg_) {
        auto s = detail::pg_prepare(*pg_, name, sql);
        if (!s) return s.error();
        return statement(*s, detail::pg_name(**s), detail::pg_in_use(**s));
    }
    if (!db_) return fail(errc::internal, "prepare '" + std::string(name) + "': connection is closed");
    auto it = cache_.find(name);
    if (it == cache_.end()) {
        sqlite3_stmt* s = nullptr;
        int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
        if (rc != SQLITE_OK) return fail_here(name, rc).wrap("prepare");
        if (!s) return fail(errc::internal, "prepare '" + std::string(name) + "': empty SQL");
        cached entry;
        entry.stmt.reset(s);
        it = cache_.emplace(std::string(name), std::move(entry)).first;
    } else if (std::string_view(sqlite3_sql(it->second.stmt.get())) != sql) {
        return fail(errc::internal, "prepare '" + std::string(name) + "': name already used for different SQL");
    } else if (*it->second.in_use) {
        return fail(errc::internal, "prepare '" + std::string(name) + "': statement already in use");
    }
    *it->second.in_use = true;
    return statement(it->second.stmt.get(), db_, it->first, it->second.in_use.get());
}

result<std::int64_t> connection::query_int64(std::string_view sql, std::string_view name) {
    if (pg_) return detail::pg_query_int64(*pg_, sql, name);
    if (!db_) return fail(errc::internal, "run '" + std::string(name) + "': connection is closed");
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) return fail_here(name, rc);
    std::unique_ptr<sqlite3_stmt, stmt_deleter> s(raw);
    rc = sqlite3_step(raw);
    if (rc == SQLITE_ROW) return sqlite3_column_int64(raw, 0);
    if (rc == SQLITE_DONE) return fail(errc::internal, "run '" + std::string(name) + "': no row");
    return fail_here(name, rc);
}

result<std::vector<std::string>> connection::query_texts(std::string_view sql, std::string_view name) {
    if (pg_) return detail::pg_query_texts(*pg_, sql, name);
    if (!db_) return fail(errc::internal, "run '" + std::string(name) + "': connection is closed");
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    if (rc != SQLITE_OK) return fail_here(name, rc);
    std::unique_ptr<sqlite3_stmt, stmt_deleter> s(raw);
    std::vector<std::string> out;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        auto* p = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
        out.emplace_back(p ? p : "");
    }
    if (rc != SQLITE_DONE) return fail_here(name, rc);
    return out;
}

std::int64_t connection::last_insert_rowid() const noexcept { return db_ ? sqlite3_last_insert_rowid(db_) : 0; }
std::int64_t connection::changes() const noexcept {
    if (pg_) return detail::pg_changes(*pg_);
    return db_ ? sqlite3_changes64(db_) : 0;
}
bool connection::in_transaction() const noexcept {
    if (pg_) return detail::pg_in_transaction(*pg_);
    return db_ && sqlite3_get_autocommit(db_) == 0;
}

}  // namespace agentd::store
