// Mirror writes against a real SQLite file: diffs write only what changed, misses become
// tombstones only after N listings, mass removals are refused, seat writes count exactly.
#include "agentd/mirror/write.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/mirror_store.hpp"
#include "tests/unit/mirror/mirror_support.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::mirror;
using mirror_test::make_event;
using mirror_test::make_instance;

namespace {

const sys_time k_now = sys_time{} + std::chrono::hours(24 * 365 * 60);

write_outcome put_events(store::database& db, const std::vector<upstream::event>& list, domain::diff_settings ds = {}) {
    auto r = db.submit_wait<write_outcome>([&](store::write_txn& t) { return apply_events(t, "venue", list, ds, k_now); });
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    return *r;
}

std::size_t live_events(store::database& db) {
    auto r = db.submit_wait<std::size_t>([](store::write_txn& t) -> result<std::size_t> {
        auto e = store::mirror_events(t.conn(), "venue", std::nullopt, std::nullopt, std::nullopt);
        if (!e) return e.error();
        return e->size();
    });
    REQUIRE(r.has_value());
    return *r;
}

std::vector<store::feed_entry> feed_all(store::database& db) {
    auto r = db.submit_wait<std::vector<store::feed_entry>>(
        [](store::write_txn& t) { return store::feed_since(t.conn(), 0, 10000); });
    REQUIRE(r.has_value());
    return *r;
}

}  // namespace

TEST_CASE("events: unchanged rows are not rewritten, changed rows are, each change is fed") {
    mirror_test::fixture f;
    std::vector<upstream::event> list{make_event("E1"), make_event("E2"), make_event("E3")};
    auto first = put_events(*f.db, list);
    CHECK(first.rows == 3);
    CHECK(first.feed_rows == 3);
    CHECK(first.last_feed_seq > 0);

    auto again = put_events(*f.db, list);
    CHECK(again.rows == 0);
    CHECK(again.feed_rows == 0);

    list[1].name = "Renamed";
    auto changed = put_events(*f.db, list);
    CHECK(changed.rows == 1);
    CHECK(changed.feed_rows == 1);
    CHECK(changed.last_feed_seq > first.last_feed_seq);
    auto feed = feed_all(*f.db);
    REQUIRE(feed.size() == 4);
    CHECK(feed.back().entity == std::optional<std::string>("E2"));
    CHECK(feed.back().kind == "event");
}

TEST_CASE("events: tombstoned only after N consecutive missing listings, restored when listed again") {
    mirror_test::fixture f;
    domain::diff_settings ds;
    ds.tombstone_after_misses = 2;
    ds.max_removal_share = 1.0;
    put_events(*f.db, {make_event("E1"), make_event("E2"), make_event("E3")}, ds);
    put_events(*f.db, {make_event("E1"), make_event("E2")}, ds);
    CHECK(live_events(*f.db) == 3);  // one miss: still served
    auto second = put_events(*f.db, {make_event("E1"), make_event("E2")}, ds);
    CHECK(live_events(*f.db) == 2);
    CHECK(feed_all(*f.db).back().payload.find("removed") != std::string::npos);
    CHECK(second.feed_rows == 1);
    put_events(*f.db, {make_event("E1"), make_event("E2"), make_event("E3")}, ds);
    CHECK(live_events(*f.db) == 3);
}

TEST_CASE("events: a sync that would remove more than the allowed share is refused and reported") {
    mirror_test::fixture f;
    domain::diff_settings ds;
    ds.tombstone_after_misses = 1;
    ds.max_removal_share = 0.25;
    put_events(*f.db, {make_event("E1"), make_event("E2"), make_event("E3"), make_event("E4")}, ds);
    auto r = put_events(*f.db, {make_event("E1")}, ds);
    CHECK(r.refused);
    CHECK(r.rows == 0);
    CHECK(live_events(*f.db) == 4);
    CHECK(feed_all(*f.db).back().kind == "sync");
    // One removal out of four is within the share.
    auto ok = put_events(*f.db, {make_event("E1"), make_event("E2"), make_event("E3")}, ds);
    CHECK_FALSE(ok.refused);
    CHECK(live_events(*f.db) == 3);
}

