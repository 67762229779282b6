// store/ledger: the agent's books (sales_ledger and sales_ledger_tickets of 0006_ledger). A sale
// entry is appended in the transaction that records `confirmed`; corrections are entries of their
// own pointing at the entry they correct. Nothing here updates or deletes an entry.
// Threading: writes take the write_txn of a database job (writer thread); reads take a
// connection used by one thread (a reader).
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/core/money.hpp"
#include "agentd/core/tz.hpp"
#include "agentd/store/reservation_store.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace agentd::store {

class connection;
class write_txn;

// The sale entry of a reservation that has just become confirmed, with its tickets: amounts
// from row.rec.order_lines when the order was read, else from the hold (commission unknown, 0).
// Event name and instance start come from the mirror as it stands ("" when not mirrored).
result<std::int64_t> append_sale(write_txn& t, const reservation_row& row);

// A correction of an entry: signed deltas, appended as its own entry (kind 'correction').
struct ledger_correction {
    std::int64_t corrects = 0;  // entry_id of the entry it corrects
    int seats = 0;
    money face, commission, net;
    std::string note;  // why, required
    sys_time at{};
};
result<std::int64_t> append_correction(write_txn& t, const ledger_correction& c);

struct ledger_entry {
    std::int64_t entry_id = 0;
    std::string kind;  // sale | correction
    std::optional<std::int64_t> corrects;
    std::string order_id;  // "" when unknown
    std::string reservation_id, client, channel, account, event_id, event_name, instance, instance_start;
    std::int64_t seats = 0;
    money face, commission, net;
    std::string reference, confirmed_at, settled_by, amounts_from, mismatch, note;
    std::string pool;  // the allocation pool the seats were drawn from ("" for a normal sale); a correction's is its entry's
};

struct ledger_filter {
    std::optional<std::string> client{}, channel{};
    std::optional<std::string> from{}, to{};  // confirmed_at bounds, UTC ISO text: from inclusive, to exclusive
};

// Calls `each` for every entry matching, in entry order; stops at its first error.
result<void> scan_ledger(connection& c, const ledger_filter& f, const std::function<void(const ledger_entry&)>& each);

// Confirmed reservations without a sale entry, and sale entries whose reservation is not
// confirmed (ids, at most `limit` each).
struct ledger_gaps {
    std::vector<std::string> confirmed_without_entry;
    std::vector<std::string> entry_without_confirmed;
};
result<ledger_gaps> find_ledger_gaps(connection& c, std::size_t limit = 1000);

// Report (store/ledger_report.cpp): entries summed per group. Days, weeks and months are the
// venue's local calendar; amounts of different currencies are never added together.
enum class ledger_grouping { day, week, month, client, channel, event, pool };
result<ledger_grouping> parse_ledger_grouping(std::string_view text);

struct ledger_sum {
    std::string key;       // the group: "2026-11-30", "2026-W49", "2026-11", a client, a channel, an event id, a pool ("" for none)
    std::string label;     // for events, the event's name; else the key
    std::string currency;  // every group and total is in one currency
    std::int64_t orders = 0;   // sale entries (corrections are not orders)
    std::int64_t tickets = 0;  // seats of sales, plus corrections' deltas
    money face, commission, net;
};

struct ledger_summary {
    std::vector<ledger_sum> groups;  // ordered by key, then currency
    std::vector<ledger_sum> totals;  // one per currency (key = currency)
    std::int64_t entries = 0;
};

// What the books of a client are kept in; the composition root answers it from the config.
struct client_books {
    std::string currency = "GBP";
    time_zone zone = time_zone::utc();
};
using books_lookup = std::function<const client_books&(std::string_view client)>;

// errc::invalid_argument when a sum leaves int64 minor units.
result<ledger_summary> summarize_ledger(connection& c, const ledger_filter& f, ledger_grouping by, const books_lookup& books);

}  // namespace agentd::store
