// Do-not-transact windows end to end: agentd and agentd-sim as processes, windows put in force
// and lifted by reloading the configuration (SIGHUP), the simulator's maintenance mode proving
// that nothing reached the venue inside one (every request it answers 503 is counted).
#include "agentd/core/time.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <csignal>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

std::string iso(sys_time t) { return format_iso_utc(t); }

struct rig {
    temp_dir dir;
    sim_process sim = start_sim(dir);
    std::string client = sim.clients.back().name;  // the window blocks attach to the last [[client]]
    std::string config = write_daemon_config(dir, sim);
    std::unique_ptr<child_process> daemon = start_daemon(dir, config);
    std::string sock = dir.file("agentd.sock");
    sellable sale;

    rig() {
        REQUIRE(wait_for_daemon(sock, 60s));
        sale = wait_sellable(sock, client);
    }
    ~rig() {
        daemon->signal(SIGTERM);
        daemon->wait(30s);
    }

    // Rewrites the configuration with `windows` ([[client.window]] blocks) and reloads it; waits
    // until health shows what `in_force` says about the client.
    void set_windows(const std::string& windows, bool in_force) {
        daemon_config_options o;
        o.extra = windows;
        write_daemon_config(dir, sim, o);
        daemon->signal(SIGHUP);
        REQUIRE(wait_until([&] { return inside() == in_force; }, 20s, 20ms));
    }
    bool inside() {
        auto h = uds_request(sock, "GET", "/v1/health");
        if (!h || h->status != 200) return false;
        const int n = json_array_size(h->body, "clients");
        for (int i = 0; i < n; ++i) {
            auto row = "clients." + std::to_string(i);
            if (json_get(h->body, row + ".name") == client) return json_get(h->body, row + ".window.inside") == "true";
        }
        return false;
    }
    std::string health_window() {
        auto h = uds_request(sock, "GET", "/v1/health");
        REQUIRE(h);
        const int n = json_array_size(h->body, "clients");
        for (int i = 0; i < n; ++i) {
            auto row = "clients." + std::to_string(i);
            if (json_get(h->body, row + ".name") == client) return json_get(h->body, row + ".window").value_or("");
        }
        return "";
    }

    std::optional<http_answer> create(const std::string& key) {
        const std::string body = R"({"client":")" + client + R"(","instance":")" + sale.instance +
                                 R"(","bestAvailable":{"quantity":1,"ticketType":")" + sale.ticket_type + R"("}})";
        return uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
    }
    std::string field(const std::string& id, const std::string& name) {
        auto a = uds_request(sock, "GET", "/v1/reservations/" + id);
        if (!a || a->status != 200) return "";
        return json_get(a->body, name).value_or("");
    }
    std::string held(const std::string& key) {
        auto a = create(key);
        REQUIRE(a);
        REQUIRE(a->status == 202);
        auto id = *json_get(a->body, "id");
        REQUIRE(wait_until([&] { return field(id, "state") == "held"; }, 30s, 20ms));
        return id;
    }

    void maintenance(bool on) {
        auto a = tcp_request(sim.control_url, "POST", "/maintenance",
                             R"({"client":")" + client + R"(","on":)" + (on ? "true" : "false") + "}");
        REQUIRE(a);
        REQUIRE(a->status == 200);
    }
    // Requests of the client the simulator refused while in maintenance: {reads, writes}.
    std::pair<std::string, std::string> refused() {
        auto a = tcp_request(sim.control_url, "GET", "/maintenance?client=" + client);
        REQUIRE(a);
        REQUIRE(a->status == 200);
        return {json_get(a->body, "0.refusedReads").value_or("?"), json_get(a->body, "0.refusedWrites").value_or("?")};
    }
};

std::string one_off(const std::string& name, sys_time from, sys_time until, const std::string& extra = "") {
    return "[[client.window]]\nname = \"" + name + "\"\nstart = \"" + iso(from) + "\"\nend = \"" + iso(until) + "\"\n" +
           extra + "\n";
}

