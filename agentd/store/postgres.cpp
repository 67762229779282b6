#include "agentd/store/postgres.hpp"
#include "agentd/store/libpq_loader.hpp"
#include "agentd/store/sqlite.hpp"

#include <libpq-fe.h>

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>

namespace agentd::store::detail {
namespace {

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid k_int8 = 20, k_float8 = 701, k_text = 25, k_bytea = 17;

struct result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using result_ptr = std::unique_ptr<PGresult, result_deleter>;

}  // namespace

struct pg_stmt {
    pg_conn* conn = nullptr;
    std::string name;        // the caller's name
    std::string server_name; // the prepared statement's name on the server
    std::string sql;         // as given (the cache key's SQL)
    std::string pg_sql;      // translated
    int params = 0;
    bool prepared = false;
    bool in_use = false;
    std::vector<std::string> values;
    std::vector<char> kinds;  // per parameter, as pg_bind; 'n' (NULL) until bound
    result_ptr res;
    int row = -1;
    int rows = 0;
    bool executed = false;
};

struct pg_conn {
    PGconn* conn = nullptr;
    std::string display;     // URL without the password
    std::string setup;       // session settings run after every (re)connect
    std::map<std::string, std::unique_ptr<pg_stmt>, std::less<>> cache;
    std::int64_t changes = 0;
    bool in_txn = false;     // as of the last command; a lost connection keeps it until BEGIN
    int next_id = 0;
};

namespace {

errc code_of(const char* sqlstate) {
    if (!sqlstate) return errc::unavailable;  // no server answer: connection trouble
    std::string_view s(sqlstate);
    if (s.starts_with("23")) return errc::conflict;  // integrity constraint violation
    // Serialization failure, deadlock, lock timeout, statement timeout or cancel, connection,
    // resources, shutdown: all pass if tried again.
    if (s == "40001" || s == "40P01" || s == "55P03" || s == "57014" || s.starts_with("08") || s.starts_with("53") ||
        s.starts_with("57P"))
        return errc::unavailable;
    if (s == "XX001" || s == "XX002") return errc::corrupt;
    return errc::io_error;
}

std::string trimmed(const char* msg) {
    std::string m = msg ? msg : "";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m.empty() ? std::string("unknown error") : m;
}

error fail_result(const pg_conn& c, const PGresult* r, std::string what) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = r ? trimmed(PQresultErrorMessage(r)) : trimmed(PQerrorMessage(c.conn));
    if (msg == "unknown error") msg = trimmed(PQerrorMessage(c.conn));
    return fail(code_of(state), what + " on " + c.display + ": " + msg);
}

void note_state(pg_conn& c) {
    // A broken connection reports no transaction status; what was open stays "open" until the
    // next BEGIN, so nothing after the break runs in autocommit (see ensure()).
    if (PQstatus(c.conn) != CONNECTION_OK) return;
    auto st = PQtransactionStatus(c.conn);
    c.in_txn = st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

// Makes sure the connection is up. A connection lost inside a transaction is not re-opened
// here: the transaction is gone, and what follows must fail until the writer begins anew.
result<void> ensure(pg_conn& c, std::string_view name, bool begins_transaction) {
    if (PQstatus(c.conn) == CONNECTION_OK) return {};
    if (c.in_txn && !begins_transaction)
        return fail(errc::unavailable, "run '" + std::string(name) + "' on " + c.display + ": connection lost in a transaction");
    PQreset(c.conn);
    c.in_txn = false;
    if (PQstatus(c.conn) != CONNECTION_OK)
        return fail(errc::unavailable, "reconnect to " + c.display + ": " + trimmed(PQerrorMessage(c.conn)));
    for (auto& [_, s] : c.cache) s->prepared = false;
    if (!c.setup.empty()) {
        result_ptr r(PQexec(c.conn, c.setup.c_str()));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return fail_result(c, r.get(), "set up session");
    }
    return {};
}

bool ok_status(const PGresult* r) {
    auto st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

}  // namespace

result<pg_conn*> pg_open(const std::string& url, bool read_only) {
    auto c = std::make_unique<pg_conn>();
    c->display = redact_database(url);
    // Defaults come first so the URL may override them; the URL is expanded in place. The TCP
    // settings make a silent network split an error within about 20 s instead of the kernel's
    // hours (ignored on a Unix socket).
    const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"10", "5", "5", "3", "20000", "agentd", url.c_str(), nullptr};
    if (auto l = load_libpq(); !l) return l.error().wrap("open database " + c->display);
    c->conn = PQconnectdbParams(keys, values, 1);
    if (!c->conn) return fail(errc::unavailable, "open database " + c->display + ": out of memory");
    if (PQstatus(c->conn) != CONNECTION_OK) {
        error e = fail(errc::unavailable, "open database " + c->display + ": " + trimmed(PQerrorMessage(c->conn)));
        PQfinish(c->conn);
        return e;
    }
    // A process paused inside a transaction (SIGSTOP, a frozen VM) would keep its row locks,
    // the feed counter's and the lease fence's among them, and stall every other node: unless
    // the server or the URL chose a limit, such a session is ended after 5 s idle in a
    // transaction (a running writer is never idle inside one: jobs do not block). Times and
    // text are compared as the SQLite engine does: UTF-8, UTC.
    c->setup = "SELECT set_config('idle_in_transaction_session_timeout', '5s', false) "
               "WHERE current_setting('idle_in_transaction_session_timeout') IN ('0', '0ms'); "
               "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'";
    if (read_only) c->setup += "; SET default_transaction_read_only = on";
    result_ptr r(PQexec(c->conn, c->setup.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
        error e = fail_result(*c, r.get(), "set up session");
        PQfinish(c->conn);
        return e;
    }
    return c.release();
}

void pg_close(pg_conn* c) noexcept {
    if (!c) return;
    c->cache.clear();
    if (c->conn) PQfinish(c->conn);
    delete c;
}

const std::string& pg_display(const pg_conn& c) noexcept { return c.display; }

result<void> pg_exec(pg_conn& c, std::string_view sql, std::string_view name) {
    std::string text(sql);
    const bool begins = text.starts_with("BEGIN");
    if (auto e = ensure(c, name, begins); !e) return e.error();
    result_ptr r(PQexec(c.conn, text.c_str()));
    note_state(c);
    if (!ok_status(r.get())) return fail_result(c, r.get(), "run '" + std::string(name) + "'");
    // COMMIT of a transaction that had failed answers "ROLLBACK": nothing was committed.
    if (text == "COMMIT" && std::string_view(PQcmdStatus(r.get())) == "ROLLBACK")
        return fail(errc::unavailable, "run '" + std::string(name) + "' on " + c.display + ": the transaction had failed and was rolled back");
    return {};
}

result<pg_stmt*> pg_prepare(pg_conn& c, std::string_view name, std::string_view sql) {
    auto it = c.cache.find(name);
    if (it == c.cache.end()) {
        auto s = std::make_unique<pg_stmt>();
        s->conn = &c;
        s->name = std::string(name);
        s->server_name = "agentd_" + std::to_string(c.next_id++);
        s->sql = std::string(sql);
        s->pg_sql = translate_sql(sql, s->params);
        if (s->pg_sql.find_first_not_of(" \t\n;") == std::string::npos)
            return fail(errc::internal, "prepare '" + std::string(name) + "': empty SQL");
        s->values.resize(static_cast<std::size_t>(s->params));
        s->kinds.assign(static_cast<std::size_t>(s->params), 'n');
        it = c.cache.emplace(std::string(name), std::move(s)).first;
    } else if (it->second->sql != sql) {
        return fail(errc::internal, "prepare '" + std::string(name) + "': name already used for different SQL");
    } else if (it->second->in_use) {
        return fail(errc::internal, "prepare '" + std::string(name) + "': statement already in use");
    }
    it->second->in_use = true;
    return it->second.get();
}

result<std::vector<std::string>> pg_query_texts(pg_conn& c, std::string_view sql, std::string_view name) {
    if (auto e = ensure(c, name, false); !e) return e.error();
    std::string text(sql);
    result_ptr r(PQexec(c.conn, text.c_str()));
    note_state(c);
    if (!ok_status(r.get())) return fail_result(c, r.get(), "run '" + std::string(name) + "'");
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r.get()); ++i) out.emplace_back(PQgetvalue(r.get(), i, 0));
    return out;
}

