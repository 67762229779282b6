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