int count_of(const std::string& text, const std::string& needle) {
    int n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("creates = queue: accepted, held back with nothing sent upstream, placed once the window ends") {
    rig r;
    const auto now = std::chrono::system_clock::now();
    r.set_windows(one_off("embargo", now - 1min, now + 1h, "reads = true\ncreates = \"queue\""), true);
    auto w = r.health_window();
    CHECK(json_get(w, "name") == "embargo");
    CHECK(json_get(w, "endsAt") == iso(std::chrono::floor<std::chrono::seconds>(now + 1h)));
    CHECK(json_get(w, "readsBlocked") == "true");
    // The venue goes down with the window: any request that still reached it would be counted.
    r.maintenance(true);

    auto a = r.create("queued-in-window");
    REQUIRE(a);
    REQUIRE(a->status == 202);
    const auto id = *json_get(a->body, "id");
    CHECK(json_get(a->body, "state") == "queued");
    // Held back, not driven: it stays queued (this wait is meant to run out).
    CHECK_FALSE(wait_until([&] { return r.field(id, "state") != "queued"; }, 2s, 50ms));
    CHECK(r.refused() == std::pair<std::string, std::string>{"0", "0"});
    // /metrics shows it too (docs/windows.md).
    auto m = uds_request(r.sock, "GET", "/metrics");
    REQUIRE(m);
    CHECK(m->body.find("\nagentd_window_in_force{client=\"" + r.client + "\"} 1\n") != std::string::npos);

    // agentctl status shows the window in force.
    auto st = agentctl({"--config", r.config, "status"});
    CHECK(st.code == 0);
    CHECK(st.has("in embargo until"));

    // The window lifted (by reload): the queued create is placed, on its first attempt.
    r.maintenance(false);
    r.set_windows("", false);
    REQUIRE(wait_until([&] { return r.field(id, "state") == "held"; }, 30s, 20ms));
    auto m2 = uds_request(r.sock, "GET", "/metrics");
    REQUIRE(m2);
    CHECK(m2->body.find("\nagentd_window_in_force{client=\"" + r.client + "\"} 0\n") != std::string::npos);
    auto h = uds_request(r.sock, "GET", "/v1/reservations/" + id + "/history");
    REQUIRE(h);
    CHECK(count_of(h->body, "placing with Spektrix") == 1);
    CHECK(count_of(h->body, "attempt 1") == 1);
}

TEST_CASE("creates = refuse: do_not_transact with the window's end; confirms wait for it, extends are refused") {
    rig r;
    const auto before = r.held("held-before");
    const auto now = std::chrono::system_clock::now();
    const auto end = std::chrono::floor<std::chrono::seconds>(now + 1h);
    r.set_windows(one_off("nightly", now - 1min, end, "creates = \"refuse\""), true);
    r.maintenance(true);

    auto a = r.create("refused-in-window");
    REQUIRE(a);
    CHECK(a->status == 503);
    CHECK(json_get(a->body, "error.code") == "do_not_transact");
    CHECK(json_get(a->body, "error.retryable") == "true");
    CHECK(json_get(a->body, "error.retryAt") == iso(end));

    auto x = uds_request(r.sock, "POST", "/v1/reservations/" + before + "/extend", "{}");
    REQUIRE(x);
    CHECK(x->status == 503);
    CHECK(json_get(x->body, "error.code") == "do_not_transact");

    // A confirm is acknowledged and waits for the window's end.
    auto c = uds_request(r.sock, "POST", "/v1/reservations/" + before + "/confirm",
                         R"({"customer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St"},"reference":"W-1"})");
    REQUIRE(c);
    CHECK(c->status == 202);
    CHECK_FALSE(wait_until([&] { return r.field(before, "state") != "confirming"; }, 2s, 50ms));
    // Writes refused at the venue: none. Reads were allowed (reads = false).
    CHECK(r.refused().second == "0");

    r.maintenance(false);
    r.set_windows("", false);
    REQUIRE(wait_until([&] { return r.field(before, "state") == "confirmed"; }, 30s, 20ms));
    auto again = r.create("after-window");
    REQUIRE(again);
    CHECK(again->status == 202);
}

TEST_CASE("a hold that would end inside a coming window ends before it starts, and says so") {
    rig r;
    const auto id = r.held("clip-me");
    const auto expires = r.field(id, "expiresAt");
    const auto version = r.field(id, "version");
    // Starts in 15 s, lasts an hour: the hold (basket lifetime minus margin, minutes) would end inside.
    const auto start = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + 15s);
    r.set_windows(one_off("close", start, start + 1h), false);
    // Clipped to the release lead (5 s) before the start; the channel sees a new version.
    REQUIRE(wait_until([&] { return r.field(id, "expiresAt") == iso(start - 5s); }, 10s, 20ms));
    CHECK(r.field(id, "version") != version);
    CHECK(r.field(id, "expiresAt") != expires);
    auto h = uds_request(r.sock, "GET", "/v1/reservations/" + id + "/history");
    REQUIRE(h);
    CHECK(h->body.find("before a do-not-transact window") != std::string::npos);
    auto w = r.health_window();
    CHECK(json_get(w, "inside") == "false");
    CHECK(json_get(w, "next.name") == "close");
    CHECK(json_get(w, "next.start") == iso(start));
    // Released while writes still go: a release inside the window would wait an hour.
    REQUIRE(wait_until([&] {
        auto s = r.field(id, "state");
        return s == "expired" || s == "released";
    }, 30s, 50ms));
    auto baskets = tcp_request(r.sim.control_url, "GET", "/baskets?client=" + r.client);
    REQUIRE(baskets);
    CHECK(json_get(baskets->body, "0.tickets.0") == std::nullopt);
}
