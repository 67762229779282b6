#include "agentd/domain/seat_choice.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;

namespace {

const sys_time t0 = sys_time{} + std::chrono::hours(24 * 365 * 50);

reservation_request best(int n, std::string band = "") {
    reservation_request r;
    r.client = "c";
    r.instance = "i";
    r.best_available = best_available_request{n, "TT", std::move(band), ""};
    return r;
}

seat_snapshot picture(sys_time at, std::vector<std::string> ids, std::string band = "B1") {
    seat_snapshot s;
    s.as_of = at;
    for (auto& id : ids) s.free.push_back({id, "A1", band});
    return s;
}

const local_settings ten{std::chrono::seconds(10)};

}  // namespace

TEST_CASE("a young picture whose free seats agentd holds proves sold out") {
    local_claims c;
    c.held = {"s1", "s2"};
    const auto snap = picture(t0, {"s1", "s2"});
    CHECK(judge_locally(best(1), c, &snap, {}, t0 + std::chrono::seconds(3), ten) == local_verdict::sold_out);
    // One seat left: a request for two is sold out, for one it may win.
    c.held = {"s1"};
    CHECK(judge_locally(best(2), c, &snap, {}, t0 + std::chrono::seconds(3), ten) == local_verdict::sold_out);
    CHECK(judge_locally(best(1), c, &snap, {}, t0 + std::chrono::seconds(3), ten) == local_verdict::go_upstream);
}

TEST_CASE("an old picture, one from before agentd freed seats, or a stepped clock prove nothing") {
    local_claims c;
    c.held = {"s1"};
    const auto snap = picture(t0, {"s1"});
    CHECK(judge_locally(best(1), c, &snap, {}, t0 + std::chrono::seconds(11), ten) == local_verdict::go_upstream);
    CHECK(judge_locally(best(1), c, &snap, {}, t0 - std::chrono::seconds(1), ten) == local_verdict::go_upstream);
    c.freed_at = t0 + std::chrono::seconds(1);
    CHECK(judge_locally(best(1), c, &snap, {}, t0 + std::chrono::seconds(2), ten) == local_verdict::go_upstream);
    CHECK(judge_locally(best(1), c, &snap, {}, t0 + std::chrono::seconds(2), {std::chrono::seconds(0)}) ==
          local_verdict::go_upstream);
    CHECK(judge_locally(best(1), c, nullptr, {}, t0, ten) == local_verdict::go_upstream);
}

TEST_CASE("seats that earlier placements may take make a request wait, not fail") {
    local_claims c;
    c.placing_quantity = 2;
    const auto snap = picture(t0, {"s1", "s2"});
    CHECK(judge_locally(best(1), c, &snap, {}, t0, ten) == local_verdict::wait);
    c.placing_quantity = 0;
    c.placing_seats = {"s1", "s2"};
    CHECK(judge_locally(best(1), c, &snap, {}, t0, ten) == local_verdict::wait);
    c.placing_seats = {"s1"};
    CHECK(judge_locally(best(1), c, &snap, {}, t0, ten) == local_verdict::go_upstream);
    c.placing_quantity = 1;
    CHECK(judge_locally(best(1), c, &snap, {}, t0, ten) == local_verdict::wait);
    c.placing_seats.clear();
    CHECK(judge_locally(best(1), c, &snap, {}, t0, ten) == local_verdict::go_upstream);
}

TEST_CASE("the band asked for narrows the picture") {
    local_claims c;
    auto snap = picture(t0, {"s1"}, "B1");
    CHECK(judge_locally(best(1, "B2"), c, &snap, {}, t0, ten) == local_verdict::sold_out);
    CHECK(judge_locally(best(1, "B1"), c, &snap, {}, t0, ten) == local_verdict::go_upstream);
}

