// The command table: the single place that names agentctl's commands, arguments and options.
#include "agentd/cli/commands.hpp"

namespace agentd::cli {
namespace {

const std::vector<command_spec> k_commands = {
    {{"status"}, "", 0, 0, {}, "is agentd up; sync state per client; queue",
     "Shows whether agentd answers, its version and uptime, the initial sync's progress, per client\n"
     "the sync state, last success, lag, upstream budget left and last upstream error, and the\n"
     "reservation queue (depth and reservations by state).\n",
     cmd_status},
    {{"clients"}, "", 0, 0, {"names"}, "the Spektrix clients (venues) with their sync state",
     "Lists the clients agentd sells for: sync state, last success, lag, budget left, last error.\n"
     "  --names         only the client names, one per line (for scripts and shell completion)\n",
     cmd_clients},
    {{"events"}, "", 0, 0, {"client", "from", "to", "search"}, "events, per client",
     "Lists events (productions). Without --client, every client's.\n"
     "  --client C      only client C\n"
     "  --from D        events with instances from D (YYYY-MM-DD, today, tomorrow, +7d)\n"
     "  --to D          ... until D\n"
     "  --search TEXT   text in the event name\n",
     cmd_events},
    {{"instances"}, "", 0, 0, {"client", "event", "from", "to"}, "instances (performances) with availability and its age",
     "Lists instances with seats available and how old that figure is (seconds since it was last\n"
     "confirmed upstream). Without --client, every client's.\n"
     "  --client C      only client C\n"
     "  --event E       only instances of event E\n"
     "  --from D        starting from D (YYYY-MM-DD, today, tomorrow, +7d)\n"
     "  --to D          ... until D\n"
     "Example: what is on sale for client X next week?\n"
     "  agentctl instances --client X --from today --to +7d\n",
     cmd_instances},
    {{"instance"}, "C ID", 2, 2, {}, "one instance: prices, availability per area, freshness",
     "Shows instance ID of client C: event, start, plan, prices by price band x ticket type,\n"
     "availability in total and per area, and when availability was last confirmed upstream.\n",
     cmd_instance},
    {{"seats"}, "C ID", 2, 2, {"area", "width", "svg"}, "the seating plan drawn in the terminal",
     "Draws the seating plan of instance ID of client C from the seats' coordinates, one character\n"
     "per seat: o available, H held by us, b in other baskets, x sold/reserved, L locked,\n"
     ". unavailable. Rows are labelled; a legend and counts follow.\n"
     "  --area ID       draw only this area\n"
     "  --width N       terminal columns (default 100)\n"
     "  --svg FILE      write the daemon's SVG seat map (for web shops) to FILE (- for stdout)\n"
     "                  instead; with --area, only that area\n",
     cmd_seats},
    {{"reservations"}, "", 0, 0, {"state", "channel", "client"}, "reservations, filtered",
     "Lists reservations (an admin channel sees every channel's).\n"
     "  --state S       queued, placing, held, confirming, confirmed, confirm_unknown, rejected,\n"
     "                  cancelled, releasing, released, expired\n"
     "  --channel CH    only this sales channel\n"
     "  --client C      only this client\n",
     cmd_reservations},
    {{"reservation"}, "ID", 1, 1, {}, "one reservation with its full history",
     "Shows reservation ID: state, seats, prices, expiry, order, error, and every transition.\n", cmd_reservation},
    {{"release"}, "ID", 1, 1, {}, "release a reservation's seats",
     "Releases reservation ID: a held reservation moves to releasing (then released), a queued one\n"
     "is cancelled. Refused (exit 6) in a state that cannot be released.\n",
     cmd_release},
    {{"reconcile"}, "", 0, 0, {}, "what needs a human: confirm_unknown, order mismatches, orphan baskets",
     "Lists reservations in confirm_unknown (agentd could not prove whether the order was made, with\n"
     "the reason), confirmed orders that differ from their hold, sales proven without an order id,\n"
     "and upstream baskets no reservation owns, with what to do about each. Admin only.\n",
     cmd_reconcile},
    {{"pools"}, "", 0, 0, {}, "allocation pools: target, ready, drawn, failed fills, seats held, next expiry",
     "Lists each allocation pool ([[pool]], docs/pools.md): its phase (waiting for its on-sale time or for\n"
     "the instance to be on sale, filling, ready, capped by pool_max_seats, paused, draining before the\n"
     "performance, removed by a reload), the ready holds it keeps and has, holds being placed, holds\n"
     "channels drew, fills that ended rejected, seats held of the target and the next hold deadline.\n"
     "One row per pool and instance: an event pool has one for each instance it covers.\n"
     "Admin only.\n",
     cmd_pools},
    {{"ledger"}, "", 0, 0, {"client", "channel", "from", "to", "by", "csv"}, "the sales ledger: tickets, face value, commission, net owed",
     "Sums the sales ledger per group with totals per currency: orders, tickets, face value, the agent's\n"
     "commission (agentDiscount) and the net owed to the venue. Admin only. See docs/ledger.md.\n"
     "  --client C, --channel CH  only this client / sales channel\n"
     "  --from D, --to D          confirmed from D (inclusive) to D (exclusive); UTC ISO 8601 dates or times\n"
     "  --by day|week|month|client|channel|event|pool   the grouping (default client; days in venue local\n"
     "                            time; pool: the allocation pool sales were drawn from)\n"
     "  --csv                     RFC 4180 CSV with a header row, decimal amounts and a currency column\n",
     cmd_ledger},
    {{"ledger", "entries"}, "", 0, 0, {"client", "from", "to", "csv"}, "the sales ledger's entries of a client, one by one",
     "Lists the client's ledger entries (sales and corrections) in confirm order: order, reservation,\n"
     "channel, event, instance, the allocation pool the seats were drawn from, tickets and amounts.\n"
     "Admin only. See docs/ledger.md.\n"
     "  --client C          the client (required)\n"
     "  --from D, --to D    confirmed from D (inclusive) to D (exclusive); UTC ISO 8601 dates or times\n"
     "  --csv               RFC 4180 CSV with a header row, one row per entry\n",
     cmd_ledger_entries},
    {{"ledger", "diff"}, "STATEMENT.csv", 1, 1, {"client", "from", "to"}, "match a venue's statement against the ledger",
     "Reads a venue's statement (CSV, columns named by client.statement_*_column) and matches it\n"
     "against the client's ledger by order id: orders on one side only and differing tickets or\n"
     "amounts, each with what to do. Exit 9 when differences are found. Admin only.\n"
     "  --client C          the client whose statement it is (required)\n"
     "  --from D, --to D    only ledger entries confirmed in [D, D), as the statement's period\n",
     cmd_ledger_diff},
    {{"resolve"}, "ID", 1, 1, {"sold", "not-sold", "note"}, "settle a confirm_unknown reservation",
     "Settles reservation ID, left confirm_unknown because agentd could not prove whether Spektrix\n"
     "made the order, from the venue's own records. Admin only; refused (exit 6) in any other state.\n"
     "  --sold ORDER_ID  an order exists: the reservation becomes confirmed, with a ledger entry\n"
     "  --not-sold       no order: the basket is cleared and the reservation ends released\n"
     "  --note TEXT      kept in the reservation's history\n",
     cmd_resolve},
    {{"sync", "now"}, "", 0, 0, {"client", "instance"}, "ask for an immediate refresh",
     "Asks agentd's sync scheduler to refresh now (within the client's budget). Admin only.\n"
     "  --client C      the client (required unless there is exactly one)\n"
     "  --instance ID   only this instance's availability\n",
     cmd_sync_now},
    {{"hold"}, "C INSTANCE", 2, 2, {"best", "ticket-type", "band", "area", "seat", "key"}, "place a hold (demos)",
     "Asks agentd for seats on instance INSTANCE of client C and prints the new reservation\n"
     "(state queued; follow it with `agentctl wait ID`). Either best available:\n"
     "  --best N          quantity (1..50)\n"
     "  --band B          price band (optional)\n"
     "  --area A          area (optional)\n"
     "or specific seats:\n"
     "  --seat S[,S...]   seat ids\n"
     "and in both cases:\n"
     "  --ticket-type T   ticket type (required)\n"
     "  --key K           Idempotency-Key (default: a fresh one)\n",
     cmd_hold},
    {{"confirm"}, "ID", 1, 1, {"first-name", "last-name", "address", "reference"}, "confirm a held reservation (demos)",
     "Confirms held reservation ID for an end customer; the state becomes confirming (follow it\n"
     "with `agentctl wait ID`).\n"
     "  --first-name F --last-name L --address LINE1 --reference REF   (all required)\n",
     cmd_confirm},
    {{"wait"}, "ID", 1, 1, {"state"}, "wait for a reservation to reach a state",
     "Waits (long-poll) until reservation ID reaches --state S, or without --state until it is no\n"
     "longer in progress (held, confirmed, or a final state). --timeout is the whole wait\n"
     "(default 60s). Exit 6 when it ends in another final state, 1 on timeout.\n"
     "  --state S       the state to wait for\n",
     cmd_wait},
    {{"watch"}, "", 0, 0, {"client", "channel", "state", "since"}, "follow the feed live, one line per change",
     "Prints agentd's feed (GET /v1/feed) as it happens, one line per change: reservations with\n"
     "their state, version, channel, client, event and seats; catalogue, price, plan and\n"
     "availability changes. Starts at the oldest retained event (or after --since N) and runs until\n"
     "interrupted; when agentd restarts it waits and resumes after the last event it printed.\n"
     "  --client C      only client C\n"
     "  --channel CH    only reservations of sales channel CH\n"
     "  --state S       only reservations reaching state S\n"
     "  --since N       start after feed event N\n",
     cmd_watch},
    {{"top"}, "", 0, 0, {"once"}, "a refreshing one-screen summary per client",
     "Shows per client the sync state and lag, upstream budget left, reservations held, in the\n"
     "queue (queued, placing, confirming, releasing) and with an error in the last minute, and\n"
     "the last upstream error; refreshed every 2 s on a terminal until interrupted. Not on a\n"
     "terminal it prints plain frames, one per interval.\n"
     "  --once          print one frame and exit (for scripts)\n",
     cmd_top},
    {{"config", "check"}, "[FILE]", 0, 1, {}, "validate a config file (offline)",
     "Loads and validates FILE (or --config FILE) exactly as agentd would, without starting it,\n"
     "and prints the effective settings with secrets shown as [redacted]. Exit 7 when invalid.\n",
     cmd_config_check},
    {{"db", "stats"}, "", 0, 0, {}, "database sizes, row counts, schema version (offline)",
     "Opens the database read-only (--db PATH, or daemon.database of --config) and prints the\n"
     "schema version, file and WAL sizes, pages and row counts per table. Safe next to a live agentd.\n",
     cmd_db_stats},
    {{"db", "check"}, "", 0, 0, {}, "database integrity check (offline)",
     "Runs SQLite's integrity_check and foreign_key_check read-only (--db PATH, or daemon.database\n"
     "of --config). Exit 8 when problems are found.\n",
     cmd_db_check},
};

}  // namespace

std::span<const command_spec> command_table() { return k_commands; }

}  // namespace agentd::cli
