// The per-seat change check of the availability poll (mirror/seat_diff.hpp): only changed
// seats are written, and a seat re-locked under another lock type is one of them even when the
// two types share the 5-bit tag the per-seat byte keeps.
#include "agentd/mirror/seat_diff.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <utility>

using namespace agentd;
using agentd::upstream::seat_state;

namespace {

upstream::seat_status seat(std::string id, seat_state st, std::string lock = {}) {
    upstream::seat_status s;
    s.id = std::move(id);
    s.status = st;
    s.lock_type = std::move(lock);
    return s;
}

// Two lock type ids whose tags collide (there are only 31 tags), found rather than assumed.
std::pair<std::string, std::string> colliding_lock_types() {
    for (int a = 1; a < 1000; ++a)
        for (int b = a + 1; b < 1000; ++b)
            if (mirror::seat_state_byte(seat("s", seat_state::locked, std::to_string(a))) ==
                mirror::seat_state_byte(seat("s", seat_state::locked, std::to_string(b))))
                return {std::to_string(a), std::to_string(b)};
    return {};
}

}  // namespace

TEST_CASE("seat diff: everything without a comparable poll, then only the seats that changed") {
    const std::vector<upstream::seat_status> first{seat("1", seat_state::available), seat("2", seat_state::sold),
                                                   seat("3", seat_state::locked, "7")};
    const auto p1 = mirror::picture_of(first);
    CHECK(mirror::changed_seats(nullptr, p1) == std::vector<std::size_t>{0, 1, 2});
    CHECK(mirror::changed_seats(&p1, p1).empty());

    auto second = first;
    second[0].status = seat_state::in_basket;
    const auto p2 = mirror::picture_of(second);
    CHECK(mirror::changed_seats(&p1, p2) == std::vector<std::size_t>{0});

    // Another order (a seat added upstream): nothing to compare by position.
    auto reordered = first;
    std::swap(reordered[0], reordered[1]);
    CHECK(mirror::changed_seats(&p1, mirror::picture_of(reordered)).size() == 3);
}

TEST_CASE("seat diff: a seat staying Locked under another lock type is written, also when the tags collide") {
    const auto [a, b] = colliding_lock_types();
    REQUIRE_FALSE(a.empty());
    CHECK(mirror::seat_state_byte(seat("s", seat_state::locked, a)) == mirror::seat_state_byte(seat("s", seat_state::locked, b)));

    const std::vector<upstream::seat_status> before{seat("1", seat_state::available), seat("2", seat_state::locked, a),
                                                    seat("3", seat_state::locked, "house")};
    auto after = before;
    after[1].lock_type = b;
    const auto p1 = mirror::picture_of(before), p2 = mirror::picture_of(after);
    const auto changed = mirror::changed_seats(&p1, p2);
    // Seat 2 is among them; the open seat is not (locked seats are rewritten only as a set).
    CHECK(std::find(changed.begin(), changed.end(), 1u) != changed.end());
    CHECK(std::find(changed.begin(), changed.end(), 0u) == changed.end());

    // A lock type whose tag differs is found by its byte alone.
    auto other = before;
    other[2].lock_type = "another";
    if (mirror::seat_state_byte(other[2]) != mirror::seat_state_byte(before[2]))
        CHECK(mirror::changed_seats(&p1, mirror::picture_of(other)).size() >= 1);
}
