// The names a reservation answer carries (app::reservation_namer over mirror_view::names_of),
// over a real mirror database: they agree with the instance answer, and after the venue
// renames its event, price band, ticket type and plan area they are the new names at once.
#include "agentd/app/reservation_names.hpp"
#include "agentd/mirror/view.hpp"
#include "agentd/mirror/write.hpp"
#include "agentd/store/mirror_store.hpp"
#include "tests/unit/mirror/mirror_support.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::mirror;
using namespace std::chrono_literals;

namespace {

struct venue_names {
    std::string event, band, ticket_type, area;
};

// Writes event E1, instance I1, price list L1 (band B1, ticket types T1 and T2), plan P1 (area
// A1) and I1's availability, under the given names, as the sync service would.
void write_venue(store::database& db, const venue_names& n, sys_time now) {
    domain::diff_settings ds;
    upstream::price_list pl;
    pl.id = "L1";
    pl.prices.push_back({"p1", {"T1", n.ticket_type}, {"B1", n.band}, money{4550}, true});
    pl.prices.push_back({"p2", {"T2", "Child"}, {"B1", n.band}, money{2000}, false});
    upstream::plan plan;
    plan.id = "P1";
    upstream::area area;
    area.id = "A1";
    area.name = n.area;
    area.band_id = "B1";
    area.seats.push_back({"101", "A1", "A", 1, 10, 20, std::nullopt});
    plan.children.push_back(area);
    upstream::instance_status st;
    st.counts.capacity = 1;
    st.counts.available = 1;
    st.areas.push_back({"A1", n.area, st.counts, {}});
    auto w = db.submit_wait<bool>([&](store::write_txn& t) -> result<bool> {
        if (auto r = store::mirror_put_client(t, "venue", "agent1", {"agent1"}); !r) return r.error();
        if (auto r = apply_events(t, "venue", {mirror_test::make_event("E1", n.event)}, ds, now); !r) return r.error();
        auto inst = mirror_test::make_instance("I1", "E1", now + 48h);
        if (auto r = apply_instances(t, "venue", {inst}, {"E1"}, ds, now); !r) return r.error();
        if (auto r = apply_price_list(t, "venue", pl, now); !r) return r.error();
        if (auto r = apply_plan(t, "venue", plan, now); !r) return r.error();
        if (auto r = mirror_test::put_availability(t, "I1", &st, now); !r) return r.error();
        return true;
    });
    REQUIRE_MESSAGE(w.has_value(), (w ? "" : w.error().message));
}

api::reservation held_reservation() {
    api::reservation r;
    r.id = "R1";
    r.client = "venue";
    r.instance = "I1";
    r.seats.push_back({"101", "A1", "A1", "B1", "T1", "45.50", std::nullopt});
    return r;
}

}  // namespace

TEST_CASE("reservation names: agree with the instance answer, and are never stale after a rename") {
    mirror_test::fixture f;
    manual_clock clk;
    const auto now = clk.now();
    write_venue(*f.db, {"Hamlet", "Band A", "Adult", "Stalls"}, now);
    mirror_view view(f.path, clk);

    auto r = held_reservation();
    app::reservation_namer(&view).name(r);
    auto inst = view.instance("venue", "I1");
    REQUIRE(inst.has_value());
    CHECK(r.event_name == "Hamlet");
    CHECK(r.event_name == inst->event_name);
    CHECK(r.instance_start == inst->start);
    REQUIRE(r.seats.size() == 1);
    CHECK(r.seats[0].area_name == "Stalls");
    CHECK(r.seats[0].price_band_name == "Band A");
    CHECK(r.seats[0].ticket_type_name == "Adult");

    // The venue renames everything: a new plan version, price list and event text.
    write_venue(*f.db, {"Macbeth", "Premium", "Grown-up", "Orchestra"}, now + 1s);
    auto again = held_reservation();
    app::reservation_namer(&view).name(again);
    CHECK(again.event_name == "Macbeth");
    CHECK(again.seats[0].area_name == "Orchestra");
    CHECK(again.seats[0].price_band_name == "Premium");
    CHECK(again.seats[0].ticket_type_name == "Grown-up");
    auto inst2 = view.instance("venue", "I1");
    REQUIRE(inst2.has_value());
    REQUIRE(inst2->avail.areas.size() == 1);
    CHECK(again.seats[0].area_name == inst2->avail.areas[0].name);
}

TEST_CASE("reservation names: a reservation without seats names its event; an unknown instance names nothing") {
    mirror_test::fixture f;
    manual_clock clk;
    write_venue(*f.db, {"Hamlet", "Band A", "Adult", "Stalls"}, clk.now());
    mirror_view view(f.path, clk);

    api::reservation queued;
    queued.client = "venue";
    queued.instance = "I1";
    app::reservation_namer namer(&view);
    namer.name(queued);
    CHECK(queued.event_name == "Hamlet");
    CHECK(queued.instance_start == "2030-01-01T19:30:00");

    // A seat whose area, band and ticket type the mirror does not know keeps its ids only.
    auto odd = held_reservation();
    odd.seats[0].area = "A9";
    odd.seats[0].price_band = "B9";
    odd.seats[0].ticket_type = "T9";
    namer.name(odd);
    CHECK(odd.event_name == "Hamlet");
    CHECK(odd.seats[0].area_name.empty());
    CHECK(odd.seats[0].price_band_name.empty());
    CHECK(odd.seats[0].ticket_type_name.empty());

    auto elsewhere = held_reservation();
    elsewhere.instance = "I404";
    namer.name(elsewhere);
    CHECK(elsewhere.event_name.empty());
    CHECK(elsewhere.seats[0].area_name.empty());
}
