// watch: the feed (GET /v1/feed, server-sent events) as one line per change, following it live
// and resuming after the last sequence seen when agentd restarts or the stream breaks.
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/core/time.hpp"
#include "agentd/net/uds_client.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <chrono>
#include <ostream>
#include <thread>
#include <type_traits>

namespace agentd::cli {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds k_first_pause = 500ms;
constexpr std::chrono::milliseconds k_max_pause = 8s;

// Retry-After in seconds (the form agentd sends), bounded to a sane wait; nullopt when absent or
// not a number.
std::optional<std::chrono::milliseconds> retry_after(const net::http_reply& r) {
    auto v = r.header("Retry-After");
    if (!v) return std::nullopt;
    unsigned long s = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), s);
    if (v->empty() || ec != std::errc() || p != v->data() + v->size()) return std::nullopt;
    return std::chrono::seconds(std::clamp<unsigned long>(s, 1, 300));
}

struct watch_filter {
    std::optional<std::string> client, channel, state;
    bool reservations_only() const { return channel || state; }
};

std::string clock_now() {
    auto iso = format_iso_utc(std::chrono::system_clock::now());
    return iso.size() >= 19 ? iso.substr(11, 8) : iso;
}

// "reservation r_1 held v4 (channel web) royalcourt: The Seagull 2026-12-01T19:30:00, 2 seats";
// the names come from GET /v1/reservations/{id} (nullopt: filtered out).
std::optional<std::string> reservation_line(net::uds_client& look, const api::feed_reservation& r, const watch_filter& f) {
    if (f.channel && r.channel != *f.channel) return std::nullopt;
    if (f.state && r.state != *f.state) return std::nullopt;
    std::string line = "reservation " + r.id + "  " + r.state + "  v" + std::to_string(r.version) + "  channel " + r.channel;
    auto got = look.get("/v1/reservations/" + r.id);
    std::optional<api::reservation> full;
    if (got && got->status == 200)
        if (auto d = api::from_json<api::reservation>(got->body)) full = std::move(*d);
    if (f.client && (!full || full->client != *f.client)) return std::nullopt;
    if (full) {
        line += "  " + full->client + "  " + (full->event_name.empty() ? full->instance : full->event_name + " " + full->instance_start);
        if (!full->seats.empty()) line += ", " + std::to_string(full->seats.size()) + (full->seats.size() == 1 ? " seat" : " seats");
        if (full->error) line += "  (" + full->error->message + ")";
    }
    return line;
}

std::optional<std::string> describe(net::uds_client& look, const net::sse_event& e, const watch_filter& f) {
    auto data = api::decode_feed_data(e.event, e.data);
    if (!data) return f.reservations_only() ? std::nullopt : std::optional(e.event + "  " + e.data);
    return std::visit(
        [&](const auto& d) -> std::optional<std::string> {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, api::feed_reservation>) {
                return reservation_line(look, d, f);
            } else if constexpr (std::is_same_v<T, api::feed_overflow> || std::is_same_v<T, api::error_body>) {
                return std::nullopt;  // the stream ends next; the reconnect resumes from the last id
            } else {
                if (f.reservations_only() || (f.client && d.client != *f.client)) return std::nullopt;
                std::string line = e.event + "  " + d.client;
                if constexpr (std::is_same_v<T, api::feed_mirror_change>) line += "  " + d.id + "  " + d.change;
                if constexpr (std::is_same_v<T, api::feed_price_list>) line += "  " + d.id + "  " + std::to_string(d.prices) + " prices";
                if constexpr (std::is_same_v<T, api::feed_plan>) line += "  " + d.id + "  " + std::to_string(d.seats) + " seats";
                if constexpr (std::is_same_v<T, api::feed_availability>)
                    line += "  " + d.id + "  " + (d.available ? std::to_string(*d.available) + " available, " : std::string()) +
                            std::to_string(d.seats_changed) + " seats changed";
                if constexpr (std::is_same_v<T, api::feed_sync>) line += "  refused a " + d.refused + " listing: " + d.reason;
                return line;
            }
        },
        *data);
}

