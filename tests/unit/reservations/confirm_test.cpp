// The money-safety rules of confirming (docs/reservations.md), against the fake upstream.
#include "tests/unit/reservations/fixture.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

upstream::failure conflict(int code) {
    return upstream::failure{upstream::error_class::conflict, 409, code, "fake: 409 errorCode " + std::to_string(code)};
}
upstream::failure gateway_503() { return upstream::failure{upstream::error_class::transient, 503, 0, "fake: 503 from the gateway"}; }
upstream::failure not_found() { return upstream::failure{upstream::error_class::not_found, 404, 0, "fake: 404"}; }

bool ever_in(res_fixture& f, const std::string& id, const std::string& state) {
    auto s = f.states_of(id);
    return std::find(s.begin(), s.end(), state) != s.end();
}
// Whether the history shows `state` after the reservation first entered `after`.
bool in_after(res_fixture& f, const std::string& id, const std::string& after, const std::string& state) {
    auto s = f.states_of(id);
    auto from = std::find(s.begin(), s.end(), after);
    return from != s.end() && std::find(from, s.end(), state) != s.end();
}

}  // namespace

TEST_CASE("every confirm sets the customer on the basket unless the basket already shows it") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1", "S2"});
    SUBCASE("a basket without the customer is PATCHed, then confirmed") {
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        CHECK(f.settle(held.id).state == "confirmed");
        CHECK(f.count("set_agent_customer") == 1);
        REQUIRE(f.up.orders.size() == 1);
        CHECK(f.up.orders.begin()->second.customer->first_name == "Ada");
    }
    SUBCASE("a basket that already shows this customer is not PATCHed again") {
        f.basket_of(held.id).customer = f.upstream_customer();
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        CHECK(f.settle(held.id).state == "confirmed");
        CHECK(f.count("set_agent_customer") == 0);
        CHECK(f.up.orders.begin()->second.customer->reference == "WEB-1");
    }
    SUBCASE("a basket showing another customer (or reference) is PATCHed") {
        auto other = f.upstream_customer();
        other.reference = "WEB-OLD";
        f.basket_of(held.id).customer = other;
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        CHECK(f.settle(held.id).state == "confirmed");
        CHECK(f.count("set_agent_customer") == 1);
        CHECK(f.up.orders.begin()->second.customer->reference == "WEB-1");
    }
    // Any PATCH happens before the confirm, never after.
    auto confirm = std::find(f.up.calls.begin(), f.up.calls.end(), "confirm_basket");
    CHECK(confirm != f.up.calls.end());
    CHECK(std::find(confirm, f.up.calls.end(), "set_agent_customer") == f.up.calls.end());
    f.stop_worker();
}

TEST_CASE("the basket is proven to hold exactly the held tickets before the confirm") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1", "S2"});
    auto& basket = f.basket_of(held.id);
    SUBCASE("an extra ticket (a late add) is removed and the order matches the hold") {
        upstream::ticket extra;
        extra.id = "TX";
        extra.instance_id = k_instance;
        extra.seat_id = "S9";
        extra.type_id = k_type;
        extra.price = extra.total = money{3550};
        basket.tickets.push_back(extra);
        f.up.taken[k_instance].insert("S9");
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirmed");
        CHECK(f.count("remove_tickets") == 1);
        REQUIRE(f.up.orders.size() == 1);
        CHECK(f.up.orders.begin()->second.tickets.size() == 2);
        CHECK(f.up.orders.begin()->second.total == money{7100});
        CHECK_FALSE(r.order_mismatch.has_value());
        CHECK_FALSE(f.up.taken[k_instance].contains("S9"));
    }
    SUBCASE("a held ticket missing from the basket: nothing is sold, the basket is cleared, released") {
        f.up.taken[k_instance].erase(*basket.tickets.back().seat_id);
        basket.tickets.pop_back();
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "released");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "basket_changed");
        CHECK(f.count("confirm_basket") == 0);
        CHECK(f.up.orders.empty());
        CHECK(f.up.taken[k_instance].empty());
    }
    SUBCASE("the basket gone before the confirm was sent: expired, nothing sold") {
        f.up.baskets.clear();
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "expired");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "basket_gone");
        CHECK(f.count("confirm_basket") == 0);
    }
    f.stop_worker();
}

