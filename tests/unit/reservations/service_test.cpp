#include "tests/unit/reservations/fixture.hpp"

#include "agentd/core/time.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

upstream::failure dropped() { return upstream::failure{upstream::error_class::transient, 0, 0, "fake: connection reset"}; }
upstream::failure seat_taken() { return upstream::failure{upstream::error_class::conflict, 409, 20, "fake: 409 seat unavailable"}; }

}  // namespace

TEST_CASE("create acknowledges a durable queued reservation and validates first") {
    res_fixture f;
    auto c = f.create("k1", f.seats_req({"S1", "S2"}));
    REQUIRE(c.has_value());
    CHECK_FALSE(c->replayed);
    CHECK(c->reservation.state == "queued");
    CHECK(c->reservation.version == 1);
    CHECK(f.feed.size() == 1);
    // Durable: a fresh reader sees it.
    auto rd = store::reader::open(f.path);
    REQUIRE(rd.has_value());
    auto row = store::load_reservation(rd->conn(), c->reservation.id);
    REQUIRE(row.has_value());
    REQUIRE(row->has_value());
    CHECK((*row)->request.tickets.size() == 2);

    SUBCASE("a retry with the same key returns the same reservation") {
        auto again = f.create("k1", f.seats_req({"S2", "S1"}));
        REQUIRE(again.has_value());
        CHECK(again->replayed);
        CHECK(again->reservation.id == c->reservation.id);
    }
    SUBCASE("the same key with another request is a conflict") {
        auto again = f.create("k1", f.seats_req({"S3"}));
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().code == errc::conflict);
    }
    SUBCASE("the same key on another channel is another reservation") {
        auto other = f.create("k1", f.seats_req({"S1", "S2"}), "phone");
        REQUIRE(other.has_value());
        CHECK(other->reservation.id != c->reservation.id);
    }
    SUBCASE("unknown instance, ticket type, quantity and key are refused before anything is written") {
        auto r = f.seats_req({"S1"});
        r.instance = "NOPE";
        CHECK(f.create("k2", r).error().code == errc::not_found);
        r = f.seats_req({"S1"});
        r.tickets[0].ticket_type = "OTHER";
        CHECK(f.create("k3", r).error().code == errc::invalid_argument);
        CHECK(f.create("k4", f.best_req(11)).error().code == errc::invalid_argument);
        CHECK(f.create("bad key!", f.seats_req({"S1"})).error().code == errc::invalid_argument);
        auto all = f.svc->list({});
        REQUIRE(all.has_value());
        CHECK(all->size() == 1);
    }
    SUBCASE("queued can be cancelled; illegal transitions are conflicts") {
        CHECK(f.run(f.svc->confirm(c->reservation.id, f.customer())).error().code == errc::conflict);
        CHECK(f.run(f.svc->extend(c->reservation.id, {})).error().code == errc::conflict);
        auto r = f.run(f.svc->release(c->reservation.id));
        REQUIRE(r.has_value());
        CHECK(r->state == "cancelled");
        // A retry of the release answers as the reservation stands.
        auto again = f.run(f.svc->release(c->reservation.id));
        REQUIRE(again.has_value());
        CHECK(again->state == "cancelled");
        CHECK(again->version == r->version);
        CHECK(f.svc->stats().queue_depth == 0);
    }
}

TEST_CASE("queue bounds refuse with a retryable error") {
    res_fixture f;
    f.settings.queue.max_total = 3;
    f.settings.queue.max_per_channel = 2;
    f.make_service();
    REQUIRE(f.create("a", f.seats_req({"S1"})).has_value());
    REQUIRE(f.create("b", f.seats_req({"S2"})).has_value());
    auto third = f.create("c", f.seats_req({"S3"}));
    REQUIRE_FALSE(third.has_value());
    CHECK(third.error().code == errc::rate_limited);
    CHECK(third.error().retryable());
    REQUIRE(f.create("d", f.seats_req({"S4"}), "phone").has_value());
    auto full = f.create("e", f.seats_req({"S5"}), "box");
    REQUIRE_FALSE(full.has_value());
    CHECK(full.error().code == errc::unavailable);
    CHECK(full.error().retryable());
}

