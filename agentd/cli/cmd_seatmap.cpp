// seats --svg: the daemon's SVG seat map (GET .../seatmap.svg) written to a file or stdout.
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>

namespace agentd::cli {

int cmd_seats_svg(context& ctx, const positionals& a) {
    auto file = *ctx.args().get("svg");
    if (file.empty()) return ctx.report(exit_usage, "--svg: expected a file name (or - for stdout)");
    auto target = "/v1/clients/" + seg(a[0]) + "/instances/" + seg(a[1]) + "/seatmap.svg" +
                  query_string({{"include", ctx.args().get("area")}});
    auto r = ctx.call("GET", target);
    if (!r) return ctx.code();
    if (file == "-") {
        ctx.out() << r->body;
        return exit_ok;
    }
    // Written beside the target and renamed, so a web server never serves half a map.
    auto tmp = file + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << r->body;
        f.flush();
        if (!f) return ctx.report(exit_failure, "--svg: cannot write " + tmp + ": " + std::strerror(errno));
    }
    if (std::rename(tmp.c_str(), file.c_str()) != 0) {
        auto why = std::string(std::strerror(errno));
        std::remove(tmp.c_str());
        return ctx.report(exit_failure, "--svg: cannot write " + file + ": " + why);
    }
    if (!ctx.json()) ctx.err() << "seat map written to " << file << " (" << r->body.size() << " bytes)\n";
    return exit_ok;
}

}  // namespace agentd::cli
