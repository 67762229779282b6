// top: a one-screen summary per client (sync state and lag, budget left, holds, queue,
// reservation errors in the last minute), refreshed every 2 s on a terminal; one frame per
// interval (or one with --once) when stdout is not a terminal, for scripts and logs.
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/core/time.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

namespace agentd::cli {
namespace {

struct client_counts {
    std::int64_t held = 0, queue = 0, errors_1m = 0;
};

bool in_queue(const std::string& s) {
    return s == "queued" || s == "placing" || s == "confirming" || s == "releasing";
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
}

std::string lag(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", s);
    return s < 60 ? std::string(buf) : span_text(s);
}

// One frame; false when the daemon could not be read (reported).
bool frame(context& ctx) {
    auto h = ctx.get("/v1/health", api::from_json<api::health>);
    if (!h) return false;
    auto list = ctx.get("/v1/reservations", api::from_json<std::vector<api::reservation>>);
    if (!list) return false;
    const auto now = ctx.now();
    std::map<std::string, client_counts> by_client;
    for (auto& r : *list) {
        auto& c = by_client[r.client];
        c.held += r.state == "held";
        c.queue += in_queue(r.state);
        auto at = parse_iso(r.updated_at);
        if (r.error && at && now - *at <= std::chrono::minutes(1)) ++c.errors_1m;
    }
    auto& o = ctx.out();
    o << "agentd " << h->version << "  " << h->status << "  up " << span_text(double(h->uptime_seconds)) << "  queue "
      << h->queue.depth << "  at " << format_iso_utc(now) << "\n\n";
    table t({"CLIENT", "SYNC", "LAG", "BUDGET LEFT", "HELD", "QUEUE", "ERRORS 1M", "LAST ERROR"});
    for (auto& c : h->clients) {
        auto& n = by_client[c.name];
        t.add({c.name, c.state, lag(c.lag_seconds), num(c.budget_left), std::to_string(n.held), std::to_string(n.queue),
               std::to_string(n.errors_1m), c.last_error.value_or("-")});
    }
    o << (t.empty() ? "no clients configured\n" : t.render());
    o.flush();
    return true;
}

}  // namespace

int cmd_top(context& ctx, const positionals&) {
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    if (ctx.args().flag("once")) return frame(ctx) ? exit_ok : ctx.code();
    for (;;) {
        // The screen is cleared with a fixed sequence written past the safe stream, which
        // (rightly) neutralises every escape sequence in printed text.
        if (tty) std::cout << "\x1b[H\x1b[2J" << std::flush;
        if (!frame(ctx)) return ctx.code();
        if (!tty) ctx.out() << "\n";
        std::this_thread::sleep_for(std::chrono::seconds(2));  // the refresh interval
    }
}

}  // namespace agentd::cli