// The colour of a line on a terminal, by what it says: the fixed sequences are written past
// the safe stream, which (rightly) neutralises every escape sequence inside printed text.
const char* colour_of(const std::string& line) {
    auto has = [&](const char* st) { return line.find(std::string("  ") + st + "  ") != std::string::npos; };
    if (line.rfind("reservation ", 0) != 0) return "\x1b[2m";  // inventory: dim
    if (has("confirmed")) return "\x1b[32m";
    if (has("held")) return "\x1b[33m";
    if (has("rejected") || has("expired") || has("confirm_unknown") || has("cancelled")) return "\x1b[31m";
    return "";
}

}  // namespace

int cmd_watch(context& ctx, const positionals&) {
    auto sock = ctx.socket_path();
    if (!sock) return ctx.code();
    watch_filter f{ctx.args().get("client"), ctx.args().get("channel"), ctx.args().get("state")};
    std::uint64_t since = 0;
    if (auto s = ctx.args().get("since")) {
        auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), since);
        if (s->empty() || ec != std::errc() || p != s->data() + s->size())
            return ctx.report(exit_usage, "--since: expected a feed sequence number");
    }
    net::uds_client look(*sock, ctx.timeout());
    const bool colour = ::isatty(STDOUT_FILENO) == 1 && !std::getenv("NO_COLOR");
    bool down = false;
    // The pause before a reconnect: doubles while attempts fail or streams end without an event
    // (no busy loop against a daemon that accepts and drops us), back to the start on an event.
    auto pause = k_first_pause;
    // `wait`: what the daemon asked for (Retry-After), else the current pause.
    auto back_off = [&](std::optional<std::chrono::milliseconds> wait = std::nullopt) {
        std::this_thread::sleep_for(wait.value_or(pause));  // the retry interval, not a wait for a condition
        pause = std::min(pause * 2, k_max_pause);
    };
    for (;;) {
        // Heartbeats arrive every [api] feed_heartbeat (15 s): a minute of silence is a dead stream.
        net::uds_client stream(*sock, 60s);
        auto open = stream.open_stream("/v1/feed?since=" + std::to_string(since));
        if (!open) {
            auto c = open.error().code;
            if (c != errc::unavailable && c != errc::timeout && c != errc::io_error) return ctx.report(open.error());
            if (!down) ctx.err() << "agentctl: agentd is not reachable; resuming after event " << since << " when it is back\n";
            down = true;
            ctx.err().flush();
            back_off();
            continue;
        }
        if (down) ctx.err() << "agentctl: agentd is back; resuming after event " << since << "\n";
        down = false;
        if (open->status == 429) {
            auto wait = retry_after(*open).value_or(pause);
            ctx.err() << "agentctl: " << context::error_message(*open) << "; retrying in "
                      << std::chrono::ceil<std::chrono::seconds>(wait).count() << " s\n";
            ctx.err().flush();
            back_off(wait);
            continue;
        }
        // Another refusal (403: not mapped to a channel, 400: bad --since) will not change by
        // asking again.
        if (open->status >= 400 && open->status < 500) return ctx.report_status(*open, "a [[channel]]");
        if (open->status != 200) {
            ctx.err() << "agentctl: agentd answered the feed with " << context::error_message(*open) << "; retrying\n";
            ctx.err().flush();
            back_off();
            continue;
        }
        bool any = false;
        for (;;) {
            auto ev = stream.next_event();
            if (!ev || !*ev) break;  // closed, silent or broken: reconnect from `since`
            any = true;
            pause = k_first_pause;
            auto& e = **ev;
            if (e.id) since = *e.id;
            auto line = describe(look, e, f);
            if (!line) continue;
            const char* paint = colour ? colour_of(*line) : "";
            if (*paint) std::cout << paint << std::flush;
            // The safe stream emits whole lines only: the reset follows the line's newline.
            ctx.out() << clock_now() << "  #" << since << "  " << *line << "\n";
            ctx.out().flush();
            if (*paint) std::cout << "\x1b[0m" << std::flush;
        }
        if (!any) back_off();
    }
}

}  // namespace agentd::cli