TEST_CASE("place, confirm and release through the worker") {
    res_fixture f;
    f.start_worker();
    const auto t0 = f.clock.now();
    auto held = f.hold({"S1", "S2"});
    CHECK(held.seats.size() == 2);
    CHECK(held.total == "71.00");
    CHECK(held.seats[0].price == "35.50");
    REQUIRE(held.expires_at.has_value());
    CHECK(*held.expires_at == format_iso_utc(t0 + std::chrono::minutes(18)));
    CHECK(f.states_of(held.id) == std::vector<std::string>{"queued", "placing", "placing", "held"});
    CHECK(f.up.taken[k_instance].size() == 2);
    // The basket was created before tickets were added.
    auto create_at = std::find(f.up.calls.begin(), f.up.calls.end(), "create_basket");
    auto add_at = std::find(f.up.calls.begin(), f.up.calls.end(), "add_tickets");
    CHECK(create_at < add_at);
    for (const auto& o : f.up.options_seen) CHECK(o.prio == upstream::priority::reservation);

    SUBCASE("confirm records the order, barcodes and the ledger") {
        auto c = f.run(f.svc->confirm(held.id, f.customer()));
        REQUIRE(c.has_value());
        CHECK(c->state == "confirming");
        auto done = f.settle(held.id);
        CHECK(done.state == "confirmed");
        REQUIRE(done.order_id.has_value());
        CHECK(f.up.orders.size() == 1);
        CHECK(f.up.orders.begin()->second.customer->reference == "WEB-1");
        CHECK(done.seats[0].barcode.has_value());
        auto rd = store::reader::open(f.path);
        CHECK(store::ledger_count(rd->conn()).value() == 1);
        CHECK(f.run(f.svc->release(held.id)).error().code == errc::conflict);
        CHECK(f.svc->stats().confirmation.samples == 1);
    }
    SUBCASE("release clears the basket") {
        auto r = f.run(f.svc->release(held.id));
        REQUIRE(r.has_value());
        CHECK(r->state == "releasing");
        CHECK(f.settle(held.id).state == "released");
        CHECK(f.up.taken[k_instance].empty());
        CHECK(f.run(f.svc->confirm(held.id, f.customer())).error().code == errc::conflict);
    }
    SUBCASE("a seat already taken rejects the specific-seat request with a reason") {
        auto c = f.create("k2", f.seats_req({"S2", "S3"}));
        REQUIRE(c.has_value());
        auto r = f.settle(c->reservation.id);
        CHECK(r.state == "rejected");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "unavailable");
        CHECK(f.up.taken[k_instance].size() == 2);
    }
    SUBCASE("confirm refused upstream keeps the hold with the error") {
        f.up.fail_next("set_agent_customer", upstream::failure{upstream::error_class::permanent, 400, 0, "fake: 400"});
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "held");
        REQUIRE(r.error.has_value());
        CHECK(r.error->code == "confirm_refused");
    }
    f.stop_worker();
}

TEST_CASE("best available retries a seat taken in between, within a bound") {
    res_fixture f;
    f.start_worker();
    SUBCASE("taken once: retried and held") {
        f.up.fail_next("add_tickets", seat_taken());
        auto c = f.create("k1", f.best_req(2));
        auto r = f.settle(c->reservation.id);
        CHECK(r.state == "held");
        CHECK(r.seats.size() == 2);
        CHECK(std::count(f.up.calls.begin(), f.up.calls.end(), "best_available") == 2);
    }
    SUBCASE("taken every time: rejected as unavailable after the bound") {
        for (int i = 0; i < 5; ++i) f.up.fail_next("add_tickets", seat_taken());
        auto c = f.create("k1", f.best_req(2));
        auto r = f.settle(c->reservation.id);
        CHECK(r.state == "rejected");
        CHECK(r.error->code == "unavailable");
        CHECK(std::count(f.up.calls.begin(), f.up.calls.end(), "add_tickets") == 3);  // 1 + 2 retries
    }
    SUBCASE("not enough seats: rejected") {
        auto c = f.create("k1", f.best_req(10));
        REQUIRE(c.has_value());
        auto c2 = f.create("k2", f.best_req(10));
        auto c3 = f.create("k3", f.best_req(10));
        CHECK(f.settle(c->reservation.id).state == "held");
        CHECK(f.settle(c2->reservation.id).state == "held");
        auto r = f.settle(c3->reservation.id);
        CHECK(r.state == "rejected");
        CHECK(r.error->code == "unavailable");
    }
    f.stop_worker();
}

