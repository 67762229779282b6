// The fake keeps the client contract the real simulator keeps (taken seats conflict, confirm
// rules, commit-then-drop faults), so unit tests of sync and reservations can rely on it.
#include "tests/support/fake_upstream.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

using namespace agentd;
using namespace agentd::upstream;
namespace asio = boost::asio;

namespace {
template <class F>
void run(F f) {
    asio::io_context ioc;
    std::exception_ptr err;
    asio::co_spawn(ioc, f(), [&](std::exception_ptr e) { err = e; });
    ioc.run();
    if (err) std::rethrow_exception(err);
}

test::fake_upstream make_fake() {
    test::fake_upstream f;
    plan p;
    p.id = "P";
    area stalls{"A", "Stalls", true, 3, std::nullopt, {}, {}};
    stalls.seats = {{"1", "A1", "A", 1, 0, 0, std::string("b1")}, {"2", "A2", "A", 2, 0, 0, std::string("b1")},
                    {"3", "A3", "A", 3, 0, 0, std::string("b2")}};
    p.children.push_back(stalls);
    f.plans["I"] = p;
    price_list pl{"L", {price{"p", {"t", "Adult"}, {"b1", "Band A"}, money{3500}, true}}};
    f.price_lists["I"] = pl;
    return f;
}
}  // namespace

TEST_CASE("fake upstream: a basket flow, conflicts and confirm rules") {
    auto f = make_fake();
    run([&]() -> asio::awaitable<void> {
        auto b = co_await f.create_basket();
        REQUIRE(b.has_value());
        auto best = co_await f.best_available("I", 2, std::string("b1"), std::nullopt);
        REQUIRE(best.has_value());
        REQUIRE(best->size() == 2);
        std::vector<new_ticket> want{new_ticket{"I", (*best)[0].id, std::nullopt, "t"}, new_ticket{"I", (*best)[1].id, std::nullopt, "t"}};
        auto added = co_await f.add_tickets(b->id, want);
        REQUIRE(added.has_value());
        CHECK((*added)[0].price.minor == 3500);
        auto again = co_await f.add_tickets(b->id, want);
        REQUIRE_FALSE(again.has_value());
        CHECK(again.error().cls == error_class::conflict);
        CHECK(again.error().error_code == 20);
        auto none = co_await f.best_available("I", 1, std::string("b1"), std::nullopt);
        REQUIRE_FALSE(none.has_value());
        CHECK(none.error().error_code == 22);
        auto o = co_await f.confirm_basket(b->id);
        REQUIRE(o.has_value());
        CHECK(o->total.minor == 7000);
        CHECK(o->tickets[0].barcode.has_value());
        auto twice = co_await f.confirm_basket(b->id);
        REQUIRE_FALSE(twice.has_value());
        CHECK(twice.error().error_code == 100);
        auto gone = co_await f.get_basket(b->id);
        REQUIRE_FALSE(gone.has_value());
        CHECK(gone.error().cls == error_class::not_found);
        auto empty = co_await f.create_basket();
        auto e = co_await f.confirm_basket(empty->id);
        REQUIRE_FALSE(e.has_value());
        CHECK(e.error().error_code == 101);
    });
    CHECK(f.taken["I"].size() == 2);
}

TEST_CASE("fake upstream: scripted faults, with and without the change applied") {
    auto f = make_fake();
    run([&]() -> asio::awaitable<void> {
        f.fail_next("create_basket", test::fake_upstream::transient());
        auto lost = co_await f.create_basket();
        REQUIRE_FALSE(lost.has_value());
        CHECK(f.baskets.empty());
        auto b = co_await f.create_basket({.prio = priority::reservation, .retry_safe = true});
        REQUIRE(b.has_value());
        f.fail_next("add_tickets", test::fake_upstream::transient(), true);
        std::vector<new_ticket> want{new_ticket{"I", std::string("3"), std::nullopt, "t"}};
        auto dropped = co_await f.add_tickets(b->id, want);
        REQUIRE_FALSE(dropped.has_value());
        CHECK(dropped.error().retryable());
        auto read_back = co_await f.get_basket(b->id);  // reconciliation sees the applied change
        REQUIRE(read_back.has_value());
        CHECK(read_back->tickets.size() == 1);
        f.seat_status_endpoint = false;
        auto ss = co_await f.get_seat_status("I");
        REQUIRE_FALSE(ss.has_value());
        CHECK(ss.error().cls == error_class::not_found);
    });
    CHECK(f.calls.front() == "create_basket");
    CHECK(f.options_seen[1].prio == priority::reservation);
}