TEST_CASE("upstream's 'not enough' answer covers the same or a narrower request, while young") {
    local_claims c;
    const std::vector<scarcity_proof> proofs{{t0, 2, "", ""}};
    CHECK(judge_locally(best(2), c, nullptr, proofs, t0 + std::chrono::seconds(1), ten) == local_verdict::sold_out);
    CHECK(judge_locally(best(3, "B1"), c, nullptr, proofs, t0 + std::chrono::seconds(1), ten) ==
          local_verdict::sold_out);
    CHECK(judge_locally(best(1), c, nullptr, proofs, t0 + std::chrono::seconds(1), ten) == local_verdict::go_upstream);
    CHECK(judge_locally(best(2), c, nullptr, proofs, t0 + std::chrono::seconds(11), ten) == local_verdict::go_upstream);
    const std::vector<scarcity_proof> banded{{t0, 1, "B1", ""}};
    CHECK(judge_locally(best(1), c, nullptr, banded, t0, ten) == local_verdict::go_upstream);
    c.freed_at = t0;
    CHECK(judge_locally(best(2), c, nullptr, proofs, t0 + std::chrono::seconds(1), ten) == local_verdict::go_upstream);
}

TEST_CASE("specific seats: held by agentd is sold out, being placed waits, unknown goes upstream") {
    reservation_request r;
    r.client = "c";
    r.instance = "i";
    r.tickets = {{"s1", "TT"}};
    local_claims c;
    const auto snap = picture(t0, {"s1"});
    CHECK(judge_locally(r, c, &snap, {}, t0, ten) == local_verdict::go_upstream);
    c.placing_seats = {"s1"};
    CHECK(judge_locally(r, c, &snap, {}, t0, ten) == local_verdict::wait);
    c.held = {"s1"};
    CHECK(judge_locally(r, c, &snap, {}, t0, ten) == local_verdict::sold_out);
    r.tickets = {{"area-9", "TT"}};
    CHECK(judge_locally(r, local_claims{}, &snap, {}, t0, ten) == local_verdict::go_upstream);
}

TEST_CASE("seats are chosen in plan order, skipping held and placing ones, only from a usable picture") {
    local_claims c;
    c.held = {"s1"};
    c.placing_seats = {"s3"};
    const auto snap = picture(t0, {"s1", "s2", "s3", "s4"});
    auto b = *best(2).best_available;
    CHECK(choose_seats(b, c, &snap, t0, ten) == std::vector<std::string>{"s2", "s4"});
    b.quantity = 3;
    CHECK(choose_seats(b, c, &snap, t0, ten).empty());
    b.quantity = 1;
    CHECK(choose_seats(b, c, &snap, t0 + std::chrono::seconds(11), ten).empty());
}

TEST_CASE("an allocation's seats: adjacent, of the lock types asked, never held or placing ones") {
    seat_snapshot s;
    s.as_of = t0;
    s.free = {{"open1", "A1", "B1"}, {"open2", "A1", "B1"}};
    // Row A: 1, 2 of lock L (3 is open), 4, 5, 6 of lock L; row B: 1, 2 of the house lock H.
    s.locked = {{"a1", "A1", "B1", "A", 1, "L"}, {"a2", "A1", "B1", "A", 2, "L"}, {"a4", "A1", "B2", "A", 4, "L"},
                {"a6", "A1", "B2", "A", 6, "L"}, {"a5", "A1", "B2", "A", 5, "L"}, {"b1", "A1", "B1", "B", 1, "H"},
                {"b2", "A1", "B1", "B", 2, "H"}};
    local_claims c;
    const auto two = *best(2).best_available;
    const auto three = *best(3).best_available;
    CHECK(choose_locked_seats(two, {"L"}, c, &s) == std::vector<std::string>{"a1", "a2"});
    CHECK(choose_locked_seats(three, {"L"}, c, &s) == std::vector<std::string>{"a4", "a5", "a6"});
    CHECK(choose_locked_seats(two, {"H"}, c, &s) == std::vector<std::string>{"b1", "b2"});
    CHECK(choose_locked_seats(two, {"X"}, c, &s).empty());  // never an open seat
    CHECK(choose_locked_seats(*best(4).best_available, {"L", "H"}, c, &s).empty());
    // Held and placing seats are left out; what remains must still be adjacent.
    c.held = {"a1"};
    c.placing_seats = {"a5"};
    CHECK(choose_locked_seats(two, {"L"}, c, &s).empty());
    CHECK(choose_locked_seats(two, {"L", "H"}, c, &s) == std::vector<std::string>{"b1", "b2"});
    // The band narrows it.
    c = {};
    CHECK(choose_locked_seats(*best(2, "B2").best_available, {"L"}, c, &s) == std::vector<std::string>{"a4", "a5"});
    CHECK(choose_locked_seats(two, {"L"}, c, nullptr).empty());
}