TEST_CASE("answers lost after the commit end in defined states") {
    res_fixture f;
    f.start_worker();
    SUBCASE("add_tickets applied, answer dropped: read back and held, no seat twice") {
        f.up.fail_next("add_tickets", dropped(), true);
        auto c = f.create("k1", f.seats_req({"S1", "S2"}));
        auto r = f.settle(c->reservation.id);
        CHECK(r.state == "held");
        CHECK(f.up.baskets.size() == 1);
        CHECK(f.up.baskets.begin()->second.tickets.size() == 2);
    }
    SUBCASE("confirm applied, answer dropped: sent again, proven by 409/100, never a second order") {
        auto held = f.hold({"S1"});
        f.up.fail_next("confirm_basket", dropped(), true);
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        auto r = f.settle(held.id);
        CHECK(r.state == "confirmed");
        CHECK(r.settled_by == std::optional<std::string>("already_confirmed"));
        CHECK_FALSE(r.order_id.has_value());  // proven sold, order id not returned
        CHECK(f.count("confirm_basket") == 2);
        CHECK(f.up.orders.size() == 1);
        CHECK(f.ledger_entries() == 1);
        auto rep = f.svc->reconcile();
        REQUIRE(rep.has_value());
        CHECK(rep->confirm_unknown.empty());
        REQUIRE(rep->sold_unread.size() == 1);
        CHECK(rep->sold_unread[0].id == held.id);
    }
    SUBCASE("confirm not applied, answer dropped: the same basket is confirmed again") {
        auto held = f.hold({"S1"});
        f.up.fail_next("confirm_basket", dropped(), false);
        REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
        CHECK(f.settle(held.id).state == "confirmed");
        CHECK(f.up.orders.size() == 1);
    }
    SUBCASE("transient create failure requeues and then holds") {
        f.up.fail_next("create_basket", fake_upstream::transient());
        auto c = f.create("k1", f.seats_req({"S1"}));
        CHECK(f.settle(c->reservation.id).state == "held");
        CHECK(f.up.baskets.size() == 1);
    }
    f.stop_worker();
}

TEST_CASE("expiry and extension follow the local deadline") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.stop_worker();  // expiry passes are run by hand below
    const auto created = f.clock.now();

    SUBCASE("a wall clock stepped forward does not release early; a restart reads the wall deadline") {
        f.clock.advance(std::chrono::minutes(17));
        CHECK(f.run(f.svc->expire_due()) == 0);
        // 18 minutes on the wall, but the hold's monotonic deadline is still ahead.
        f.clock.advance(std::chrono::minutes(1));
        CHECK(f.run(f.svc->expire_due()) == 0);
        CHECK(f.state(held.id) == "held");
        // A restarted daemon only has the stored wall deadline, which has passed.
        f.make_service();
        CHECK(f.run(f.svc->expire_due()) == 1);
        CHECK(f.settle(held.id).state == "expired");
        CHECK(f.up.taken[k_instance].empty());
    }
    SUBCASE("extension restarts the upstream lifetime, capped by max_hold") {
        f.clock.advance(std::chrono::minutes(10));
        auto e = f.run(f.svc->extend(held.id, {}));
        REQUIRE(e.has_value());
        CHECK(*e->expires_at == format_iso_utc(created + std::chrono::minutes(28)));
        f.clock.advance(std::chrono::minutes(17));
        e = f.run(f.svc->extend(held.id, {}));
        REQUIRE(e.has_value());
        CHECK(*e->expires_at == format_iso_utc(created + std::chrono::minutes(45)));
        f.clock.advance(std::chrono::minutes(17));
        e = f.run(f.svc->extend(held.id, {}));
        REQUIRE(e.has_value());
        CHECK(*e->expires_at == format_iso_utc(created + std::chrono::minutes(60)));  // max_hold
        // Extends touch the basket with an empty PATCH, never with customer data.
        CHECK(f.count("touch_basket") == 3);
        CHECK(f.count("set_agent_customer") == 0);
        f.clock.advance(std::chrono::minutes(17));  // 61 min: past the deadline
        auto late = f.run(f.svc->extend(held.id, {}));
        REQUIRE_FALSE(late.has_value());
        CHECK(late.error().code == errc::conflict);
        CHECK(f.run(f.svc->confirm(held.id, f.customer())).error().code == errc::conflict);
        f.make_service();  // the wall deadline is read afresh
        CHECK(f.run(f.svc->expire_due()) == 1);
        CHECK(f.settle(held.id).state == "expired");
    }
}

