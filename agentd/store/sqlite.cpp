#include "agentd/store/sqlite.hpp"

#include <sqlite3.h>

namespace agentd::store {

// ---- statement ----

statement::statement(statement&& o) noexcept
    : stmt_(o.stmt_), db_(o.db_), name_(o.name_), in_use_(o.in_use_), bind_error_(o.bind_error_),
      bind_error_index_(o.bind_error_index_) {
    o.stmt_ = nullptr;
    o.in_use_ = nullptr;
}

statement::~statement() {
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
    note(sqlite3_bind_int64(stmt_, i, v), i, bind_error_, bind_error_index_);
    return *this;
}
statement& statement::bind_double(int i, double v) {
    note(sqlite3_bind_double(stmt_, i, v), i, bind_error_, bind_error_index_);
    return *this;
}
statement& statement::bind_text(int i, std::string_view v) {
    note(sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8), i, bind_error_,
         bind_error_index_);
    return *this;
}
statement& statement::bind_blob(int i, std::span<const std::byte> v) {
    // A zero-length blob must still be a blob, not NULL: SQLite wants a non-null pointer.
    static const std::byte empty{};
    note(sqlite3_bind_blob64(stmt_, i, v.empty() ? &empty : v.data(), v.size(), SQLITE_TRANSIENT), i, bind_error_,
         bind_error_index_);
    return *this;
}
statement& statement::bind_null(int i) {
    note(sqlite3_bind_null(stmt_, i), i, bind_error_, bind_error_index_);
    return *this;
}

result<bool> statement::step() {
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

std::int64_t statement::column_int64(int c) const { return sqlite3_column_int64(stmt_, c); }
double statement::column_double(int c) const { return sqlite3_column_double(stmt_, c); }
std::string statement::column_text(int c) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}
std::vector<std::byte> statement::column_blob(int c) const {
    auto* p = static_cast<const std::byte*>(sqlite3_column_blob(stmt_, c));
    int n = sqlite3_column_bytes(stmt_, c);
    return p ? std::vector<std::byte>(p, p + n) : std::vector<std::byte>();
}
bool statement::column_is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::optional<std::int64_t> statement::column_optional_int64(int c) const {
    if (column_is_null(c)) return std::nullopt;
    return column_int64(c);
}
std::optional<std::string> statement::column_optional_text(int c) const {
    if (column_is_null(c)) return std::nullopt;
    return column_text(c);
}
int statement::column_count() const { return sqlite3_column_count(stmt_); }

// ---- connection ----

void connection::stmt_deleter::operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }

result<connection> connection::open(const std::string& path, open_mode mode) {
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

connection::connection(connection&& o) noexcept : db_(o.db_), path_(std::move(o.path_)), cache_(std::move(o.cache_)) {
    o.db_ = nullptr;
}

connection& connection::operator=(connection&& o) noexcept {
    if (this != &o) {
        close();
        db_ = o.db_;
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
    if (!db_) return fail(errc::internal, "run '" + std::string(name) + "': connection is closed");
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail_here(name, rc);
    return {};
}

result<statement> connection::prepare(std::string_view name, std::string_view sql) {
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
std::int64_t connection::changes() const noexcept { return db_ ? sqlite3_changes64(db_) : 0; }
bool connection::in_transaction() const noexcept { return db_ && sqlite3_get_autocommit(db_) == 0; }

}  // namespace agentd::store
