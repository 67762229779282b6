// The ledger report: one pass over the matching entries, summed in memory per (group, currency).
// The day/week/month of an entry is its venue-local confirm date, which SQL cannot compute.
#include "agentd/core/time.hpp"
#include "agentd/store/ledger.hpp"

#include <map>

namespace agentd::store {
namespace {

std::string group_key(const ledger_entry& e, ledger_grouping by, const client_books& b, sys_time at) {
    switch (by) {
    case ledger_grouping::day: return local_date(at, b.zone);
    case ledger_grouping::week: return local_iso_week(at, b.zone);
    case ledger_grouping::month: return local_date(at, b.zone).substr(0, 7);
    case ledger_grouping::client: return e.client;
    case ledger_grouping::channel: return e.channel;
    case ledger_grouping::event: return e.event_id.empty() ? e.instance : e.event_id;
    case ledger_grouping::pool: return e.pool;
    }
    return {};
}

bool add_into(ledger_sum& s, const ledger_entry& e) {
    auto face = checked_add(s.face, e.face);
    auto commission = checked_add(s.commission, e.commission);
    auto net = checked_add(s.net, e.net);
    if (!face || !commission || !net) return false;
    s.face = *face;
    s.commission = *commission;
    s.net = *net;
    if (e.kind == "sale") ++s.orders;
    s.tickets += e.seats;
    return true;
}

}  // namespace

result<ledger_grouping> parse_ledger_grouping(std::string_view text) {
    static constexpr std::pair<std::string_view, ledger_grouping> k_names[] = {
        {"day", ledger_grouping::day},         {"week", ledger_grouping::week},       {"month", ledger_grouping::month},
        {"client", ledger_grouping::client},   {"channel", ledger_grouping::channel}, {"event", ledger_grouping::event},
        {"pool", ledger_grouping::pool}};
    for (auto [name, g] : k_names)
        if (name == text) return g;
    return fail(errc::invalid_argument, "ledger grouping '" + std::string(text) + "': expected day|week|month|client|channel|event|pool");
}

result<ledger_summary> summarize_ledger(connection& c, const ledger_filter& f, ledger_grouping by, const books_lookup& books) {
    std::map<std::pair<std::string, std::string>, ledger_sum> groups;
    std::map<std::string, ledger_sum> totals;
    ledger_summary out;
    bool overflow = false;
    std::string bad_time;
    auto scanned = scan_ledger(c, f, [&](const ledger_entry& e) {
        const auto& b = books(e.client);
        auto at = parse_iso(e.confirmed_at);
        if (!at) {
            bad_time = e.confirmed_at;
            return;
        }
        auto key = group_key(e, by, b, *at);
        auto [g, fresh] = groups.try_emplace({key, b.currency});
        if (fresh) {
            g->second.key = key;
            g->second.label = by == ledger_grouping::event && !e.event_name.empty() ? e.event_name : key;
            if (by == ledger_grouping::pool && key.empty()) g->second.label = "no pool";
            g->second.currency = b.currency;
        }
        auto [t, first] = totals.try_emplace(b.currency);
        if (first) t->second.key = t->second.label = t->second.currency = b.currency;
        if (!add_into(g->second, e) || !add_into(t->second, e)) overflow = true;
        ++out.entries;
    });
    if (!scanned) return scanned.error();
    if (overflow) return fail(errc::invalid_argument, "ledger report: a sum leaves the range of int64 minor units");
    if (!bad_time.empty()) return fail(errc::internal, "ledger report: stored confirm time '" + bad_time + "' unreadable");
    for (auto& [k, g] : groups) out.groups.push_back(std::move(g));
    for (auto& [k, t] : totals) out.totals.push_back(std::move(t));
    return out;
}

}  // namespace agentd::store
