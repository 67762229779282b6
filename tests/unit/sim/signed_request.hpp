// Test-only: a request to the in-process simulator's API, signed by one of its accounts as a
// client would sign it, so the handler tests share one signer instead of each copying it.
// Threading: a pure function; call from any thread.
#pragma once

#include "sim/signature.hpp"
#include "sim/simulator.hpp"

#include "agentd/core/time.hpp"

#include <chrono>
#include <string>

namespace agentd::sim::test {

inline http_request signed_request(const client& c, const account& acc, std::string method, const std::string& path,
                                   std::string body) {
    http_request r;
    r.target = "/" + c.name + "/api/v3/" + path;
    r.host = "sim.test";
    r.date = format_rfc1123(std::chrono::system_clock::now());
    r.authorization = "SpektrixAPI3 " + acc.login + ":" +
                      sign(acc.key, string_to_sign(method, "http://sim.test" + r.target, r.date, body));
    r.method = std::move(method);
    r.body = std::move(body);
    return r;
}

}  // namespace agentd::sim::test
