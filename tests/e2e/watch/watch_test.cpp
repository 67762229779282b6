// agentctl watch as a process against agentd on agentd-sim: every state of a reservation from
// queued to confirmed appears as its own line with the event's name, each once, and after the
// daemon is restarted the same watch resumes and shows the next reservation.
#include "tests/support/cli_world.hpp"

#include <csignal>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

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
    auto world = make_cli_world();
    auto& w = *world;
    auto& dir = w.dir;
    w.start_synced();
    const std::string client = w.first_client();
    const auto inst = w.on_sale_instance(client, 4);
    const std::string instance = inst.id;
    const std::string tt = inst.prices.at(0).ticket_type;
    const std::string& config = w.config;

    child_process watch({bin_dir() + "/agentctl", "--config", config, "watch", "--channel", "tests"}, dir.file("watch.err"),
                        {"NO_COLOR=1"});
    auto hold = api::from_json<api::reservation>(w.ctl({"hold", client, instance, "--best", "2", "--ticket-type", tt, "--json"}).out);
    REQUIRE(hold.has_value());
    REQUIRE(w.ctl({"wait", hold->id, "--state", "held", "--timeout", "30"}).code == 0);
    REQUIRE(w.ctl({"confirm", hold->id, "--first-name", "Ada", "--last-name", "Lovelace", "--address", "1 Main St",
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
    CHECK(seen.find("  " + client + "  " + inst.event_name + " ") != std::string::npos);
    CHECK(seen.find(", 2 seats") != std::string::npos);

    // Restart: the watch waits, reconnects from its last event, and shows only what is new.
    w.daemon->signal(SIGTERM);
    REQUIRE(w.daemon->wait(20s) == 0);
    REQUIRE(wait_until([&] { return read_file(dir.file("watch.err")).find("not reachable") != std::string::npos; }, 20s, 50ms));
    w.daemon = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 20s));
    // Recovery runs first after a start: create is refused (unavailable) until it is done.
    result<api::reservation> h2 = fail(errc::unavailable, "not tried");
    REQUIRE(wait_until(
        [&] {
            h2 = api::from_json<api::reservation>(
                w.ctl({"hold", client, instance, "--best", "1", "--ticket-type", tt, "--json"}).out);
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
