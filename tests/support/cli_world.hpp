// tests/support/cli_world: agentd on agentd-sim's small world, both as processes, reached through
// the agentctl binary — the start-up the agentctl end-to-end tests share. Header-only.
// Not thread-safe: one test thread.
#pragma once

#include "agentd/api/json.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace agentd::test {

struct cli_world {
    // Declared in destruction order's reverse: the daemon stops before the simulator, and both
    // before their directory goes.
    temp_dir dir;
    sim_process sim;
    std::string config;
    std::unique_ptr<child_process> daemon;

    // agentctl --config <this daemon's config> args…
    ctl_result ctl(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--config", config});
        return agentctl(std::move(args));
    }

    // Starts (or restarts) the daemon and waits, through `agentctl status`, until its initial
    // sync is complete; a daemon that does not get there fails the test with its log.
    void start_synced() {
        using namespace std::chrono_literals;
        daemon = start_daemon(dir, config);
        REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 20s));
        bool synced = wait_until(
            [&] {
                auto h = api::from_json<api::health>(ctl({"status", "--json"}).out);
                return h.has_value() && h->sync.initial_complete;
            },
            45s, 100ms);
        REQUIRE_MESSAGE(synced, read_file(dir.file("agentd.log")));
    }

    std::string first_client() const {
        REQUIRE_FALSE(sim.clients.empty());
        return sim.clients[0].name;
    }

    // The first instance of `client` on sale, not cancelled, with at least `seats` available,
    // as agentctl shows it (with its prices); fails the test when there is none.
    api::instance on_sale_instance(const std::string& client, std::int64_t seats) const {
        auto list = api::from_json<std::vector<api::instance_summary>>(ctl({"instances", "--client", client, "--json"}).out);
        REQUIRE(list.has_value());
        std::string id;
        for (auto& i : *list)
            if (id.empty() && i.on_sale && !i.cancelled && i.available >= seats) id = i.id;
        REQUIRE_FALSE(id.empty());
        auto inst = api::from_json<api::instance>(ctl({"instance", client, id, "--json"}).out);
        REQUIRE(inst.has_value());
        REQUIRE_FALSE(inst->prices.empty());
        return *inst;
    }
};

// A small world and the daemon's config for it; the daemon is not started yet.
inline std::unique_ptr<cli_world> make_cli_world() {
    auto w = std::make_unique<cli_world>();
    w->sim = start_sim(w->dir, {"--size", "small"});
    REQUIRE_FALSE(w->sim.clients.empty());
    w->config = write_daemon_config(w->dir, w->sim);
    return w;
}

}  // namespace agentd::test
