// tests/e2e/pools/pool_world: agentd on agentd-sim's tiny world, both as real processes, with the
// helpers the pool end-to-end tests share (pools_test, locked_pools_test): pool configuration and
// reload, the daemon's /v1/pools rows, and the simulator's own view of baskets and requests.
// Header-only. Not thread-safe: one test thread.
#pragma once

#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace agentd::test {

using namespace std::chrono_literals;

struct pool_world {
    temp_dir dir;
    sim_process sim;
    std::string config, sock, client, instance, ticket_type;
    daemon_config_options opts;
    std::unique_ptr<child_process> daemon;

    explicit pool_world(std::vector<std::string> sim_args = {"--size", "tiny"}, std::string reservations_extra = {}) {
        sim = start_sim(dir, std::move(sim_args));
        opts.reservations_extra = std::move(reservations_extra);
        config = write_daemon_config(dir, sim, opts);
        daemon = start_daemon(dir, config);
        sock = dir.file("agentd.sock");
        REQUIRE(wait_for_daemon(sock, 60s));
        client = sim.clients.at(0).name;
        const sellable sale = wait_sellable(sock, client);
        instance = sale.instance;
        ticket_type = sale.ticket_type;
    }

    // SIGKILLs the daemon and starts it again on the same configuration and database.
    void kill_and_restart() {
        daemon->signal(SIGKILL);
        REQUIRE(daemon->wait(10s));
        daemon = start_daemon(dir, config);
        REQUIRE(wait_for_daemon(sock, 60s));
    }

    std::string pool_block(const std::string& name, const std::string& sizes, const std::string& extra = {}) const {
        return "[[pool]]\nname = \"" + name + "\"\nclient = \"" + client + "\"\ninstance = \"" + instance +
               "\"\nticket_type = \"" + ticket_type + "\"\nsizes = \"" + sizes + "\"\n" + extra + "\n";
    }

    // Rewrites the configuration with `pools` (and a pool_max_seats for the client, if given)
    // and reloads the running daemon (SIGHUP).
    void set_pools(const std::string& pools, std::optional<int> cap = std::nullopt) {
        opts.extra = pools;
        config = write_daemon_config(dir, sim, opts);
        if (cap) {
            auto text = read_file(config);
            auto at = text.find("requests_per_minute");  // inside the first [[client]], ours
            REQUIRE(at != std::string::npos);
            text.insert(at, "pool_max_seats = " + std::to_string(*cap) + "\n");
            write_file(config, text, 0600);
        }
        daemon->signal(SIGHUP);
    }

    std::optional<std::string> pool_field(const std::string& name, const std::string& field) const {
        auto a = uds_request(sock, "GET", "/v1/pools");
        if (!a || a->status != 200) return std::nullopt;
        for (int i = 0, n = json_array_size(a->body, "pools"); i < n; ++i)
            if (json_get(a->body, "pools." + std::to_string(i) + ".name") == name)
                return json_get(a->body, "pools." + std::to_string(i) + "." + field);
        return std::nullopt;
    }
    long pool_count(const std::string& name, const std::string& field) const {
        auto v = pool_field(name, field);
        return v ? std::stol(*v) : -1;
    }

    // Baskets of the client upstream holding seats (the simulator releases expired ones first;
    // a cleared basket stays, empty).
    int sim_baskets() const {
        auto a = tcp_request(sim.control_url, "GET", "/baskets?client=" + client);
        if (!a || a->status != 200) return -1;
        int n = 0;
        for (int i = 0, all = json_array_size(a->body, ""); i < all; ++i)
            n += json_array_size(a->body, std::to_string(i) + ".tickets") > 0;
        return n;
    }
    int sim_basket_seats() const {
        auto a = tcp_request(sim.control_url, "GET", "/baskets?client=" + client);
        if (!a || a->status != 200) return -1;
        int seats = 0;
        for (int i = 0, n = json_array_size(a->body, ""); i < n; ++i)
            seats += json_array_size(a->body, std::to_string(i) + ".tickets");
        return seats;
    }
    // Requests the simulator answered for one endpoint key, any status.
    long sim_requests(const std::string& endpoint) const {
        auto a = tcp_request(sim.control_url, "GET", "/stats");
        if (!a || a->status != 200) return -1;
        long total = 0;
        for (int i = 0, n = json_array_size(a->body, "requests"); i < n; ++i) {
            const auto row = "requests." + std::to_string(i);
            if (json_get(a->body, row + ".endpoint") == endpoint) total += std::stol(*json_get(a->body, row + ".count"));
        }
        return total;
    }
    // Undrawn holds of a pool (its own channel), in states that keep or will keep a basket.
    std::set<std::string> pool_reservations(const std::string& name) const {
        std::set<std::string> ids;
        for (const char* state : {"queued", "placing", "held", "releasing"}) {
            auto a = uds_request(sock, "GET", "/v1/reservations?channel=pool:" + name + "&state=" + state);
            if (!a || a->status != 200) continue;
            for (int i = 0, n = json_array_size(a->body, "reservations"); i < n; ++i)
                ids.insert(*json_get(a->body, "reservations." + std::to_string(i) + ".id"));
        }
        return ids;
    }

    std::string event_pool_block(const std::string& name, const std::string& event, const std::string& sizes) const {
        return "[[pool]]\nname = \"" + name + "\"\nclient = \"" + client + "\"\nevent = \"" + event +
               "\"\nticket_type = \"" + ticket_type + "\"\nsizes = \"" + sizes + "\"\n\n";
    }
    // GET /v1/pools rows of one pool, by instance: the field asked for.
    std::map<std::string, std::string> pool_rows(const std::string& name, const std::string& field) const {
        std::map<std::string, std::string> out;
        auto a = uds_request(sock, "GET", "/v1/pools");
        if (!a || a->status != 200) return out;
        for (int i = 0, n = json_array_size(a->body, "pools"); i < n; ++i) {
            const auto row = "pools." + std::to_string(i);
            if (json_get(a->body, row + ".name") == name)
                out[json_get(a->body, row + ".instance").value_or("")] = json_get(a->body, row + "." + field).value_or("");
        }
        return out;
    }

    std::optional<http_answer> ask(const std::string& key, int quantity) const { return ask_for(instance, key, quantity); }
    std::optional<http_answer> ask_for(const std::string& inst, const std::string& key, int quantity) const {
        std::string body = R"({"client":")" + client + R"(","instance":")" + inst +
                           R"(","bestAvailable":{"quantity":)" + std::to_string(quantity) + R"(,"ticketType":")" +
                           ticket_type + R"("}})";
        return uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
    }
};

}  // namespace agentd::test
