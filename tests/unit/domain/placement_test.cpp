#include "agentd/domain/placement.hpp"

#include <doctest/doctest.h>

using namespace agentd::domain;

namespace {
using uf = upstream_failure;
using dk = decision_kind;
namespace code = upstream_code;

failure_decision place(uf f, int c = 0, request_form form = request_form::specific_seats) {
    return classify_failure(upstream_step::add_tickets, f, c, form);
}
failure_decision confirm(uf f, int c = 0, bool after = false) {
    return classify_failure(upstream_step::confirm, f, c, request_form::specific_seats, after);
}
failure_decision release(uf f) { return classify_failure(upstream_step::release, f, 0, request_form::specific_seats); }
failure_decision rej(reject_reason r) { return {dk::reject, r}; }
}  // namespace

TEST_CASE("placing failures") {
    CHECK(place(uf::not_sent) == failure_decision{dk::retry, {}});
    CHECK(place(uf::transient) == failure_decision{dk::retry, {}});
    CHECK(classify_failure(upstream_step::create_basket, uf::not_sent, 0, request_form::specific_seats).kind == dk::retry);
    // A create whose answer was lost made a basket nobody knows: it holds nothing and expires.
    CHECK(classify_failure(upstream_step::create_basket, uf::ambiguous, 0, request_form::specific_seats).kind == dk::retry);
    CHECK(place(uf::timeout).kind == dk::resolve_by_reading_back);
    CHECK(place(uf::ambiguous).kind == dk::resolve_by_reading_back);
    CHECK(classify_failure(upstream_step::create_basket, uf::timeout, 0, request_form::best_available).kind == dk::retry);
    CHECK(place(uf::conflict, code::seat_unavailable) == rej(reject_reason::unavailable));
    CHECK(place(uf::conflict, code::seat_unavailable, request_form::best_available) ==
          failure_decision{dk::retry, reject_reason::unavailable});
    CHECK(place(uf::conflict, code::best_available_impossible, request_form::best_available) ==
          rej(reject_reason::unavailable));
    CHECK(place(uf::conflict, code::not_on_sale_to_agents) == rej(reject_reason::not_on_sale));
    CHECK(place(uf::conflict, 999) == rej(reject_reason::refused));
    CHECK(place(uf::not_found) == rej(reject_reason::not_found));
    CHECK(place(uf::permanent) == rej(reject_reason::refused));
}

TEST_CASE("confirm failures never allow placing again") {
    // Only a confirm provably never sent may simply be retried; a 5xx on a write may have
    // been applied (a gateway can answer after the backend committed).
    CHECK(confirm(uf::not_sent) == failure_decision{dk::retry, {}});
    for (auto f : {uf::transient, uf::timeout, uf::ambiguous, uf::not_found}) {
        CAPTURE(static_cast<int>(f));
        CHECK(confirm(f).kind == dk::resolve_by_reading_back);
        CHECK(confirm(f, 0, true).kind == dk::confirm_unknown);
    }
    for (int c : {code::already_confirmed, code::empty_basket}) {
        CHECK(confirm(uf::conflict, c).kind == dk::resolve_by_reading_back);
        CHECK(confirm(uf::conflict, c, true).kind == dk::confirm_unknown);
    }
    CHECK(confirm(uf::permanent) == rej(reject_reason::refused));
    CHECK(confirm(uf::conflict, code::seat_unavailable) == rej(reject_reason::refused));
    for (auto f : {uf::not_sent, uf::transient, uf::timeout, uf::ambiguous, uf::not_found, uf::conflict, uf::permanent})
        for (bool after : {false, true}) CHECK(confirm(f, code::already_confirmed, after).kind != dk::already_done);
}

TEST_CASE("release failures") {
    CHECK(release(uf::not_sent).kind == dk::retry);
    CHECK(release(uf::transient).kind == dk::retry);
    CHECK(release(uf::ambiguous).kind == dk::retry);  // clearing is idempotent
    CHECK(release(uf::conflict).kind == dk::wait_for_upstream_expiry);
    CHECK(release(uf::timeout).kind == dk::retry);
    CHECK(release(uf::not_found).kind == dk::already_done);
    CHECK(release(uf::permanent).kind == dk::wait_for_upstream_expiry);
    CHECK(to_string(dk::wait_for_upstream_expiry) == "wait_for_upstream_expiry");
}

TEST_CASE("best-available retries are bounded") {
    placement_retry_policy p{3};
    CHECK(after_seat_taken(1, p).kind == dk::retry);
    CHECK(after_seat_taken(2, p).kind == dk::retry);
    auto last = after_seat_taken(3, p);
    CHECK(last == rej(reject_reason::unavailable));
    CHECK(to_string(*last.reason) == "unavailable");
}

TEST_CASE("after reading a basket back in placing") {
    CHECK(decide_after_place_read_back({true, 2, 2}) == place_resume::hold_as_is);
    CHECK(decide_after_place_read_back({true, 0, 2}) == place_resume::add_tickets);
    CHECK(decide_after_place_read_back({true, 1, 2}) == place_resume::clear_and_retry);
    CHECK(decide_after_place_read_back({false, 0, 2}) == place_resume::reject_gone);
}

TEST_CASE("after reading back in confirming") {
    CHECK(decide_after_confirm_read_back({true, false, 0, 2}) == confirm_resume::record_confirmed);
    CHECK(decide_after_confirm_read_back({false, true, 2, 2}) == confirm_resume::resend_confirm);
    CHECK(decide_after_confirm_read_back({false, true, 1, 2}) == confirm_resume::mark_unknown);
    CHECK(decide_after_confirm_read_back({false, false, 0, 2}) == confirm_resume::mark_unknown);
    CHECK(to_string(confirm_resume::mark_unknown) == "mark_unknown");
}
