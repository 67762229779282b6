// pools: the allocation pools an operator watches (docs/pools.md).
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/cli/output.hpp"

#include <algorithm>
#include <ostream>

namespace agentd::cli {

int cmd_pools(context& ctx, const positionals&) {
    auto rep = ctx.get("/v1/pools", api::from_json<api::pool_report>);
    if (!rep) return ctx.code();
    if (ctx.json()) {
        ctx.out() << api::to_json(*rep) << "\n";
        return exit_ok;
    }
    auto& o = ctx.out();
    if (rep->pools.empty()) {
        o << "no allocation pools configured ([[pool]] in agentd.toml, see docs/pools.md)\n";
        return exit_ok;
    }
    // An event pool has a row per instance; the EVENT column shows only when there is one.
    const bool events = std::any_of(rep->pools.begin(), rep->pools.end(), [](const api::pool_view& p) { return p.event.has_value(); });
    std::vector<std::string> heads{"POOL", "CLIENT", "INSTANCE", "PHASE", "TARGET", "READY", "FILLING", "DRAWN", "FAILED FILLS",
                                   "SEATS HELD", "NEXT EXPIRY"};
    if (events) heads.insert(heads.begin() + 2, "EVENT");
    table t(heads);
    for (const auto& p : rep->pools) {
        std::string phase = p.phase;
        if (phase == "waiting" && p.fill_at) phase += " until " + *p.fill_at;
        std::vector<std::string> row{p.name, or_dash(p.client), or_dash(p.instance), phase, std::to_string(p.target),
                                     std::to_string(p.ready), std::to_string(p.filling), std::to_string(p.drawn),
                                     std::to_string(p.failed_fills), std::to_string(p.seats_held) + "/" + std::to_string(p.target_seats),
                                     when_text(p.next_expiry, ctx.now())};
        if (events) row.insert(row.begin() + 2, or_dash(p.event.value_or("")));
        t.add(std::move(row));
    }
    o << t.render();
    return exit_ok;
}

}  // namespace agentd::cli
