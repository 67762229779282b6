// Which instances an event pool covers (docs/pools.md): the range of starts (inclusive bounds,
// open when absent), cancelled and off-sale instances, drain_before, and an on-sale grab that
// does not wait for the mirror to show the sale. Pure functions, no service.
#include "agentd/reservations/pools.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::reservations;
using namespace std::chrono_literals;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_days;

namespace {

sys_time at(int day, int hour) { return sys_days(2026y / 12 / day) + hours(hour); }

domain::event_instance inst(std::string id, std::optional<sys_time> start, bool on_sale = true, bool cancelled = false) {
    return {std::move(id), start, on_sale, cancelled};
}

pool_spec event_pool() {
    pool_spec p;
    p.name = "panto";
    p.client = "royalcourt";
    p.event = "E1";
    p.drain_before = hours(2);
    return p;
}

}  // namespace

TEST_CASE("an event pool's range takes starts within its inclusive bounds") {
    auto p = event_pool();
    CHECK(starts_in_range(p, at(1, 19)));
    CHECK(starts_in_range(p, std::nullopt));  // no range: any instance of the event
    p.from = at(5, 0);
    p.to = at(10, 19);
    CHECK_FALSE(starts_in_range(p, at(4, 23)));
    CHECK(starts_in_range(p, at(5, 0)));
    CHECK(starts_in_range(p, at(10, 19)));
    CHECK_FALSE(starts_in_range(p, at(10, 19) + seconds(1)));
    CHECK_FALSE(starts_in_range(p, std::nullopt));  // a bounded range never takes an unknown start
    p.to.reset();
    CHECK(starts_in_range(p, at(30, 12)));
    // An instance pool's "range" takes anything: it is matched by its instance id.
    pool_spec one;
    one.instance = "I1";
    one.from = at(5, 0);
    CHECK(starts_in_range(one, at(1, 0)));
}

TEST_CASE("an event pool covers the on-sale instances in range, not cancelled, not within drain_before") {
    auto p = event_pool();
    p.from = at(2, 0);
    p.to = at(20, 23);
    const sys_time now = at(3, 12);
    const std::vector<domain::event_instance> known = {
        inst("before-range", at(1, 19)),
        inst("draining", at(3, 13)),  // starts within drain_before (2h) of now
        inst("tonight", at(3, 19)),
        inst("off-sale", at(4, 19), false),
        inst("cancelled", at(5, 19), true, true),
        inst("later", at(6, 14)),
        inst("no-start", std::nullopt),  // a bounded range cannot place it
        inst("after-range", at(21, 19)),
    };
    CHECK(covered_instances(p, known, now) == std::vector<std::string>{"tonight", "later"});

    // An on-sale grab does not wait for the mirror to show the sale: upstream decides.
    p.fill_at = at(4, 10);
    CHECK(covered_instances(p, known, now) == std::vector<std::string>{"tonight", "off-sale", "later"});

    // Without a range an instance with no known start is taken (a past one is not: its start
    // is within drain_before); the order is the mirror's.
    auto open = event_pool();
    CHECK(covered_instances(open, known, now) == std::vector<std::string>{"tonight", "later", "no-start", "after-range"});
}
