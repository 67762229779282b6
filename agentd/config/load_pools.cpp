// config/load_pools: the [[pool]] tables (docs/pools.md) — sizes, fill_at, an instance or an
// event with its range of starts, lock types — and the checks across pools and clients.
#include "agentd/config/load_detail.hpp"
#include "agentd/config/window_forms.hpp"
#include "agentd/core/time.hpp"
#include "agentd/core/tz.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace agentd::config::detail {
namespace {

// "10x2, 4x4" -> {(10, 2), (4, 4)}: counts 1..1000, quantities 1..max_quantity, each size once.
result<void> parse_sizes(const context& c, const toml::table& t, pool_settings& p, std::int64_t max_quantity) {
    const toml::source_region where = t["sizes"].node() ? t["sizes"].node()->source() : t.source();
    auto bad = [&](const std::string& what) { return config_fail(c, where, "pool.sizes", what + " (pool '" + p.name + "')"); };
    // At most six digits each: anything longer is out of range anyway.
    auto number = [](std::string_view s) { return s.size() <= 6 ? digits(s) : std::nullopt; };
    for (const auto raw : comma_items(p.sizes)) {
        std::string item(raw);
        std::erase_if(item, [](char ch) { return ch == ' ' || ch == '\t'; });
        const auto x = item.find_first_of("xX");
        std::optional<int> n, q;
        if (x != std::string::npos) {
            n = number(std::string_view(item).substr(0, x));
            q = number(std::string_view(item).substr(x + 1));
        }
        if (!n || !q)
            return bad("expected COUNTxSEATS items separated by commas, like \"10x2, 4x4\"; got \"" + item + "\"");
        const int count = *n, quantity = *q;
        if (count < 1 || count > 1000) return bad("count " + std::to_string(count) + " is outside 1..1000");
        if (quantity < 1 || quantity > max_quantity)
            return bad("seats " + std::to_string(quantity) + " is outside 1..reservations.max_quantity (" +
                       std::to_string(max_quantity) + ")");
        for (const auto& [n, q] : p.size_list)
            if (q == quantity) return bad("holds of " + std::to_string(quantity) + " seats are listed twice");
        p.size_list.emplace_back(count, quantity);
    }
    if (p.size_list.empty()) return bad("lists no sizes");
    return {};
}

}  // namespace

result<void> load_pool(const context& c, const toml::table& t, pool_settings& p, std::int64_t max_quantity) {
    if (auto r = apply_table(c, t, "pool", &p); !r) return r;
    if (auto r = parse_sizes(c, t, p, max_quantity); !r) return r;
    if (!p.price_band.empty() && !p.area.empty())
        return config_fail(c, t.source(), "pool.area", "set at most one of 'pool.price_band' and 'pool.area' (pool '" + p.name + "')");
    if (!p.fill_at.empty()) {
        auto at_ = parse_iso(p.fill_at);
        if (!at_)
            return config_fail(c, t["fill_at"].node()->source(), "pool.fill_at",
                               "expected an ISO 8601 UTC time like \"2026-12-01T10:00:00Z\" (pool '" + p.name + "')");
        p.fill_at_time = *at_;
    }
    auto fail_at = [&](const char* key, const std::string& what) {
        const auto* n = t[key].node();
        return config_fail(c, n ? n->source() : t.source(), std::string("pool.") + key, what + " (pool '" + p.name + "')");
    };
    if (p.instance.empty() == p.event.empty())
        return fail_at(p.instance.empty() ? "instance" : "event",
                       "set exactly one of 'pool.instance' and 'pool.event'");
    for (auto [key, written, at_, utc, end] : {std::tuple{"from", &p.from, &p.from_at, &p.from_utc, false},
                                            std::tuple{"to", &p.to, &p.to_at, &p.to_utc, true}}) {
        if (written->empty()) continue;
        if (p.event.empty()) return fail_at(key, std::string("'pool.") + key + "' applies to event pools only (set 'pool.event')");
        auto w = detail::parse_date_or_wall_time(*written, end);
        if (!w)
            return fail_at(key, "\"" + written->substr(0, 64) +
                                    "\" is neither a date \"YYYY-MM-DD\" nor a date-time \"YYYY-MM-DDTHH:MM[:SS][Z]\"");
        *at_ = w->at;
        *utc = w->utc;
    }
    // Mixed forms (local and UTC) are compared in check_pools, which knows the venue's zone.
    if (p.from_at && p.to_at && p.from_utc == p.to_utc && *p.to_at < *p.from_at)
        return fail_at("to", "\"" + p.to + "\" is before from \"" + p.from + "\"");
    return {};
}

