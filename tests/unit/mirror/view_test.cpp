// mirror_view over a real SQLite file: prices as decimal text to the penny, availability with
// its age on a manual clock, catalogue facts for reservation validation, unknown ids.
#include "agentd/mirror/view.hpp"
#include "agentd/mirror/write.hpp"
#include "agentd/core/time.hpp"
#include "agentd/store/mirror_store.hpp"
#include "tests/unit/mirror/mirror_support.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::mirror;
using namespace std::chrono_literals;

TEST_CASE("mirror_view: an instance with prices, counts, seats and the age of its availability") {
    mirror_test::fixture f;
    manual_clock clk;
    const auto now = clk.now();
    domain::diff_settings ds;
    auto inst = mirror_test::make_instance("I1", "E1", now + 48h);
    upstream::price_list pl;
    pl.id = "L1";
    pl.prices.push_back({"p1", {"T1", "Adult"}, {"B1", "Band A"}, money{4550}, true});
    pl.prices.push_back({"p2", {"T2", "Child"}, {"B1", "Band A"}, money{5}, false});
    upstream::plan plan;
    plan.id = "P1";
    upstream::area stalls;
    stalls.id = "A1";
    stalls.name = "Stalls";
    stalls.band_id = "B1";
    stalls.seats.push_back({"101", "A1", "A", 1, 10, 20, std::nullopt});
    stalls.seats.push_back({"102", "A2", "A", 2, 30, 20, std::string("B1")});
    plan.children.push_back(stalls);
    upstream::instance_status st;
    st.counts.capacity = 2;
    st.counts.available = 1;
    st.areas.push_back({"A1", "Stalls", st.counts, {}});
    auto w = f.db->submit_wait<bool>([&](store::write_txn& t) -> result<bool> {
        if (auto r = store::mirror_put_client(t, "venue", "agent1", {"agent1"}); !r) return r.error();
        if (auto r = apply_events(t, "venue", {mirror_test::make_event("E1", "Hamlet")}, ds, now); !r) return r.error();
        if (auto r = apply_instances(t, "venue", {inst}, {"E1"}, ds, now); !r) return r.error();
        if (auto r = apply_price_list(t, "venue", pl, now); !r) return r.error();
        if (auto r = apply_plan(t, "venue", plan, now); !r) return r.error();
        if (auto r = mirror_test::put_availability(t, "I1", &st, now,
                                                   {{"101", static_cast<int>(upstream::seat_state::available), {}},
                                                    {"102", static_cast<int>(upstream::seat_state::sold), {}}});
            !r)
            return r.error();
        return true;
    });
    REQUIRE_MESSAGE(w.has_value(), (w ? "" : w.error().message));

    mirror::mirror_view view(f.path, clk);
    clk.advance(7s);
    auto i = view.instance("venue", "I1");
    REQUIRE_MESSAGE(i.has_value(), (i ? "" : i.error().message));
    CHECK(i->event_name == "Hamlet");
    CHECK(i->start_utc == format_iso_utc(now + 48h));
    REQUIRE(i->prices.size() == 2);
    for (const auto& p : i->prices) {
        if (p.ticket_type == "T1") CHECK(p.price == "45.50");
        if (p.ticket_type == "T2") CHECK(p.price == "0.05");
        CHECK(p.price_band == "B1");
    }
    CHECK(i->avail.available == 1);
    CHECK(i->avail.capacity == 2);
    REQUIRE(i->avail.areas.size() == 1);
    CHECK(i->avail.areas[0].name == "Stalls");
    CHECK(i->availability_age == doctest::Approx(7.0));
    CHECK(i->availability_confirmed_at == format_iso_utc_ms(now));

    auto seats = view.seats("venue", "I1");
    REQUIRE(seats.has_value());
    REQUIRE(seats->seats.size() == 2);
    for (const auto& s : seats->seats) {
        CHECK(s.price_band == "B1");  // seat 101 inherits its area's band
        CHECK(s.status == (s.id == "101" ? "available" : "sold"));
        CHECK(s.area == "A1");
    }

    auto list = view.instances({"venue", std::nullopt, std::nullopt, std::nullopt});
    REQUIRE(list.has_value());
    REQUIRE(list->size() == 1);
    CHECK((*list)[0].available == 1);
    auto events = view.events({"venue", std::nullopt, std::nullopt, std::string("haml")});
    REQUIRE(events.has_value());
    CHECK(events->size() == 1);

    const auto* facts = view.find_instance("venue", "I1");
    REQUIRE(facts != nullptr);
    CHECK(facts->ticket_types == std::set<std::string>{"T1", "T2"});
    CHECK(facts->price_bands == std::set<std::string>{"B1"});
    CHECK(facts->seats == std::set<std::string>{"101", "102"});
    CHECK(facts->areas.count("A1") == 1);
    CHECK(facts->start == now + 48h);

    // The plan changed upstream: A1 gone, A2 in its place. The answer lists only what is there now.
    st.areas = {{"A2", "Circle", st.counts, {}}};
    auto moved = f.db->submit_wait<bool>([&](store::write_txn& t) -> result<bool> {
        if (auto r = mirror_test::put_availability(t, "I1", &st, now); !r) return r.error();
        return true;
    });
    REQUIRE_MESSAGE(moved.has_value(), (moved ? "" : moved.error().message));
    auto after = view.instance("venue", "I1");
    REQUIRE(after.has_value());
    REQUIRE(after->avail.areas.size() == 1);
    CHECK(after->avail.areas[0].name == "Circle");

    CHECK(view.find_instance("venue", "nope") == nullptr);
    CHECK(view.instance("venue", "nope").error().code == errc::not_found);
    CHECK(view.events({"elsewhere", std::nullopt, std::nullopt, std::nullopt}).error().code == errc::not_found);
    auto clients = view.clients();
    REQUIRE(clients.has_value());
    REQUIRE(clients->size() == 1);
    CHECK((*clients)[0].name == "venue");
}
