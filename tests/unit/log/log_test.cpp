#include "agentd/log/log.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace agentd;

namespace {
struct capture {
    std::vector<std::string> lines;
    capture() {
        log::set_writer([this](std::string_view l) { lines.emplace_back(l); });
    }
    ~capture() {
        log::set_writer(nullptr);
        log::configure({});
    }
};
}  // namespace

TEST_CASE("log lines carry level, subsystem, op and quoted fields") {
    capture c;
    log::configure({.min_level = log::level::debug, .journal_prefix = true});
    log::warn("sync", "apply", "slow apply", {{"client", "royal court"}, {"rows", 12}});
    REQUIRE(c.lines.size() == 1);
    CHECK(c.lines[0] == "<4>warn subsystem=sync op=apply msg=\"slow apply\" client=\"royal court\" rows=12");
}

TEST_CASE("levels below the minimum are dropped") {
    capture c;
    log::configure({.min_level = log::level::warn});
    log::info("x", "y", "hidden");
    log::debug("x", "y", "hidden");
    log::error("x", "y", "shown");
    CHECK(c.lines.size() == 1);
}

TEST_CASE("repeats are rate-limited") {
    capture c;
    log::configure({.min_level = log::level::info, .burst = 3});
    for (int i = 0; i < 10; ++i) log::info("net", "connect", "refused", {{"attempt", i}});
    CHECK(c.lines.size() == 3);
    log::info("net", "connect", "a different message");
    CHECK(c.lines.size() == 4);
}

TEST_CASE("secrets are redacted even when passed as a field") {
    capture c;
    log::configure({.min_level = log::level::info, .journal_prefix = true});
    secret key("c3VwZXItc2VjcmV0");
    log::info("upstream", "sign", "signed", {{"key", key}});
    REQUIRE(c.lines.size() == 1);
    CHECK(c.lines[0].find("c3VwZXItc2VjcmV0") == std::string::npos);
    CHECK(c.lines[0].find("key=[redacted]") != std::string::npos);
    CHECK(log::redact("abc") == "[redacted]");
}

TEST_CASE("control characters cannot forge log lines") {
    capture c;
    log::configure({.min_level = log::level::info, .journal_prefix = true});
    log::info("api", "req", "bad", {{"path", "/x\ninfo subsystem=fake"}});
    REQUIRE(c.lines.size() == 1);
    CHECK(c.lines[0].find('\n') == std::string::npos);
}
