#include "agentd/store/housekeeping.hpp"

#include "agentd/core/time.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/feed.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentd::store {
namespace {

constexpr std::string_view k_history_mark = "housekeeping.history_through";

// The mark is "<updated_at>\t<id>" of the last finished reservation whose history was pruned.
std::pair<std::string, std::string> split_mark(const std::optional<std::string>& m) {
    if (!m) return {};
    auto tab = m->find('\t');
    if (tab == std::string::npos) return {};
    return {m->substr(0, tab), m->substr(tab + 1)};
}

}  // namespace

std::string finished_reservations_sql() {
    // INDEXED BY: without statistics SQLite prefers reservations_by_state for the IN list and
    // then sorts every old finished reservation; the partial index is already in this order.
    return "SELECT id, updated_at, version FROM reservations INDEXED BY reservations_finished WHERE state IN " +
           std::string(k_finished_states_sql) +
           " AND updated_at < ?1 AND (updated_at, id) > (?2, ?3) ORDER BY updated_at, id LIMIT ?4";
}

result<prune_result> prune_feed(write_txn& t, std::string_view before_iso, std::size_t max_rows) {
    // Only the oldest max_rows rows are looked at: old rows are at the front, so a pass costs
    // the same on a 100-row feed as on a 10-million-row one.
    auto s = t.prepare("feed.prune", "DELETE FROM feed WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM feed ORDER BY seq "
                                     "LIMIT ?2) AS oldest WHERE at < ?1)");
    if (!s) return s.error();
    s->bind(1, before_iso).bind(2, static_cast<std::int64_t>(max_rows));
    if (auto r = s->run(); !r) return r.error().wrap("prune feed");
    prune_result out;
    out.rows = static_cast<std::size_t>(t.conn().changes());
    out.more = max_rows > 0 && out.rows == max_rows;
    return out;
}

result<prune_result> prune_history(write_txn& t, std::string_view before_iso, std::size_t max_rows) {
    prune_result out;
    if (max_rows == 0) return out;
    auto mark_text = meta_get(t.conn(), k_history_mark);
    if (!mark_text) return mark_text.error();
    auto [mark_at, mark_id] = split_mark(*mark_text);

    struct finished {
        std::string id, updated_at;
        std::int64_t version;
    };
    std::vector<finished> next;
    {
        // The state list is the partial index's own, so the walk uses it in (updated_at, id)
        // order and stops after `limit` rows.
        auto s = t.prepare("housekeeping.finished", finished_reservations_sql());
        if (!s) return s.error();
        s->bind(1, before_iso).bind(2, mark_at).bind(3, mark_id).bind(4, static_cast<std::int64_t>(max_rows));
        for (;;) {
            auto row = s->step();
            if (!row) return row.error().wrap("prune history");
            if (!*row) break;
            next.push_back({s->column_text(0), s->column_text(1), s->column_int64(2)});
        }
        out.more = next.size() == max_rows;
    }
    for (const auto& r : next) {
        auto count = t.prepare("housekeeping.history_count",
                               "SELECT count(*) FROM reservation_history WHERE reservation_id = ?1 AND version < ?2");
        if (!count) return count.error();
        count->bind(1, r.id).bind(2, r.version);
        auto got = count->step();
        if (!got) return got.error().wrap("prune history of " + r.id);
        const auto prunable = static_cast<std::size_t>(*got ? count->column_int64(0) : 0);
        const std::size_t room = max_rows - out.rows;
        if (prunable > 0) {
            auto del = t.prepare("housekeeping.history_delete",
                                 "DELETE FROM reservation_history WHERE reservation_id = ?1 AND version IN (SELECT version FROM "
                                 "reservation_history WHERE reservation_id = ?1 AND version < ?2 ORDER BY version LIMIT ?3)");
            if (!del) return del.error();
            del->bind(1, r.id).bind(2, r.version).bind(3, static_cast<std::int64_t>(std::min(prunable, room)));
            if (auto d = del->run(); !d) return d.error().wrap("prune history of " + r.id);
            out.rows += static_cast<std::size_t>(t.conn().changes());
        }
        if (prunable > room) {  // this one is finished next pass; the mark stays before it
            out.more = true;
            break;
        }
        mark_at = r.updated_at;
        mark_id = r.id;
        if (out.rows == max_rows) {
            out.more = true;
            break;
        }
    }
    if (!next.empty())
        if (auto m = meta_set(t, k_history_mark, mark_at + "\t" + mark_id); !m) return m.error();
    return out;
}

result<housekeeping_report> housekeeping_pass(write_txn& t, sys_time now, const housekeeping_options& o) {
    housekeeping_report rep;
    std::size_t budget = o.batch_rows;
    if (o.feed_retention.count() > 0) {
        auto f = prune_feed(t, format_iso_utc_ms(now - o.feed_retention), budget);
        if (!f) return f.error();
        rep.feed_rows = f->rows;
        rep.more = f->more;
        budget -= f->rows;
    }
    if (o.history_retention.count() > 0) {
        if (budget == 0) {
            rep.more = true;
            return rep;
        }
        auto h = prune_history(t, format_iso_utc_ms(now - o.history_retention), budget);
        if (!h) return h.error();
        rep.history_rows = h->rows;
        rep.more = rep.more || h->more;
    }
    return rep;
}

}  // namespace agentd::store
