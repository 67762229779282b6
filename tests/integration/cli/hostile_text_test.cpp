// agentctl as a process printing names and errors that carry terminal escape sequences: the
// table and plain text show them cleaned, JSON carries the data escaped, stderr stays inert.
#include "tests/integration/cli/ctl_fixture.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

const std::string k_hostile = "Ham\x1b]0;pwned\x07let\x1b[2J";

bool inert(const std::string& s) {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
    return true;
}

}  // namespace

TEST_CASE("a hostile event name prints clean in tables and plain text") {
    running_server srv;
    srv.be.event_name = k_hostile;

    auto e = ctl(srv, {"events", "--client", "royalcourt"});
    REQUIRE_MESSAGE(e.code == 0, e.err);
    CHECK(e.has("royalcourt  1201AVC  Hamlet  2026-12-01 19:30Z"));
    CHECK(inert(e.out));

    auto i = ctl(srv, {"instances", "--client", "royalcourt"});
    REQUIRE_MESSAGE(i.code == 0, i.err);
    CHECK(i.has("royalcourt  67201AVC  Hamlet  2026-12-01 19:30"));
    CHECK(inert(i.out));

    auto one = ctl(srv, {"instance", "royalcourt", "67201AVC"});
    REQUIRE_MESSAGE(one.code == 0, one.err);
    CHECK(one.has("  event        Hamlet (1201AVC)\n"));
    CHECK(inert(one.out));
}

TEST_CASE("JSON output carries the hostile name escaped, unchanged as data") {
    running_server srv;
    srv.be.event_name = k_hostile;
    auto j = ctl(srv, {"events", "--client", "royalcourt", "--json"});
    REQUIRE_MESSAGE(j.code == 0, j.err);
    CHECK(inert(j.out));
    auto ev = api::from_json<std::vector<api::event>>(j.out);
    REQUIRE(ev.has_value());
    REQUIRE(ev->size() == 1);
    CHECK(ev->at(0).name == k_hostile);
}

TEST_CASE("error messages quoting hostile text reach stderr inert and on one line") {
    running_server srv;
    auto r = ctl(srv, {"events", "--client", "no\x1b[2J\nsuch\x1b]0;x\x07"});
    CHECK(r.code == 5);
    CHECK(r.err_has("not found: list events: unknown client no such\n"));
    CHECK(inert(r.err));
}