TEST_CASE("recovery resolves in-flight reservations from their basket") {
    res_fixture f;
    // Leave a reservation in `placing` with a basket holding its seats, as if agentd died
    // after add_tickets was applied but before `held` was written.
    auto c = f.create("k1", f.seats_req({"S1", "S2"}));
    REQUIRE(c.has_value());
    const std::string id = c->reservation.id;
    auto basket = f.run(f.up.create_basket());
    REQUIRE(basket.has_value());
    std::vector<upstream::new_ticket> nts{{k_instance, "S1", std::nullopt, k_type}, {k_instance, "S2", std::nullopt, k_type}};
    REQUIRE(f.run(f.up.add_tickets(basket->id, nts)).has_value());
    f.force(id, domain::ev::place_started{});
    f.force(id, domain::ev::basket_created{basket->id, f.clock.now()});
    // A second one still queued: queued again after the restart.
    auto c2 = f.create("k2", f.seats_req({"S3"}));
    REQUIRE(c2.has_value());

    f.make_service();  // a restarted daemon
    auto rec = f.run(f.svc->recover());
    REQUIRE(rec.has_value());
    auto r = f.svc->get(id);
    CHECK(r->state == "held");
    CHECK(r->seats.size() == 2);
    CHECK(f.up.baskets.size() == 1);  // no second basket
    // The queued one is queued again and placed once the worker runs.
    f.start_worker();
    CHECK(f.settle(c2->reservation.id).state == "held");
    f.stop_worker();
}

TEST_CASE("recovery settles a confirm by proof and never re-places it") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.stop_worker();
    const auto basket_id = f.up.baskets.begin()->first;
    const domain::end_customer ada{"Ada", "Lovelace", "1 Main St", "WEB-1"};

    SUBCASE("sent, applied upstream, agentd died before recording: resent, 409/100 proves the sale") {
        f.force(held.id, domain::ev::confirm_requested{ada});
        f.force(held.id, domain::ev::confirm_sending{});
        REQUIRE(f.run(f.up.confirm_basket(basket_id)).has_value());
        f.make_service();
        REQUIRE(f.run(f.svc->recover()).has_value());
        auto r = f.svc->get(held.id);
        CHECK(r->state == "confirmed");
        CHECK(r->settled_by == std::optional<std::string>("already_confirmed"));
        CHECK(f.up.orders.size() == 1);
        CHECK(f.ledger_entries() == 1);
    }
    SUBCASE("accepted but not yet sent: recovery sets the customer on the basket before confirming") {
        f.force(held.id, domain::ev::confirm_requested{ada});
        REQUIRE_FALSE(f.up.baskets.at(basket_id).customer.has_value());
        f.make_service();
        REQUIRE(f.run(f.svc->recover()).has_value());
        auto r = f.svc->get(held.id);
        CHECK(r->state == "confirmed");
        CHECK(f.count("set_agent_customer") == 1);
        REQUIRE(f.up.orders.size() == 1);
        const auto& o = f.up.orders.begin()->second;
        REQUIRE(o.customer.has_value());
        CHECK(o.customer->reference == "WEB-1");
        CHECK(o.customer->last_name == "Lovelace");
        CHECK(r->order_id == std::optional<std::string>(o.id));
    }
    CHECK(f.count("create_basket") == 1);
    CHECK(f.count("add_tickets") == 1);
}

