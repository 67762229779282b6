// tests/support/harness: start agentd-sim and agentd as real processes for integration and
// e2e tests: parse the simulator's ready line, write an agentd.toml (with 0600 secret files)
// for its clients, start the daemon and wait on its socket. Plain HTTP helpers over TCP and
// Unix sockets so tests can check answers without sharing the daemon's client code.
// Not thread-safe: one test thread owns a harness.
#pragma once

#include "tests/support/process.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace agentd::test {

struct sim_account {
    std::string login, secret;
};
struct sim_client_info {
    std::string name;
    std::vector<sim_account> accounts;
};

struct sim_process {
    std::unique_ptr<child_process> proc;
    std::string ready_line, base_url, control_url;
    std::vector<sim_client_info> clients;
};

// Starts build/bin/agentd-sim with --listen 127.0.0.1:0 and `args`; waits for its ready line.
sim_process start_sim(const temp_dir& dir, std::vector<std::string> args = {"--size", "tiny"});

struct daemon_config_options {
    std::string channel = "tests";
    std::string role = "admin";                 // the test process's uid is mapped to it
    std::string sync_extra;                     // TOML lines added to [sync]
    std::string reservations_extra;             // TOML lines added to [reservations]
    std::string daemon_extra;                   // TOML lines added to [daemon]
    std::string channel_extra;                  // TOML lines added to the test's [[channel]]
    std::string extra;                          // TOML appended at the end
    std::int64_t requests_per_minute = 60000;
};

// Writes <dir>/agentd.toml for the simulator's clients; returns its path.
std::string write_daemon_config(const temp_dir& dir, const sim_process& sim, const daemon_config_options& o = {});

// Starts build/bin/agentd --config <config>; stderr goes to <dir>/agentd.log.
std::unique_ptr<child_process> start_daemon(const temp_dir& dir, const std::string& config,
                                            std::vector<std::string> extra_env = {});

struct http_answer {
    int status = 0;
    std::string body;
    std::string headers;
};

// One HTTP/1.1 request with Connection: close over a Unix socket or TCP; nullopt when the
// connection fails or no complete answer arrives before the timeout.
std::optional<http_answer> uds_request(const std::string& socket_path, const std::string& method,
                                       const std::string& target, const std::string& body = {},
                                       std::vector<std::string> headers = {},
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
std::optional<http_answer> tcp_request(const std::string& base_url, const std::string& method, const std::string& target,
                                       const std::string& body = {},
                                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Waits until GET /v1/health answers 200 on the socket.
bool wait_for_daemon(const std::string& socket_path, std::chrono::milliseconds timeout);

// The first on-sale, not-cancelled instance of `client` whose price list has landed, with its
// first ticket type; nullopt until the mirror has one (it lists instances before their prices).
struct sellable {
    std::string instance, ticket_type;
};
std::optional<sellable> sellable_instance(const std::string& socket_path, const std::string& client);
// Waits for sellable_instance(); throws (failing the test) when none comes within `timeout`.
sellable wait_sellable(const std::string& socket_path, const std::string& client,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Reads a top-level or nested JSON value as text: json_get(body, "sync.instancesDone").
// Strings are returned without quotes; arrays/objects as compact JSON. nullopt when absent.
std::optional<std::string> json_get(const std::string& json, const std::string& dotted_path);
// Number of elements of the array at `dotted_path` ("" = the document itself), or -1.
int json_array_size(const std::string& json, const std::string& dotted_path);

}  // namespace agentd::test
