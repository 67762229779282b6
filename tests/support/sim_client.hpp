// Test-only HTTP client for agentd-sim: a blocking Beast client with its own Spektrix request
// signer (independent of both the simulator's checker and agentd's upstream signer), plus a
// handle on a running agentd-sim process and its ready line.
// Threading: one sim_client per thread; sim_process is used from the test thread.
#pragma once

#include "tests/support/process.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sim_test {

struct reply {
    int status = 0;  // 0: the connection failed or closed without an answer
    std::string body;
    std::map<std::string, std::string> headers;
    std::string error;
};

struct account {
    std::string login, secret;
};

std::string sign_request(const std::string& method, const std::string& url, const std::string& date,
                         const std::string& body, const std::string& secret_b64);
std::string http_date_now();

class sim_client {
public:
    // base_url like "http://127.0.0.1:1234"; ca_file for https.
    sim_client(std::string base_url, std::string client, account acc, std::string ca_file = {});
    ~sim_client();
    sim_client(sim_client&&) noexcept;
    sim_client& operator=(sim_client&&) noexcept;
    reply get(const std::string& path) { return call("GET", path, ""); }
    reply post(const std::string& path, const std::string& body) { return call("POST", path, body); }
    reply patch(const std::string& path, const std::string& body) { return call("PATCH", path, body); }
    reply del(const std::string& path, const std::string& body = "{}") { return call("DELETE", path, body); }
    // Signed call of {base}/{client}/api/v3/{path}.
    reply call(const std::string& method, const std::string& path, const std::string& body);
    // Unsigned request with a full origin-form target and extra headers.
    reply raw(const std::string& method, const std::string& target, const std::string& body,
              const std::vector<std::pair<std::string, std::string>>& headers = {});
    const std::string& api_root() const noexcept { return api_root_; }

private:
    struct conn;
    std::string base_, client_, api_root_, ca_;
    account acc_;
    std::unique_ptr<conn> conn_;
};

// Starts build/bin/agentd-sim with the given flags plus --listen 127.0.0.1:0 and reads its
// ready line.
class sim_process {
public:
    explicit sim_process(std::vector<std::string> flags, bool add_listen = true);
    std::string base_url, ready_line;
    std::string ca;  // CA file for https simulators
    std::vector<std::pair<std::string, std::vector<account>>> clients;
    agentd::test::child_process& proc() { return *proc_; }
    sim_client client(std::size_t client_index = 0, std::size_t account_index = 0, std::string ca = {}) const;
    // Unsigned /_sim/ helpers.
    reply control(const std::string& method, const std::string& what, const std::string& body = "") const;

private:
    std::unique_ptr<agentd::test::child_process> proc_;
};

}  // namespace sim_test
