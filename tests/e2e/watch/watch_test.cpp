// agentctl watch as a process against agentd on agentd-sim: every state of a reservation from
// queued to confirmed appears as its own line with the event's name, each once, and after the
// daemon is restarted the same watch resumes and shows the next reservation.
#include "agentd/api/json.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/harness.hpp"

#include <csignal>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

ctl_result ctl(const std::string& config, std::vector<std::string> args) {
    args.insert(args.begin(), {"--config", config});
    return agentctl(std::move(args));
}

// Reads watch lines until one contains `needle`; every line read is appended to `seen`.
bool read_until(child_process& w, const std::string& needle, std::string& seen) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto l = w.read_line(5s);
        if (!l) continue;
        seen += *l + "\n";
        if (l->find(needle) != std::string::npos) return true;
    }
    return false;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("watch follows a reservation to confirmed and resumes after a daemon restart") {
    temp_dir dir;
    auto sim = start_sim(dir, {"--size", "small"});
    REQUIRE_FALSE(sim.clients.empty());
    auto config = write_daemon_config(dir, sim);
    auto daemon = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 20s));
    bool synced = wait_until(
        [&] {
            auto h = api::from_json<api::health>(ctl(config, {"status", "--json"}).out);
            return h.has_value() && h->sync.initial_complete;
        },
        45s, 100ms);
    REQUIRE_MESSAGE(synced, read_file(dir.file("agentd.log")));
    const std::string client = sim.clients[0].name;
    auto inj = api::from_json<std::vector<api::instance_summary>>(ctl(config, {"instances", "--client", client, "--json"}).out);
    REQUIRE(inj.has_value());
    std::string instance;
    for (auto& i : *inj)
        if (instance.empty() && i.on_sale && !i.cancelled && i.available >= 4) instance = i.id;
    REQUIRE_FALSE(instance.empty());
    auto inst = api::from_json<api::instance>(ctl(config, {"instance", client, instance, "--json"}).out);
    REQUIRE(inst.has_value());
    const std::string tt = inst->prices.at(0).ticket_type;

    child_process watch({bin_dir() + "/agentctl", "--config", config, "watch", "--channel", "tests"}, dir.file("watch.err"),
                        {"NO_COLOR=1"});
    auto hold = api::from_json<api::reservation>(ctl(config, {"hold", client, instance, "--best", "2", "--ticket-type", tt, "--json"}).out);
    REQUIRE(hold.has_value());
    REQUIRE(ctl(config, {"wait", hold->id, "--state", "held", "--timeout", "30"}).code == 0);
    REQUIRE(ctl(config, {"confirm", hold->id, "--first-name", "Ada", "--last-name", "Lovelace", "--address", "1 Main St",
                         "--reference", "WEB-7"})
                .code == 0);
    std::string seen;
    REQUIRE_MESSAGE(read_until(watch, "reservation " + hold->id + "  confirmed", seen), seen << read_file(dir.file("watch.err")));
    // Each state once, in order, each line naming the client and the event.
    std::size_t at = 0;
    for (auto* st : {"queued", "placing", "held", "confirming", "confirmed"}) {
        auto p = seen.find("reservation " + hold->id + "  " + st + "  ", at);
        CHECK_MESSAGE(p != std::string::npos, st << " missing or out of order in\n" << seen);
        if (p != std::string::npos) at = p;
    }
    CHECK(count(seen, hold->id + "  confirmed  ") == 1);
    CHECK(seen.find("  " + client + "  " + inst->event_name + " ") != std::string::npos);
    CHECK(seen.find(", 2 seats") != std::string::npos);

    // Restart: the watch waits, reconnects from its last event, and shows only what is new.
    daemon->signal(SIGTERM);
    REQUIRE(daemon->wait(20s) == 0);
    REQUIRE(wait_until([&] { return read_file(dir.file("watch.err")).find("not reachable") != std::string::npos; }, 20s, 50ms));
    daemon = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 20s));
    // Recovery runs first after a start: create is refused (unavailable) until it is done.
    result<api::reservation> h2 = fail(errc::unavailable, "not tried");
    REQUIRE(wait_until(
        [&] {
            h2 = api::from_json<api::reservation>(
                ctl(config, {"hold", client, instance, "--best", "1", "--ticket-type", tt, "--json"}).out);
            return h2.has_value();
        },
        30s, 200ms));
    std::string after;
    REQUIRE_MESSAGE(read_until(watch, "reservation " + h2->id + "  held", after), after << read_file(dir.file("watch.err")));
    CHECK(after.find(hold->id) == std::string::npos);  // nothing from before the restart again
    CHECK(read_file(dir.file("watch.err")).find("agentd is back; resuming after event ") != std::string::npos);
    watch.signal(SIGTERM);
    watch.wait(10s);
}