TEST_CASE("instances: cancelled ones stay, flagged; only listed events are in scope for misses") {
    mirror_test::fixture f;
    domain::diff_settings ds;
    ds.tombstone_after_misses = 1;
    ds.max_removal_share = 1.0;
    auto apply = [&](std::vector<upstream::instance> list, std::set<std::string> listed) {
        auto r = f.db->submit_wait<instances_outcome>(
            [&](store::write_txn& t) { return apply_instances(t, "venue", list, listed, ds, k_now); });
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        return *r;
    };
    auto a = make_instance("I1", "E1", k_now + std::chrono::hours(5));
    auto b = make_instance("I2", "E2", k_now + std::chrono::hours(6));
    auto first = apply({a, b}, {"E1", "E2"});
    CHECK(first.live.size() == 2);
    a.cancelled = true;
    auto second = apply({a}, {"E1"});  // E2's listing failed: I2 is not missed
    REQUIRE(second.live.size() == 2);
    CHECK(second.live[0].id == "I1");
    CHECK(second.live[0].cancelled);
    CHECK(second.w.rows == 1);
    CHECK(second.live[0].start_utc < second.live[1].start_utc);
}

TEST_CASE("availability: seat rows written equal seat rows changed; unchanged status is not rewritten") {
    mirror_test::fixture f;
    std::vector<store::mirror_seat_status_input> seats;
    for (int i = 0; i < 1000; ++i) seats.push_back({std::to_string(50000 + i), 0, {}});
    upstream::instance_status st;
    st.counts.capacity = 1000;
    st.counts.available = 1000;
    st.areas.push_back({"A1", "Stalls", st.counts, {}});
    auto put = [&](const upstream::instance_status* s, std::vector<store::mirror_seat_status_input> in_seats) {
        auto r = f.db->submit_wait<availability_outcome>([&](store::write_txn& t) {
            return mirror_test::put_availability(t, "I1", s, k_now, in_seats);
        });
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        return *r;
    };
    auto first = put(&st, seats);
    CHECK(first.seats.rows_changed == 1000);
    CHECK(first.status_rows == 2);
    CHECK(first.w.feed_rows == 1);

    auto same = put(&st, seats);
    CHECK(same.seats.rows_offered == 1000);
    CHECK(same.seats.rows_changed == 0);
    CHECK(same.status_rows == 0);
    CHECK(same.w.feed_rows == 0);

    for (int i = 0; i < 10; ++i) seats[static_cast<std::size_t>(i * 97)].status = 5;
    st.counts.available = 990;
    auto some = put(&st, seats);
    CHECK(some.seats.rows_changed == 10);
    CHECK(some.status_rows == 1);  // the instance row; the area's counts did not change
    CHECK(some.w.feed_rows == 1);

    // A lock type learnt for a seat whose status stays Locked is written; the same again is not.
    seats[0].status = 3;
    seats[0].lock_type = "L1";
    CHECK(put(&st, seats).seats.rows_changed == 1);
    CHECK(put(&st, seats).seats.rows_changed == 0);
    seats[0].lock_type = "L2";
    CHECK(put(&st, seats).seats.rows_changed == 1);
    auto rows = f.db->submit_wait<std::string>([&](store::write_txn& t) -> result<std::string> {
        auto q = t.prepare("test.lock_type", "SELECT lock_type FROM mirror_seat_status WHERE seat_id = '50000'");
        if (!q) return q.error();
        auto more = q->step();
        if (!more || !*more) return std::string("none");
        return q->column_text(0);
    });
    REQUIRE(rows.has_value());
    CHECK(*rows == "L2");
}

