// sim/nodes: which agentd node drove each venue, as tenures; a clean handover has a gap, two
// nodes driving at once interleave with none.
#include "sim/nodes.hpp"

#include <doctest/doctest.h>

using namespace agentd::sim;
using namespace std::chrono_literals;

TEST_CASE("runs of one node's requests are tenures; a change of node is a handover with its gap") {
    node_log log;
    const auto t = node_log::clock::now();
    log.note("royalcourt", "n1", t);
    log.note("royalcourt", "n1", t + 100ms);
    log.note("royalcourt", "", t + 150ms);  // no header: not a node's request
    log.note("almeida", "n2", t + 200ms);
    log.note("royalcourt", "n2", t + 3100ms);
    REQUIRE(log.tenures().at("royalcourt").size() == 2);
    CHECK(log.tenures().at("royalcourt")[0].requests == 2);
    CHECK(log.tenures().at("almeida").size() == 1);
    REQUIRE(log.handovers().size() == 1);
    CHECK(log.handovers()[0].from == "n1");
    CHECK(log.handovers()[0].to == "n2");
    CHECK(log.handovers()[0].gap == 3000ms);
    CHECK(log.overlaps(300ms).empty());
}

TEST_CASE("two nodes sending for one venue at once show as handovers without a gap") {
    node_log log;
    const auto t = node_log::clock::now();
    for (int i = 0; i < 6; ++i) log.note("royalcourt", i % 2 ? "n1" : "n2", t + i * 10ms);
    CHECK(log.handovers().size() == 5);
    CHECK(log.overlaps(300ms).size() == 5);
    CHECK(log.overlaps(5ms).empty());
}
