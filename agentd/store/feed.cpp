#include "agentd/store/feed.hpp"
#include "agentd/store/database.hpp"

namespace agentd::store {

result<std::int64_t> append_feed(write_txn& t, const feed_entry& e) {
    if (e.at.empty() || e.kind.empty() || e.payload.empty())
        return fail(errc::invalid_argument, "append feed: at, kind and payload are required");
    // PostgreSQL: the seq comes from the one feed_counter row, whose lock is held to COMMIT, so
    // feed appends of all nodes commit one after another in seq order and a subscriber resuming
    // "since" a seq never skips a row that committed later with a lower one. SQLite has one
    // writer: AUTOINCREMENT gives the same order.
    auto s = t.conn().is_postgresql()
                 ? t.prepare("feed.append",
                             "WITH c AS (UPDATE feed_counter SET seq = seq + 1 RETURNING seq) "
                             "INSERT INTO feed(seq, at, kind, client, entity, payload) "
                             "SELECT c.seq, ?1, ?2, ?3, ?4, ?5 FROM c RETURNING seq")
                 : t.prepare("feed.append", "INSERT INTO feed(at, kind, client, entity, payload) VALUES (?1, ?2, ?3, ?4, ?5) "
                                            "RETURNING seq");
    if (!s) return s.error();
    s->bind(1, e.at).bind(2, e.kind).bind(3, e.client).bind(4, e.entity).bind(5, e.payload);
    auto row = s->step();
    if (!row) return row.error().wrap("append feed");
    if (!*row) return fail(errc::internal, "append feed: no seq returned");
    return s->column_int64(0);
}

result<std::vector<feed_entry>> feed_since(connection& c, std::int64_t after_seq, std::size_t limit) {
    auto s = c.prepare("feed.since",
                       "SELECT seq, at, kind, client, entity, payload FROM feed WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    if (!s) return s.error();
    s->bind(1, after_seq).bind(2, std::min(limit, k_max_feed_page));
    std::vector<feed_entry> out;
    for (;;) {
        auto row = s->step();
        if (!row) return row.error().wrap("read feed");
        if (!*row) break;
        feed_entry e;
        e.seq = s->column_int64(0);
        e.at = s->column_text(1);
        e.kind = s->column_text(2);
        e.client = s->column_optional_text(3);
        e.entity = s->column_optional_text(4);
        e.payload = s->column_text(5);
        out.push_back(std::move(e));
    }
    return out;
}

result<std::int64_t> feed_last_seq(connection& c) {
    // sqlite_sequence keeps the high-water mark even after rows are pruned.
    // PostgreSQL: feed_counter, read committed.
    auto s = c.is_postgresql()
                 ? c.prepare("feed.last_seq", "SELECT seq FROM feed_counter")
                 : c.prepare("feed.last_seq", "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'feed'), 0)");
    if (!s) return s.error();
    auto row = s->step();
    if (!row) return row.error().wrap("read feed head");
    return *row ? s->column_int64(0) : 0;
}

result<void> meta_set(write_txn& t, std::string_view key, std::string_view value) {
    auto s = t.prepare("meta.set", "INSERT INTO meta(key, value) VALUES (?1, ?2) "
                                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    if (!s) return s.error();
    s->bind(1, key).bind(2, value);
    if (auto r = s->run(); !r) return r.error().wrap("set meta " + std::string(key));
    return {};
}

result<std::optional<std::string>> meta_get(connection& c, std::string_view key) {
    auto s = c.prepare("meta.get", "SELECT value FROM meta WHERE key = ?1");
    if (!s) return s.error();
    s->bind(1, key);
    auto row = s->step();
    if (!row) return row.error().wrap("get meta " + std::string(key));
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(s->column_text(0));
}

}  // namespace agentd::store
