// Hold deadlines against wall-clock steps: the daemon's wall clock is stepped through
// AGENTD_CLOCK_STEP_FILE while it holds seats. A step forward must not release a hold early; a
// step back must not keep it past the basket lifetime (upstream's clock did not move). Steps
// stay inside the simulator's signature clock tolerance (300 s), as a real NTP correction would.
#include "tests/support/harness.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

struct stepped_daemon {
    temp_dir dir;
    sim_process sim = start_sim(dir);
    std::string step_file = dir.file("clock-step");
    std::string sock = dir.file("agentd.sock");
    std::string client, instance, ticket_type;
    std::unique_ptr<child_process> d;

    explicit stepped_daemon(const std::string& reservations_extra) {
        write_file(step_file, "0\n");
        daemon_config_options o;
        o.reservations_extra = reservations_extra;
        auto config = write_daemon_config(dir, sim, o);
        d = start_daemon(dir, config, {"AGENTD_CLOCK_STEP_FILE=" + step_file});
        REQUIRE(wait_for_daemon(sock, 60s));
        client = sim.clients.at(0).name;
        REQUIRE(wait_until([&] { return pick(); }, 60s, 50ms));
    }
    ~stepped_daemon() {
        d->signal(SIGTERM);
        (void)d->wait(30s);
    }
    bool pick() {
        auto a = uds_request(sock, "GET", "/v1/clients/" + client + "/instances");
        if (!a || a->status != 200) return false;
        for (int i = 0; i < json_array_size(a->body, "instances"); ++i) {
            auto row = "instances." + std::to_string(i);
            if (json_get(a->body, row + ".onSale") != "true" || json_get(a->body, row + ".cancelled") != "false") continue;
            auto id = *json_get(a->body, row + ".id");
            auto detail = uds_request(sock, "GET", "/v1/clients/" + client + "/instances/" + id);
            auto tt = detail ? json_get(detail->body, "prices.0.ticketType") : std::nullopt;
            if (!tt) continue;
            instance = id;
            ticket_type = *tt;
            return true;
        }
        return false;
    }
    std::string hold(const std::string& key) {
        std::string body = R"({"client":")" + client + R"(","instance":")" + instance +
                           R"(","bestAvailable":{"quantity":1,"ticketType":")" + ticket_type + R"("}})";
        auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
        REQUIRE(a);
        REQUIRE(a->status == 202);
        auto id = *json_get(a->body, "id");
        const bool held = wait_until([&] { return state(id) != "queued" && state(id) != "placing"; }, 60s, 20ms) &&
                          state(id) == "held";
        if (!held) {
            auto r = uds_request(sock, "GET", "/v1/reservations/" + id);
            FAIL("reservation did not become held: " << (r ? r->body : std::string("no answer")));
        }
        return id;
    }
    std::optional<std::string> field(const std::string& id, const std::string& name) {
        auto a = uds_request(sock, "GET", "/v1/reservations/" + id);
        return a && a->status == 200 ? json_get(a->body, name) : std::nullopt;
    }
    std::string state(const std::string& id) { return field(id, "state").value_or("?"); }
};

}  // namespace

TEST_CASE("a wall-clock step forward does not release a hold early") {
    // A one-minute lifetime and no margin: by the wall clock the hold ends 60 s after the add.
    stepped_daemon t("basket_lifetime = \"1m\"\nexpiry_margin = \"0s\"\n");
    auto a = t.hold("step-a");
    const auto version = *t.field(a, "version");
    const auto created_a = *t.field(a, "createdAt");
    write_file(t.step_file, "240\n");  // four minutes ahead: past A's wall deadline
    // The step is in effect once a new reservation is stamped minutes later.
    std::string b;
    REQUIRE(wait_until(
        [&] {
            b = t.hold("step-b-" + std::to_string(std::rand()));
            return t.field(b, "createdAt").value_or("").substr(0, 16) > created_a.substr(0, 16);
        },
        30s, 50ms));
    // Several expiry passes (every 250 ms) run while we wait for A to change: it must not.
    auto w = uds_request(t.sock, "GET", "/v1/reservations/" + a + "?wait=2&version=" + version, "", {}, 10s);
    REQUIRE(w);
    CHECK(json_get(w->body, "state") == "held");
    CHECK(json_get(w->body, "version") == version);
}

TEST_CASE("a wall-clock step back does not keep a hold past its basket lifetime") {
    // A one-minute basket lifetime and no margin: the hold ends about 60 s after the add.
    stepped_daemon t("basket_lifetime = \"1m\"\nexpiry_margin = \"0s\"\n");
    auto a = t.hold("back-a");
    write_file(t.step_file, "-240\n");  // four minutes back: by the wall clock the deadline is 5 min away
    // Monotonic: about 60 s. Had the wall clock governed, 300 s.
    CHECK(wait_until([&] { return t.state(a) == "expired"; }, 150s, 200ms));
}