TEST_CASE("fairness: channels share placements by weight") {
    res_fixture f(60);
    f.settings.queue.max_in_flight_per_client = 1;
    f.settings.queue.channel_weights = {{"gold", 3}, {"std", 1}};
    f.make_service();
    std::vector<std::string> gold, std_;
    for (int i = 0; i < 12; ++i) {
        gold.push_back(f.create("g" + std::to_string(i), f.seats_req({"S" + std::to_string(i + 1)}), "gold")->reservation.id);
        std_.push_back(f.create("s" + std::to_string(i), f.seats_req({"S" + std::to_string(i + 31)}), "std")->reservation.id);
    }
    f.start_worker();
    auto held_count = [&](const std::vector<std::string>& ids) {
        return std::count_if(ids.begin(), ids.end(), [&](const std::string& id) { return f.state(id) == "held"; });
    };
    f.pump([&] { return held_count(gold) + held_count(std_) == 24; });
    f.stop_worker();
    // Baskets are numbered in creation order: of the first 8 placements, 3 in 4 went to gold.
    std::vector<std::pair<int, std::string>> order;
    for (const auto& [id, b] : f.up.baskets) order.emplace_back(std::stoi(id.substr(1)), *b.tickets.at(0).seat_id);
    std::sort(order.begin(), order.end());
    REQUIRE(order.size() == 24);
    int gold_first8 = 0;
    for (int i = 0; i < 8; ++i) gold_first8 += std::stoi(order[i].second.substr(1)) <= 12 ? 1 : 0;
    CHECK(gold_first8 == 6);
}

TEST_CASE("cancelling a requeued reservation that owns a basket clears the basket") {
    res_fixture f;
    auto c = f.create("k1", f.seats_req({"S1"}));
    REQUIRE(c.has_value());
    const std::string id = c->reservation.id;
    // As an add whose answer was lost leaves it: requeued, its basket holding the ticket.
    auto basket = f.run(f.up.create_basket());
    REQUIRE(basket.has_value());
    std::vector<upstream::new_ticket> nts{{k_instance, "S1", std::nullopt, k_type}};
    REQUIRE(f.run(f.up.add_tickets(basket->id, nts)).has_value());
    f.force(id, domain::ev::place_started{});
    f.force(id, domain::ev::basket_created{basket->id, f.clock.now()});
    f.force(id, domain::ev::place_failed{"fake: reset", true});
    REQUIRE(f.state(id) == "queued");
    auto r = f.run(f.svc->release(id));
    REQUIRE(r.has_value());
    CHECK(r->state == "releasing");
    CHECK(f.settle(id).state == "released");
    CHECK(f.count("clear_basket") == 1);
    CHECK(f.up.taken[k_instance].empty());
    CHECK(f.svc->stats().queue_depth == 0);
}

// A create whose commit went through although its answer said it failed (PostgreSQL: the
// connection lost during COMMIT) leaves a queued row no queue knows; the channel's retry with
// the same key is a replay, and that replay gets the row driven at once, not at the next rescan.
TEST_CASE("a replayed create whose row is queued but known to no queue is driven") {
    res_fixture f;
    f.settings.rescan_interval = std::chrono::hours(1);
    f.make_service();
    auto first = f.create("orphan", f.seats_req({"S1"}));
    REQUIRE(first.has_value());
    f.make_service();  // the row is stored, but this service never queued it (no recover())
    f.start_worker();
    auto again = f.create("orphan", f.seats_req({"S1"}));
    REQUIRE(again.has_value());
    CHECK(again->replayed);
    CHECK(again->reservation.id == first->reservation.id);
    CHECK(f.settle(first->reservation.id).state == "held");
    f.stop_worker();
}