result<std::int64_t> pg_query_int64(pg_conn& c, std::string_view sql, std::string_view name) {
    auto rows = pg_query_texts(c, sql, name);
    if (!rows) return rows.error();
    if (rows->empty()) return fail(errc::internal, "run '" + std::string(name) + "': no row");
    if (rows->front() == "t") return 1;  // a boolean, as SQLite would answer it
    if (rows->front() == "f") return 0;
    return static_cast<std::int64_t>(std::strtoll(rows->front().c_str(), nullptr, 10));
}

std::int64_t pg_changes(const pg_conn& c) noexcept { return c.changes; }
bool pg_in_transaction(const pg_conn& c) noexcept {
    auto st = PQtransactionStatus(c.conn);
    return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

std::string_view pg_name(const pg_stmt& s) noexcept { return s.name; }
bool* pg_in_use(pg_stmt& s) noexcept { return &s.in_use; }

void pg_bind(pg_stmt& s, int index, char kind, std::string value) {
    // An index out of range is ignored here and reported at step(), as SQLite's bind error is.
    if (index < 1 || index > s.params) {
        s.kinds.push_back('!');
        return;
    }
    s.values[static_cast<std::size_t>(index - 1)] = std::move(value);
    s.kinds[static_cast<std::size_t>(index - 1)] = kind;
}

namespace {

Oid oid_of(char kind, bool unknown_as_text) {
    switch (kind) {
    case 'i': return k_int8;
    case 'd': return k_float8;
    case 'b': return k_bytea;
    default: return unknown_as_text ? k_text : 0;  // text and NULL: the server infers the type
    }
}

result<void> run_plain(pg_conn& c, const char* sql) {
    result_ptr r(PQexec(c.conn, sql));
    note_state(c);
    if (!ok_status(r.get())) return fail_result(c, r.get(), std::string("run '") + sql + "'");
    return {};
}

result<void> prepare_on_server(pg_stmt& s) {
    pg_conn& c = *s.conn;
    // A failed PREPARE aborts the transaction it runs in; inside one, a savepoint keeps the
    // retry below from losing the work before it.
    const bool guarded = c.in_txn;
    if (guarded)
        if (auto g = run_plain(c, "SAVEPOINT agentd_prepare"); !g) return g.error();
    for (bool unknown_as_text : {false, true}) {
        std::vector<Oid> types;
        for (char k : s.kinds) types.push_back(oid_of(k, unknown_as_text));
        result_ptr r(PQprepare(c.conn, s.server_name.c_str(), s.pg_sql.c_str(), s.params, types.data()));
        note_state(c);
        if (PQresultStatus(r.get()) == PGRES_COMMAND_OK) {
            s.prepared = true;
            if (guarded) return run_plain(c, "RELEASE SAVEPOINT agentd_prepare");
            return {};
        }
        error e = fail_result(c, r.get(), "prepare '" + s.name + "'");
        if (guarded)
            if (auto g = run_plain(c, "ROLLBACK TO SAVEPOINT agentd_prepare"); !g) return e;
        // "could not determine data type of parameter" (indeterminate or ambiguous): a
        // parameter only ever tested for NULL,
        // or only bound NULL so far; declared text, the server can type it.
        const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
        const bool untyped = state && (std::string_view(state) == "42P18" || std::string_view(state) == "42P08");
        if (unknown_as_text || !untyped) {
            if (guarded) (void)run_plain(c, "RELEASE SAVEPOINT agentd_prepare");
            return e;
        }
    }
    return fail(errc::internal, "prepare '" + s.name + "': unreachable");
}

}  // namespace

result<bool> pg_step(pg_stmt& s) {
    if (!s.executed) {
        if (s.kinds.size() > static_cast<std::size_t>(s.params))
            return fail(errc::io_error, "run statement '" + s.name + "': bind parameter out of range");
        pg_conn& c = *s.conn;
        if (auto e = ensure(c, s.name, false); !e) return e.error();
        if (!s.prepared)
            if (auto p = prepare_on_server(s); !p) return p.error();
        std::vector<const char*> values;
        for (std::size_t i = 0; i < s.values.size(); ++i) values.push_back(s.kinds[i] == 'n' ? nullptr : s.values[i].c_str());
        s.res.reset(PQexecPrepared(c.conn, s.server_name.c_str(), s.params, values.data(), nullptr, nullptr, 0));
        note_state(c);
        if (!ok_status(s.res.get())) {
            error e = fail_result(c, s.res.get(), "run statement '" + s.name + "'");
            // A server that lost the prepared statement (reset by a pooler): prepare again next time.
            if (const char* st = PQresultErrorField(s.res.get(), PG_DIAG_SQLSTATE); st && std::string_view(st) == "26000")
                s.prepared = false;
            s.res.reset();
            return e;
        }
        const char* tuples = PQcmdTuples(s.res.get());
        if (tuples && *tuples) c.changes = std::strtoll(tuples, nullptr, 10);
        s.rows = PQntuples(s.res.get());
        s.row = -1;
        s.executed = true;
    }
    ++s.row;
    return s.row < s.rows;
}

void pg_reset(pg_stmt& s) noexcept {
    s.res.reset();
    s.executed = false;
    s.row = -1;
    s.rows = 0;
    for (auto& v : s.values) v.clear();
    s.kinds.assign(static_cast<std::size_t>(s.params), 'n');
}

bool pg_is_null(const pg_stmt& s, int col) noexcept {
    if (!s.res || s.row < 0 || s.row >= s.rows || col < 0 || col >= PQnfields(s.res.get())) return true;
    return PQgetisnull(s.res.get(), s.row, col) != 0;
}

std::string_view pg_value(const pg_stmt& s, int col) noexcept {
    if (pg_is_null(s, col)) return {};
    return {PQgetvalue(s.res.get(), s.row, col), static_cast<std::size_t>(PQgetlength(s.res.get(), s.row, col))};
}

std::vector<std::byte> pg_bytea(const pg_stmt& s, int col) {
    if (pg_is_null(s, col)) return {};
    std::size_t n = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(s.res.get(), s.row, col)), &n);
    if (!raw) return {};
    auto* p = reinterpret_cast<const std::byte*>(raw);
    std::vector<std::byte> out(p, p + n);
    PQfreemem(raw);
    return out;
}

int pg_column_count(const pg_stmt& s) noexcept { return s.res ? PQnfields(s.res.get()) : 0; }

}  // namespace agentd::store::detail
