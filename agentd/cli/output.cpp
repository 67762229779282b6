#include "agentd/cli/output.hpp"

#include "agentd/api/json.hpp"

#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/net/url.hpp"

namespace agentd::cli {

std::string query_string(const std::vector<std::pair<std::string, std::optional<std::string>>>& params) {
    std::string q;
    for (auto& [k, v] : params) {
        if (!v) continue;
        q += (q.empty() ? "?" : "&") + k + "=" + net::percent_encode(*v);
    }
    return q;
}

std::string seg(const std::string& s) { return net::percent_encode(s); }

std::optional<std::vector<std::string>> clients_to_show(context& ctx) {
    if (auto c = ctx.args().get("client")) return std::vector<std::string>{*c};
    auto all = ctx.get("/v1/clients", api::from_json<std::vector<api::client_state>>);
    if (!all) return std::nullopt;
    std::vector<std::string> names;
    for (auto& c : *all) names.push_back(c.name);
    return names;
}

std::optional<std::string> date_option(context& ctx, const char* name, bool& bad) {
    auto v = ctx.args().get(name);
    if (!v) return std::nullopt;
    auto d = resolve_date(*v, ctx.now());
    if (!d) {
        ctx.report(exit_usage, std::string("--") + name + ": '" + *v + "' is not a date (YYYY-MM-DD, today, tomorrow, +7d)");
        bad = true;
    }
    return d;
}

}  // namespace agentd::cli
