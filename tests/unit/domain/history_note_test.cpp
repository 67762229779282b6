// domain::history_note: each transition's history sentence names what happened with the
// record's own figures (seats, deadline, basket and order ids shortened).
#include "agentd/domain/history_note.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;

namespace {

sys_time at(int h, int m) { return sys_time{} + std::chrono::hours(24 * 20000 + h) + std::chrono::minutes(m); }

std::string step(reservation& r, const event& e, sys_time now) {
    auto out = transition(r, e, now);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    r = out->next;
    return history_note(*out);
}

}  // namespace

TEST_CASE("history notes: queued to confirmed, in sentences") {
    auto r = make_reservation(at(12, 30));
    CHECK(step(r, ev::place_started{}, at(12, 30)) == "placing with Spektrix, attempt 1");
    CHECK(step(r, ev::basket_created{"14ATQ9XYZ", at(12, 30)}, at(12, 30)) == "basket 14AT\xE2\x80\xA6 created");
    std::vector<held_seat> seats = {{"53613", "1AHG", "t1", money{}, ""}, {"53614", "1AHG", "t2", money{}, ""}};
    CHECK(step(r, ev::placed{seats, at(12, 49), at(12, 31)}, at(12, 31)) == "2 seats held until 12:49Z");
    CHECK(step(r, ev::extend_requested{at(13, 5), at(12, 40)}, at(12, 40)) == "hold extended until 13:05Z");
    CHECK(step(r, ev::confirm_requested{end_customer{"Ada", "Lovelace", "1 Main St", "WEB-1042"}}, at(12, 41)) ==
          "confirm asked, reference WEB-1042");
    CHECK(step(r, ev::confirm_sending{}, at(12, 41)) == "order requested from Spektrix");
    auto note = step(r, ev::confirmed{"1AKP2XYZ", {"B1", "B2"}, "upstream_order", ""}, at(12, 42));
    CHECK(note == "order 1AKP\xE2\x80\xA6 confirmed, 2 barcodes");
    CHECK(note.find("Ada") == std::string::npos);  // no customer data in the history
}

TEST_CASE("history notes: failures and releases say why and how many") {
    auto r = make_reservation(at(12, 0));
    step(r, ev::place_started{}, at(12, 0));
    CHECK(step(r, ev::place_failed{"upstream timeout", true}, at(12, 0)) == "placing failed, queued again: upstream timeout");
    CHECK(step(r, ev::cancel_requested{}, at(12, 1)) == "cancelled before placing");
    CHECK(short_id("ABC") == "ABC");
    CHECK(short_id("ABCDE") == "ABCD\xE2\x80\xA6");
}

TEST_CASE("history notes: a rejection and a release") {
    auto r = make_reservation(at(12, 0));
    step(r, ev::place_started{}, at(12, 0));
    CHECK(step(r, ev::place_failed{"seats no longer available", false}, at(12, 0)) == "rejected: seats no longer available");
    auto h = make_reservation(at(12, 0));
    step(h, ev::place_started{}, at(12, 0));
    step(h, ev::basket_created{"B1", at(12, 0)}, at(12, 0));
    step(h, ev::placed{{{"53613", "1AHG", "t1", money{}, ""}}, at(12, 20), at(12, 0)}, at(12, 0));
    CHECK(step(h, ev::release_requested{}, at(12, 1)) == "release asked, releasing 1 seat");
    CHECK(step(h, ev::released{}, at(12, 2)) == "1 seat released");
}
