// tests: runs the real agentd-sim binary (HTTPS with a throwaway CA) and builds upstream
// clients for its first client/account, plus an HTTP client for its /_sim control API.
#pragma once

#include "agentd/net/http_client.hpp"
#include "agentd/upstream/spektrix_client.hpp"
#include "tests/integration/upstream/canned_server.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/upstream/doctest_result.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace agentd::test {

struct sim_instance {
    std::unique_ptr<child_process> proc;
    std::string base_url, control_url, client, login, secret;
};

inline bool sim_available() { return std::filesystem::exists(bin_dir() + "/agentd-sim"); }

// Starts agentd-sim with TLS from `pki` (files written by make_test_pki) and waits for its
// ready line.
sim_instance start_sim(const temp_dir& pki, const std::string& cert, std::vector<std::string> extra);

struct sim_session {
    boost::asio::io_context ioc;
    std::unique_ptr<upstream::client_context> ctx;
    std::unique_ptr<upstream::client> client;
    std::unique_ptr<net::http_client> control;
    std::string control_prefix;  // "/_sim"

    sim_session(const sim_instance& sim, const std::string& ca_file, std::function<void(upstream::client_settings&)> tweak = {});

    // Sends an unsigned control request; returns the body (empty on failure).
    boost::asio::awaitable<std::string> control_call(std::string method, std::string what, std::string body = {});

    template <class F>
    void run(F f) {
        std::exception_ptr err;
        bool done = false;
        boost::asio::co_spawn(ioc, f(), [&](std::exception_ptr e) {
            err = e;
            done = true;
        });
        ioc.run_for(std::chrono::seconds(50));
        REQUIRE(done);
        if (err) std::rethrow_exception(err);
    }
};

}  // namespace agentd::test
