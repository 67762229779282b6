#include "agentd/store/lease.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/sqlite.hpp"

namespace agentd::store {
namespace {

constexpr std::string_view k_fenced = "fenced";

// SQLite's clock as the ISO text the table keeps; ?3 is a modifier such as "+15.000 seconds".
#define AGENTD_SQLITE_NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
#define AGENTD_SQLITE_NOW_PLUS "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)"

std::string sqlite_modifier(std::chrono::milliseconds ttl) {
    auto ms = ttl.count();
    std::string frac = std::to_string(1000 + (ms % 1000)).substr(1);
    return "+" + std::to_string(ms / 1000) + "." + frac + " seconds";
}

// Binds the ttl as the engine's SQL expects it at ?3.
void bind_ttl(statement& st, const connection& c, std::chrono::milliseconds ttl) {
    if (c.is_postgresql()) st.bind(3, static_cast<std::int64_t>(ttl.count()));
    else st.bind(3, sqlite_modifier(ttl));
}

}  // namespace

result<std::optional<std::int64_t>> acquire_lease(write_txn& t, std::string_view client, std::string_view node,
                                                  std::chrono::milliseconds ttl) {
    if (client.empty() || node.empty() || ttl.count() <= 0)
        return fail(errc::invalid_argument, "acquire lease: client, node and a positive ttl are required");
    const bool pg = t.conn().is_postgresql();
    if (pg)  // a granted lease must survive a failover of the database, whatever the batch
        if (auto r = t.exec("SET LOCAL synchronous_commit = on", "lease durable"); !r) return r.error();
    {
        auto ins = pg ? t.prepare("lease.insert", "INSERT INTO venue_lease (client, node, epoch, expires_at) "
                                                  "VALUES (?1, ?2, 0, TIMESTAMPTZ 'epoch') ON CONFLICT DO NOTHING")
                      : t.prepare("lease.insert", "INSERT INTO venue_lease (client, node, epoch, expires_at) "
                                                  "VALUES (?1, ?2, 0, '1970-01-01T00:00:00.000Z') ON CONFLICT DO NOTHING");
        if (!ins) return ins.error();
        ins->bind(1, client).bind(2, node);
        if (auto r = ins->run(); !r) return r.error().wrap("acquire lease of " + std::string(client));
    }
    auto st = pg ? t.prepare("lease.acquire",
                             "UPDATE venue_lease SET node = ?2, epoch = epoch + 1, expires_at = now() + ?3 * INTERVAL '1 millisecond' "
                             "WHERE client = ?1 AND (node = ?2 OR expires_at < now()) RETURNING epoch")
                 : t.prepare("lease.acquire",
                             "UPDATE venue_lease SET node = ?2, epoch = epoch + 1, expires_at = " AGENTD_SQLITE_NOW_PLUS
                             " WHERE client = ?1 AND (node = ?2 OR expires_at < " AGENTD_SQLITE_NOW ") RETURNING epoch");
    if (!st) return st.error();
    st->bind(1, client).bind(2, node);
    bind_ttl(*st, t.conn(), ttl);
    auto row = st->step();
    if (!row) return row.error().wrap("acquire lease of " + std::string(client));
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{st->column_int64(0)};
}

result<bool> renew_lease(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch,
                         std::chrono::milliseconds ttl) {
    if (ttl.count() <= 0) return fail(errc::invalid_argument, "renew lease: a positive ttl is required");
    const bool pg = t.conn().is_postgresql();
    auto st = pg ? t.prepare("lease.renew", "UPDATE venue_lease SET expires_at = now() + ?3 * INTERVAL '1 millisecond' "
                                            "WHERE client = ?1 AND node = ?2 AND epoch = ?4")
                 : t.prepare("lease.renew", "UPDATE venue_lease SET expires_at = " AGENTD_SQLITE_NOW_PLUS
                                            " WHERE client = ?1 AND node = ?2 AND epoch = ?4");
    if (!st) return st.error();
    st->bind(1, client).bind(2, node).bind(4, epoch);
    bind_ttl(*st, t.conn(), ttl);
    if (auto r = st->run(); !r) return r.error().wrap("renew lease of " + std::string(client));
    return t.conn().changes() == 1;
}

result<void> release_lease(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch) {
    const bool pg = t.conn().is_postgresql();
    auto st = pg ? t.prepare("lease.release", "UPDATE venue_lease SET expires_at = now() "
                                              "WHERE client = ?1 AND node = ?2 AND epoch = ?3")
                 : t.prepare("lease.release", "UPDATE venue_lease SET expires_at = " AGENTD_SQLITE_NOW
                                              " WHERE client = ?1 AND node = ?2 AND epoch = ?3");
    if (!st) return st.error();
    st->bind(1, client).bind(2, node).bind(3, epoch);
    if (auto r = st->run(); !r) return r.error().wrap("release lease of " + std::string(client));
    return {};
}

result<std::vector<lease_row>> list_leases(connection& c) {
    auto st = c.is_postgresql()
                  ? c.prepare("lease.list", "SELECT client, node, epoch, "
                                            "to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "
                                            "expires_at > now() FROM venue_lease ORDER BY client")
                  : c.prepare("lease.list", "SELECT client, node, epoch, expires_at, expires_at > " AGENTD_SQLITE_NOW
                                            " FROM venue_lease ORDER BY client");
    if (!st) return st.error();
    std::vector<lease_row> out;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error().wrap("list leases");
        if (!*more) return out;
        out.push_back({st->column_text(0), st->column_text(1), st->column_int64(2), st->column_text(3),
                       st->column_int64(4) != 0});
    }
}

result<void> check_fence(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch) {
    auto st = t.conn().is_postgresql()
                  ? t.prepare("lease.fence", "SELECT 1 FROM venue_lease WHERE client = ?1 AND node = ?2 AND epoch = ?3 "
                                             "AND expires_at > now() FOR SHARE")
                  : t.prepare("lease.fence", "SELECT 1 FROM venue_lease WHERE client = ?1 AND node = ?2 AND epoch = ?3 "
                                             "AND expires_at > " AGENTD_SQLITE_NOW);
    if (!st) return st.error();
    st->bind(1, client).bind(2, node).bind(3, epoch);
    auto row = st->step();
    if (!row) return row.error().wrap("check lease of " + std::string(client));
    if (!*row)
        return fail(errc::conflict, std::string(k_fenced) + ": node " + std::string(node) + " no longer holds the lease of " +
                                        std::string(client) + " at epoch " + std::to_string(epoch));
    return {};
}

bool is_fenced(const error& e) noexcept {
    // Callers may wrap the message with context; the marker stays inside it.
    return e.code == errc::conflict && e.message.find(std::string(k_fenced) + ": node ") != std::string::npos;
}

#undef AGENTD_SQLITE_NOW
#undef AGENTD_SQLITE_NOW_PLUS

}  // namespace agentd::store
