// store/housekeeping: bounded retention of what only grows. The feed keeps rows for
// `feed_retention`; a finished reservation (a terminal state: confirmed, rejected, cancelled,
// released, expired) keeps its full history for `history_retention` after it finished, then
// only its final history row. Never touched: reservations that are not finished (including
// confirm_unknown), the reservation rows and tickets themselves, and the sales ledger.
// Each pass deletes at most `batch_rows` rows, so the writer is never held for long; the
// database's writer runs passes by itself (database.hpp), sooner while a backlog remains.
// Threading: prune functions run inside a write job (writer thread).
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace agentd::store {

class write_txn;

struct housekeeping_options {
    std::chrono::milliseconds feed_retention{0};     // 0: the feed is kept forever
    std::chrono::milliseconds history_retention{0};  // 0: histories are kept forever
    std::chrono::milliseconds interval{std::chrono::minutes(10)};    // between passes with nothing left
    std::chrono::milliseconds backlog_pause{std::chrono::milliseconds(200)};  // between passes of a backlog
    std::size_t batch_rows = 500;                                      // rows deleted per pass at most
    const agentd::clock* clock = nullptr;                             // system clock when null

    bool enabled() const noexcept { return feed_retention.count() > 0 || history_retention.count() > 0; }
};

struct prune_result {
    std::size_t rows = 0;  // rows deleted
    bool more = false;     // the budget ran out with work left (or possibly left)
};

// Deletes feed rows whose `at` is before `before_iso` (format_iso_utc_ms), oldest first,
// looking at no more than `max_rows` rows. The seq high-water mark survives (feed_last_seq).
result<prune_result> prune_feed(write_txn& t, std::string_view before_iso, std::size_t max_rows);

// Deletes, for reservations that finished before `before_iso`, every history row but the last,
// at most `max_rows` rows. Progress is kept in meta ("housekeeping.history_through"), so each
// finished reservation is visited once.
result<prune_result> prune_history(write_txn& t, std::string_view before_iso, std::size_t max_rows);

// One pass at `now`: the feed first, then histories with what is left of the budget.
struct housekeeping_report {
    std::size_t feed_rows = 0;
    std::size_t history_rows = 0;
    bool more = false;
};
result<housekeeping_report> housekeeping_pass(write_txn& t, sys_time now, const housekeeping_options& o);

// The walk over finished reservations prune_history runs (bind: ?1 before, ?2 ?3 the mark,
// ?4 limit), public so tests can EXPLAIN it.
std::string finished_reservations_sql();

// The states whose history may be pruned, as the SQL list the partial index
// reservations_finished (migrations/0005_housekeeping.sql) is defined with.
inline constexpr std::string_view k_finished_states_sql = "('confirmed', 'rejected', 'cancelled', 'released', 'expired')";

}  // namespace agentd::store
