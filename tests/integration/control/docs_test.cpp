// Runs every `curl --unix-socket` example of docs/local-api.md against a real server over the
// fake backend and checks each gets a successful answer. With AGENTD_DOC_DUMP=1 it prints each
// command's full answer (used to refresh the examples in the document).
#include "server_fixture.hpp"

#include "agentd/api/json.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

using namespace agentd;
using namespace agentd::test;

namespace {

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

}  // namespace

TEST_CASE("every curl example in docs/local-api.md works") {
    if (std::system("curl --version >/dev/null 2>&1") != 0) {
        MESSAGE("curl not installed; skipping");
        return;
    }
    auto doc = read_file(source_dir() + "/docs/local-api.md");
    REQUIRE(!doc.empty());
    running_server s([](control::server_settings& st) { st.longpoll_max = std::chrono::seconds(1); });
    // The examples act on r_1 (held by then) and create r_2.
    auto first = s.be.create_now("ops", "seed", *api::from_json<api::reservation_request>(k_order));
    REQUIRE(first.has_value());
    REQUIRE(s.be.transition(first->reservation.id, "held").has_value());

    bool dump = std::getenv("AGENTD_DOC_DUMP") != nullptr;
    std::istringstream lines(doc);
    std::string line;
    int examples = 0;
    while (std::getline(lines, line)) {
        if (!line.starts_with("curl ")) continue;
        // Continuation lines ("\" at the end) belong to the same command.
        while (!line.empty() && line.back() == '\\') {
            std::string more;
            if (!std::getline(lines, more)) break;
            line.pop_back();
            line += more;
        }
        ++examples;
        auto cmd = line;
        replace_all(cmd, "/run/agentd/agentd.sock", s.path);
        auto answer = run(cmd + " -s -i --max-time 2 2>/dev/null");
        if (dump) std::printf("$ %s\n%s\n@@END@@\n", line.c_str(), answer.c_str());
        CHECK_MESSAGE(answer.starts_with("HTTP/1.1 2"), line << " -> " << answer.substr(0, answer.find('\r')));
    }
    CHECK(examples >= 17);
}
