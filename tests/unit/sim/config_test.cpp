#include "sim/config.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace agentd;
using namespace agentd::sim;

namespace {

std::string write_temp(const std::string& text) {
    char name[] = "/tmp/simcfgXXXXXX";
    int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    std::FILE* f = fdopen(fd, "w");
    std::fputs(text.c_str(), f);
    std::fclose(f);
    return name;
}

result<settings> parse(std::vector<std::string> args) {
    std::vector<const char*> argv{"agentd-sim"};
    for (auto& a : args) argv.push_back(a.c_str());
    bool help = false;
    return parse_command_line(int(argv.size()), argv.data(), help);
}

}  // namespace

TEST_CASE("the shipped example config parses to the defaults") {
    const char* src = std::getenv("AGENTD_SOURCE_DIR");
    REQUIRE(src);
    settings s;
    auto r = apply_toml(s, std::string(src) + "/conf/sim.toml.example");
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
    settings d;
    CHECK(s.seed == d.seed);
    CHECK(s.size == d.size);
    CHECK(s.listen == d.listen);
    CHECK(s.rate == d.rate);
    CHECK(s.burst == d.burst);
    CHECK(s.basket_ttl == d.basket_ttl);
    CHECK(s.faults.empty());
}

TEST_CASE("faults, clients and switches come from TOML; flags win") {
    auto path = write_temp(R"(
size = "tiny"
rate = 3.0
ttl_mode = "absolute"
confirm_again = "not_found"
[[clients_config]]
name = "agentdemo"
accounts = [ { login = "TestAgent", secret = "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=" } ]
[[faults]]
endpoint = "confirm"
commit_drop = 0.25
latency_ms = 40
)");
    auto s = parse({"--config", path, "--rate", "7"});
    REQUIRE_MESSAGE(s.has_value(), s.error().message);
    CHECK(s->size == size_preset::tiny);
    CHECK(s->rate == 7);
    CHECK_FALSE(s->ttl_sliding);
    CHECK_FALSE(s->confirm_again_conflict);
    REQUIRE(s->client_overrides.size() == 1);
    CHECK(s->client_overrides[0].name == "agentdemo");
    REQUIRE(s->faults.size() == 1);
    CHECK(s->faults[0].endpoint == "confirm");
    CHECK(s->faults[0].client == "*");
    CHECK(s->faults[0].spec.commit_drop == 0.25);
    std::remove(path.c_str());

    auto bad = write_temp("[[faults]]\np500 = 1.5\n");
    auto b = parse({"--config", bad});
    CHECK_FALSE(b.has_value());
    std::remove(bad.c_str());
    auto broken = write_temp("size = \n");
    CHECK_FALSE(parse({"--config", broken}).has_value());
    std::remove(broken.c_str());
    CHECK_FALSE(parse({"--config", "/nonexistent/sim.toml"}).has_value());
}

TEST_CASE("the book-breaking faults come from TOML; a bad one names its field") {
    auto path = write_temp(R"(
[[faults]]
endpoint = "writes"
late_apply = 1.0
late_mode = "hold"
late_apply_ms = 250
late_hold_ms = 5000
nth = 2
persist = true
[[faults]]
endpoint = "confirm"
p500_after_commit = 0.5
p503_after_commit = 0.25
)");
    auto s = parse({"--config", path});
    REQUIRE_MESSAGE(s.has_value(), s.error().message);
    REQUIRE(s->faults.size() == 2);
    auto& late = s->faults[0];
    CHECK(late.endpoint == "writes");
    CHECK(late.spec.late_apply == 1);
    CHECK(late.spec.late == late_mode::hold);
    CHECK(late.spec.late_apply_ms == 250);
    CHECK(late.spec.late_hold_ms == 5000);
    CHECK(late.nth == 2);
    CHECK(late.persist);
    CHECK(s->faults[1].spec.p500_after_commit == 0.5);
    CHECK(s->faults[1].spec.p503_after_commit == 0.25);
    std::remove(path.c_str());

    for (const char* text : {"[[faults]]\nlate_mode = \"later\"\n", "[[faults]]\nnth = 0\n", "[[faults]]\npersist = true\n",
                             "[[faults]]\nlate_apply = 2\n", "[[faults]]\nendpoint = \"confirms\"\n", "[[faults]]\nlate = 1\n"}) {
        CAPTURE(text);
        auto bad = write_temp(text);
        auto b = parse({"--config", bad});
        CHECK_FALSE(b.has_value());
        std::remove(bad.c_str());
    }
}

TEST_CASE("flags are checked") {
    CHECK(parse({"--size", "large", "--seed", "9", "--listen", "127.0.0.1:0"}).has_value());
    CHECK_FALSE(parse({"--size", "huge"}).has_value());
    CHECK_FALSE(parse({"--seed", "x"}).has_value());
    CHECK_FALSE(parse({"--rate"}).has_value());
    CHECK_FALSE(parse({"--tls-cert", "a.pem"}).has_value());
    CHECK_FALSE(parse({"--seat-status", "maybe"}).has_value());
    CHECK_FALSE(parse({"--nope", "1"}).has_value());
    auto s = parse({"--seat-status", "off", "--clients", "5", "--time-scale", "60", "--public-sales-rate", "2"});
    REQUIRE(s.has_value());
    CHECK_FALSE(s->seat_status);
    CHECK(s->clients == 5);
    CHECK(s->time_scale == 60);
    CHECK(s->public_sales_rate == 2);
    CHECK(!usage().empty());
}