TEST_CASE("availability: an area gone upstream leaves the mirror in the same write, its removal counted as a change") {
    mirror_test::fixture f;
    upstream::instance_status st;
    st.counts.capacity = 30;
    st.counts.available = 30;
    upstream::status_counts ten;
    ten.capacity = 10;
    ten.available = 10;
    st.areas.push_back({"A", "Stalls", ten, {}});
    st.areas.push_back({"B", "Circle", ten, {}});
    auto put = [&] {
        auto r = f.db->submit_wait<availability_outcome>([&](store::write_txn& t) {
            return mirror_test::put_availability(t, "I1", &st, k_now);
        });
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        return *r;
    };
    auto areas = [&] {
        auto r = f.db->submit_wait<std::vector<std::string>>([](store::write_txn& t) -> result<std::vector<std::string>> {
            auto rows = store::mirror_statuses(t.conn(), "venue", "I1");
            if (!rows) return rows.error();
            std::vector<std::string> out;
            for (const auto& x : *rows) out.push_back(x.area_id);
            return out;
        });
        REQUIRE(r.has_value());
        return *r;
    };
    CHECK(put().status_rows == 3);
    CHECK(areas() == std::vector<std::string>{"", "A", "B"});

    st.areas.pop_back();  // B is gone; nothing else changed
    auto gone = put();
    CHECK(gone.status_rows == 1);  // the removal, and only it: A and the instance row are not rewritten
    CHECK(gone.w.feed_rows == 1);
    CHECK(areas() == std::vector<std::string>{"", "A"});

    auto same = put();
    CHECK(same.status_rows == 0);
    CHECK(same.w.feed_rows == 0);

    // Another instance's areas are not touched by this one's write.
    auto other = f.db->submit_wait<std::uint64_t>([](store::write_txn& t) {
        return store::mirror_put_status(t, "venue", "I2", {{"", "", 5, 5, 0, 0, 0, 0, 0}, {"B", "Circle", 5, 5, 0, 0, 0, 0, 0}});
    });
    REQUIRE(other.has_value());
    CHECK(*other == 2);
    CHECK(put().status_rows == 0);
    auto i2 = f.db->submit_wait<std::size_t>([](store::write_txn& t) -> result<std::size_t> {
        auto rows = store::mirror_statuses(t.conn(), "venue", "I2");
        if (!rows) return rows.error();
        return rows->size();
    });
    REQUIRE(i2.has_value());
    CHECK(*i2 == 2);
}

TEST_CASE("price lists and plans are rewritten only when their content hash changes") {
    mirror_test::fixture f;
    upstream::price_list pl;
    pl.id = "L1";
    pl.prices.push_back({"p1", {"T1", "Adult"}, {"B1", "Band A"}, money{4550}, true});
    auto put = [&](const upstream::price_list& p) {
        auto r = f.db->submit_wait<write_outcome>([&](store::write_txn& t) { return apply_price_list(t, "venue", p, k_now); });
        REQUIRE(r.has_value());
        return *r;
    };
    CHECK(put(pl).rows == 2);
    CHECK(put(pl).rows == 0);
    pl.prices[0].amount = money{4600};
    CHECK(put(pl).rows == 2);

    upstream::plan p;
    p.id = "P1";
    p.name = "House";
    upstream::area stalls;
    stalls.id = "A1";
    stalls.name = "Stalls";
    stalls.seats.push_back({"1", "A1", "A", 1, 10, 20, std::string("B1")});
    stalls.seats.push_back({"2", "A2", "A", 2, 30, 20, std::string("B1")});
    p.children.push_back(stalls);
    auto wp = f.db->submit_wait<write_outcome>([&](store::write_txn& t) { return apply_plan(t, "venue", p, k_now); });
    REQUIRE(wp.has_value());
    CHECK(wp->rows == 5);  // root + 1 area + 2 seats + plan row
    auto again = f.db->submit_wait<write_outcome>([&](store::write_txn& t) { return apply_plan(t, "venue", p, k_now); });
    REQUIRE(again.has_value());
    CHECK(again->rows == 0);
}
