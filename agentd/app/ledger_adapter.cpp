// control_adapter's ledger routes: GET /v1/ledger and GET /v1/ledger/entries over the store's
// ledger queries, amounts formatted in each client's currency.
#include "agentd/app/control_adapter.hpp"
#include "agentd/app/ledger_books.hpp"

#include "agentd/core/time.hpp"

namespace agentd::app {
namespace {

// Bounds as stored (UTC, milliseconds, 'Z'), so text comparison in SQL orders them as times.
result<store::ledger_filter> filter_of(const api::ledger_query& q) {
    store::ledger_filter f{q.client, q.channel, std::nullopt, std::nullopt};
    for (auto [in, out] : {std::pair{&q.from, &f.from}, std::pair{&q.to, &f.to}}) {
        if (!*in) continue;
        auto t = parse_iso(**in);
        if (!t) return t.error().wrap("ledger");
        *out = format_iso_utc_ms(*t);
    }
    return f;
}

api::ledger_row to_api(const store::ledger_sum& s) {
    return {s.key, s.label, s.currency, s.orders, s.tickets, format_money(s.face), format_money(s.commission), format_money(s.net)};
}

}  // namespace

result<std::vector<ledger_client>> to_ledger(const config::settings& s) {
    std::vector<ledger_client> out;
    for (const auto& c : s.clients) {
        auto zone = time_zone::load(c.timezone);
        if (!zone) return fail(errc::config_error, "client " + c.name + ": timezone: " + zone.error().message);
        out.push_back({c.name, {c.currency, *zone},
                       {c.statement_order_id_column, c.statement_tickets_column, c.statement_total_column,
                        c.statement_commission_column, c.statement_net_column}});
    }
    return out;
}

ledger_client default_ledger_client() {
    ledger_client d;
    d.books.zone = time_zone::load_or_utc("Europe/London");
    return d;
}

const ledger_client& control_adapter::ledger_client_of(std::string_view client) const {
    for (const auto& c : parts_.ledger)
        if (c.name == client) return c;
    return default_books_;
}

result<store::ledger_gaps> control_adapter::ledger_gaps() {
    auto conn = ledger_reader_.conn();
    if (!conn) return conn.error();
    return store::find_ledger_gaps(**conn);
}

result<api::ledger_report> control_adapter::ledger(const api::ledger_query& q) {
    auto by = store::parse_ledger_grouping(q.by);
    if (!by) return by.error();
    auto f = filter_of(q);
    if (!f) return f.error();
    auto conn = ledger_reader_.conn();
    if (!conn) return conn.error();
    auto sum = store::summarize_ledger(**conn, *f, *by, [this](std::string_view c) -> const store::client_books& {
        return ledger_client_of(c).books;
    });
    if (!sum) return sum.error();
    api::ledger_report r;
    r.query = q;
    r.entries = sum->entries;
    for (const auto& g : sum->groups) r.groups.push_back(to_api(g));
    for (const auto& t : sum->totals) r.totals.push_back(to_api(t));
    return r;
}

result<api::ledger_entries> control_adapter::ledger_entries(const api::ledger_query& q) {
    if (!q.client) return fail(errc::invalid_argument, "ledger entries: a client is required");
    auto f = filter_of(q);
    if (!f) return f.error();
    auto conn = ledger_reader_.conn();
    if (!conn) return conn.error();
    const auto& lc = ledger_client_of(*q.client);
    api::ledger_entries out;
    out.client = *q.client;
    out.currency = lc.books.currency;
    out.timezone = lc.books.zone.name();
    out.columns = lc.columns;
    auto scanned = store::scan_ledger(**conn, *f, [&](const store::ledger_entry& e) {
        api::ledger_entry a;
        a.entry = e.entry_id;
        a.corrects = e.corrects;
        a.kind = e.kind;
        a.order_id = e.order_id;
        a.reservation = e.reservation_id;
        a.channel = e.channel;
        a.account = e.account;
        a.event = e.event_id;
        a.event_name = e.event_name;
        a.instance = e.instance;
        a.instance_start = e.instance_start;
        a.confirmed_at = e.confirmed_at;
        if (auto t = parse_iso(e.confirmed_at)) a.confirmed_local = format_local(*t, lc.books.zone);
        a.settled_by = e.settled_by;
        a.amounts_from = e.amounts_from;
        a.reference = e.reference;
        a.note = e.note;
        if (!e.pool.empty()) a.pool = e.pool;
        a.tickets = e.seats;
        a.face = format_money(e.face);
        a.commission = format_money(e.commission);
        a.net = format_money(e.net);
        out.entries.push_back(std::move(a));
    });
    if (!scanned) return scanned.error();
    return out;
}

}  // namespace agentd::app