TEST_CASE("a sent confirm is settled by proof") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    SUBCASE("a 503 may have been applied: resent on the same basket, then proven by 409/100") {
        f.up.fail_next("confirm_basket", gateway_503(), true);
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirmed");
        CHECK(r.settled_by == std::optional<std::string>("already_confirmed"));
        CHECK(f.count("confirm_basket") == 2);
        CHECK(f.up.orders.size() == 1);
        CHECK(f.ledger_entries() == 1);
    }
    SUBCASE("a 503 not applied: the resend sells it, one order") {
        f.up.fail_next("confirm_basket", gateway_503(), false);
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirmed");
        CHECK(r.settled_by == std::optional<std::string>("upstream_order"));
        REQUIRE(r.order_id.has_value());
        CHECK(f.up.orders.contains(*r.order_id));
        CHECK(f.count("confirm_basket") == 2);
    }
    SUBCASE("409/101 proves nothing was sold: released with confirm_not_sold") {
        f.up.fail_next("confirm_basket", conflict(101));
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "released");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "confirm_not_sold");
        CHECK(f.up.orders.empty());
        CHECK(f.up.taken[k_instance].empty());  // the basket was cleared
        CHECK_FALSE(in_after(f, held.id, "confirming", "held"));  // a sent confirm never returns to held
        CHECK(f.ledger_entries() == 0);
    }
    SUBCASE("nothing sent: retried, never confirm_unknown") {
        f.up.fail_next("confirm_basket", fake_upstream::not_sent());
        f.up.fail_next("confirm_basket", fake_upstream::not_sent());
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirmed");
        CHECK(f.count("confirm_basket") == 3);
        CHECK(f.up.orders.size() == 1);
        CHECK_FALSE(ever_in(f, held.id, "confirm_unknown"));
    }
    SUBCASE("a 404 after the send cannot be proven: confirm_unknown, listed by reconcile") {
        f.up.fail_next("confirm_basket", not_found());
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirm_unknown");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "confirm_unknown");
        auto rep = f.svc->reconcile();
        REQUIRE(rep.has_value());
        REQUIRE(rep->confirm_unknown.size() == 1);
        CHECK(rep->confirm_unknown[0].id == held.id);
        // Neither the channel's release nor a repeated confirm can settle it.
        CHECK(f.run(f.svc->release(held.id)).error().code == errc::conflict);
        CHECK(f.state(held.id) == "confirm_unknown");
    }
    f.stop_worker();
}

TEST_CASE("a confirm left unsent after its retries is picked up by the rescan") {
    res_fixture f;
    f.settings.rescan_interval = std::chrono::milliseconds(20);
    f.make_service();
    f.start_worker();
    auto held = f.hold({"S1"});
    const int failures = f.settings.drive.max_unsent_retries + 3;
    for (int i = 0; i < failures; ++i) f.up.fail_next("confirm_basket", fake_upstream::not_sent());
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    auto r = f.settle(held.id);
    CHECK(r.state == "confirmed");
    CHECK(f.count("confirm_basket") == failures + 1);
    CHECK(f.up.orders.size() == 1);
    CHECK_FALSE(ever_in(f, held.id, "confirm_unknown"));
    f.stop_worker();
}

TEST_CASE("operators settle confirm_unknown with resolve, and only that") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    api::resolve_request sold{true, "1AKP", "checked in Spektrix"};
    api::resolve_request not_sold{false, "", ""};
    SUBCASE("resolve is refused for a reservation that is not confirm_unknown") {
        CHECK(f.run(f.svc->resolve(held.id, sold)).error().code == errc::conflict);
        CHECK(f.run(f.svc->resolve(held.id, not_sold)).error().code == errc::conflict);
        CHECK(f.run(f.svc->resolve("r_nope", sold)).error().code == errc::not_found);
        CHECK(f.state(held.id) == "held");
    }
    f.up.fail_next("confirm_basket", not_found());
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    REQUIRE(f.settle(held.id).state == "confirm_unknown");
    SUBCASE("--sold: confirmed with the operator's order id and a ledger entry") {
        CHECK(f.run(f.svc->resolve(held.id, api::resolve_request{true, "", ""})).error().code == errc::invalid_argument);
        auto r = f.run(f.svc->resolve(held.id, sold));
        REQUIRE(r.has_value());
        CHECK(r->state == "confirmed");
        CHECK(r->order_id == std::optional<std::string>("1AKP"));
        CHECK(r->settled_by == std::optional<std::string>("operator"));
        CHECK(f.ledger_entries() == 1);
        CHECK(f.run(f.svc->resolve(held.id, sold)).error().code == errc::conflict);
    }
    SUBCASE("--not-sold: the basket is cleared and it ends released") {
        auto r = f.run(f.svc->resolve(held.id, not_sold));
        REQUIRE(r.has_value());
        CHECK(r->state == "releasing");
        CHECK(f.settle(held.id).state == "released");
        CHECK(f.up.taken[k_instance].empty());
        CHECK(f.ledger_entries() == 0);
        CHECK(f.run(f.svc->resolve(held.id, not_sold)).error().code == errc::conflict);
    }
    f.stop_worker();
}

