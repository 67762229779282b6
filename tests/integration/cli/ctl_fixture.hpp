// agentctl against a real control::server on a temp socket over the in-memory fake backend
// (tests/integration/control/server_fixture.hpp), for the commands' process-level tests before
// and besides the real daemon (tests/e2e/cli). Not thread-safe: one test thread.
#pragma once

#include "tests/integration/control/server_fixture.hpp"
#include "tests/support/cli_run.hpp"

namespace agentd::test {

// agentctl against `srv`'s socket.
inline ctl_result ctl(const running_server& srv, std::vector<std::string> args) {
    args.insert(args.begin(), {"--socket", srv.path});
    return agentctl(std::move(args));
}

}  // namespace agentd::test
