#include "agentd/store/pragmas.hpp"
#include "agentd/store/sqlite.hpp"

namespace agentd::store {

result<void> apply_pragmas(connection& c, connection_role role, const pragma_options& o) {
    if (c.is_postgresql()) {
        // Readers are read-only from the session settings at open (store/postgres.cpp). The
        // writer checks the one database setting the SQL relies on: text sorts and compares by
        // byte, as in SQLite (ids, ISO times and keyset pages depend on it).
        if (role == connection_role::reader) return {};
        auto version = c.query_int64("SELECT current_setting('server_version_num')::integer", "read server version");
        if (!version) return version.error();
        if (*version < 150000)
            return fail(errc::config_error, "open database " + c.path() + ": PostgreSQL " + std::to_string(*version / 10000) +
                                                " is too old; agentd needs PostgreSQL 15 or later");
        auto coll = c.query_texts("SELECT datcollate FROM pg_database WHERE datname = current_database()", "read collation");
        if (!coll) return coll.error();
        if (coll->empty() || ((*coll)[0] != "C" && (*coll)[0] != "POSIX"))
            return fail(errc::config_error, "open database " + c.path() + ": its collation is " +
                                                (coll->empty() ? std::string("unknown") : (*coll)[0]) +
                                                "; agentd needs a database created with LOCALE 'C' (CREATE DATABASE ... "
                                                "TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8')");
        // An ICU database reports datcollate 'C' yet sorts by ICU rules: the provider decides.
        // libc ('c') with the C locale, or the builtin provider ('b', code point order), compare
        // by byte as SQLite does.
        auto provider = c.query_texts("SELECT datlocprovider::text FROM pg_database WHERE datname = current_database()",
                                      "read locale provider");
        if (!provider) return provider.error();
        if (provider->empty() || ((*provider)[0] != "c" && (*provider)[0] != "b"))
            return fail(errc::config_error, "open database " + c.path() + ": its locale provider is " +
                                                (provider->empty() ? std::string("unknown") : "'" + (*provider)[0] + "'") +
                                                " (ICU sorts text by its own rules); agentd needs a database created with "
                                                "LOCALE_PROVIDER libc LOCALE 'C' (CREATE DATABASE ... TEMPLATE template0 "
                                                "LOCALE_PROVIDER libc LOCALE 'C' ENCODING 'UTF8')");
        return {};
    }
    std::string common = "PRAGMA busy_timeout = " + std::to_string(o.busy_timeout.count()) +
                         ";\nPRAGMA cache_size = -" + std::to_string(o.cache_size_kib) + ";\nPRAGMA foreign_keys = ON;\n";
    if (role == connection_role::reader) {
        if (auto r = c.exec(common + "PRAGMA query_only = ON;", "reader pragmas"); !r) return r.error();
        return {};
    }
    if (auto r = c.exec(common + "PRAGMA synchronous = NORMAL;", "writer pragmas"); !r) return r.error();
    auto mode = c.query_texts("PRAGMA journal_mode = WAL", "set journal_mode");
    if (!mode) return mode.error();
    if (mode->empty() || (*mode)[0] != "wal")
        return fail(errc::io_error, "open database " + c.path() + ": cannot switch to WAL (journal_mode is " +
                                        (mode->empty() ? std::string("unknown") : (*mode)[0]) + ")");
    return {};
}

}  // namespace agentd::store