TEST_CASE("retries of confirm and release answer as the reservation stands") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    SUBCASE("confirm again with the same customer: the same reservation, one order") {
        auto first = f.run(f.svc->confirm(held.id, f.customer()));
        REQUIRE(first.has_value());
        auto again = f.run(f.svc->confirm(held.id, f.customer()));
        REQUIRE(again.has_value());
        CHECK(again->id == held.id);
        CHECK(f.settle(held.id).state == "confirmed");
        auto late = f.run(f.svc->confirm(held.id, f.customer()));
        REQUIRE(late.has_value());
        CHECK(late->state == "confirmed");
        CHECK(f.up.orders.size() == 1);
        auto other = f.customer();
        other.reference = "WEB-2";
        CHECK(f.run(f.svc->confirm(held.id, other)).error().code == errc::conflict);
    }
    SUBCASE("release again: answered, not refused") {
        auto first = f.run(f.svc->release(held.id));
        REQUIRE(first.has_value());
        CHECK(first->state == "releasing");
        auto again = f.run(f.svc->release(held.id));
        REQUIRE(again.has_value());
        CHECK((again->state == "releasing" || again->state == "released"));
        CHECK(f.settle(held.id).state == "released");
        auto late = f.run(f.svc->release(held.id));
        REQUIRE(late.has_value());
        CHECK(late->state == "released");
        CHECK(f.count("clear_basket") == 1);
    }
    f.stop_worker();
}

TEST_CASE("an order whose local write fails is stored by retrying the write, not the confirm") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    int failures_left = 2;
    f.svc->set_write_fault([&](std::uint64_t) -> std::optional<error> {
        // Every write after the confirm went upstream fails, twice: a full disk.
        if (f.count("confirm_basket") == 0 || failures_left == 0) return std::nullopt;
        --failures_left;
        return error{errc::io_error, "fake: disk full"};
    });
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    auto r = f.settle(held.id);
    CHECK(failures_left == 0);
    CHECK(r.state == "confirmed");
    REQUIRE(r.order_id.has_value());
    CHECK(f.count("confirm_basket") == 1);
    CHECK(f.up.orders.size() == 1);
    CHECK(f.ledger_entries() == 1);
    f.stop_worker();
}

// A sent confirm answered 5xx is resent for as long as the basket may live (20 minutes by
// default): recover() must not hold start-up for that long; the drive carries on as a child.
TEST_CASE("recovery does not hold start-up while upstream answers 5xx to a sent confirm") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.stop_worker();
    f.force(held.id, domain::ev::confirm_requested{{"Ada", "Lovelace", "1 Main St", "WEB-1"}});
    f.force(held.id, domain::ev::confirm_sending{});
    for (int i = 0; i < 100000; ++i) f.up.fail_next("confirm_basket", gateway_503());
    f.make_service();
    bool done = false;
    boost::asio::co_spawn(f.ioc, f.svc->recover(), [&](std::exception_ptr, result<void>) { done = true; });
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (!done && std::chrono::steady_clock::now() < until) {
        f.ioc.restart();
        f.ioc.run_for(std::chrono::milliseconds(5));
    }
    CHECK_MESSAGE(done, "recover() still resending after 3 s: " << f.count("confirm_basket") << " confirms sent");
    // Let it finish either way, so nothing outlives the service.
    f.up.clear_faults();
    f.pump([&] { return done && f.state(held.id) == "confirmed"; });
    CHECK(f.state(held.id) == "confirmed");
    CHECK(f.up.orders.size() == 1);
}