// Pools name configured clients, and a client's pools fit its pool_max_seats together.
result<void> check_pools(const context& c, const settings& s, const std::vector<toml::source_region>& where) {
    std::set<std::string, std::less<>> names;
    std::map<std::string, std::int64_t, std::less<>> seats;
    for (std::size_t i = 0; i < s.pools.size(); ++i) {
        const auto& p = s.pools[i];
        if (!names.insert(p.name).second) return config_fail(c, where[i], "pool.name", "duplicate pool '" + p.name + "'");
        auto cl = std::find_if(s.clients.begin(), s.clients.end(), [&](const client_settings& x) { return x.name == p.client; });
        if (cl == s.clients.end())
            return config_fail(c, where[i], "pool.client", "no [[client]] named '" + p.client + "' (pool '" + p.name + "')");
        if (!p.locked_only && !p.lock_types.empty())
            return config_fail(c, where[i], "pool.lock_types", "is set without locked_only = true (pool '" + p.name + "')");
        // One bound in venue time and one in UTC: compared once the venue's zone is applied
        // (its offset at that moment; a clock change within the hour is of no account here).
        if (p.from_at && p.to_at && p.from_utc != p.to_utc) {
            const auto zone = time_zone::load_or_utc(cl->timezone);
            auto utc = [&](std::chrono::sys_seconds at, bool is_utc) {
                return is_utc ? at : at - zone.offset_at(sys_time(at));
            };
            if (utc(*p.to_at, p.to_utc) < utc(*p.from_at, p.from_utc))
                return config_fail(c, where[i], "pool.to",
                                   "\"" + p.to + "\" is before from \"" + p.from + "\" in venue time " + zone.name() +
                                       " (pool '" + p.name + "')");
        }
        if (p.locked_only && p.lock_types.empty() && cl->allocation_lock_types.empty())
            return config_fail(c, where[i], "pool.locked_only",
                               "needs lock_types, or allocation_lock_types on client '" + p.client + "' (pool '" + p.name + "')");
        // An event pool counts one instance's worth: each pool must fit at least once, and the
        // filler stops at the cap once the mirror shows how many instances there are.
        for (const auto& [n, q] : p.size_list) seats[p.client] += std::int64_t(n) * q;
        if (seats[p.client] > cl->pool_max_seats)
            return config_fail(c, where[i], "pool.sizes",
                               "client '" + p.client + "' pools would hold " + std::to_string(seats[p.client]) +
                                   " seats, above its pool_max_seats (" + std::to_string(cl->pool_max_seats) + ")");
    }
    return {};
}

// A locked_only pool's lock types: its own, or its client's allocation (check_pools made sure
// one of them is set). "a, b,c" -> {"a","b","c"}.
void resolve_lock_types(settings& s) {
    for (auto& p : s.pools) {
        if (!p.locked_only) continue;
        auto cl = std::find_if(s.clients.begin(), s.clients.end(), [&](const client_settings& x) { return x.name == p.client; });
        const std::string& text = p.lock_types.empty() && cl != s.clients.end() ? cl->allocation_lock_types : p.lock_types;
        for (const auto raw : comma_items(text)) {
            std::string item(raw);
            std::erase_if(item, [](char ch) { return ch == ' ' || ch == '\t'; });
            if (!item.empty()) p.lock_type_ids.push_back(std::move(item));
        }
    }
}

}  // namespace agentd::config::detail
