// The answer cache over a real SQLite mirror written by the sync's own write functions: every
// cached route serves the new answer right after a committed change (and the same bytes as
// an uncached read), a poll that only re-confirms availability moves its time, the age keeps
// counting on hits, reservation rows evict nothing, and the byte cap holds.
#include "agentd/mirror/answer_cache.hpp"
#include "agentd/mirror/view.hpp"
#include "agentd/mirror/write.hpp"
#include "agentd/core/time.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/mirror_store.hpp"
#include "tests/unit/mirror/mirror_support.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::mirror;
using namespace std::chrono_literals;

namespace {

struct rig {
    mirror_test::fixture f;
    manual_clock clk;
    mirror::mirror_view view{f.path, clk};
    std::unique_ptr<mirror::answer_cache> cache;
    domain::diff_settings ds;
    std::vector<upstream::event> events{mirror_test::make_event("E1", "Hamlet")};
    std::vector<upstream::instance> instances;
    upstream::price_list prices;
    upstream::plan plan;
    upstream::instance_status status;

    explicit rig(std::size_t max_bytes = 16 << 20, int n_instances = 2) {
        cache = mirror::make_answer_cache(view, f.path, f.db.get(), &clk, max_bytes);
        for (int i = 1; i <= n_instances; ++i)
            instances.push_back(mirror_test::make_instance("I" + std::to_string(i), "E1", clk.now() + 48h));
        prices.id = "L1";
        prices.prices.push_back({"p1", {"T1", "Adult"}, {"B1", "Band A"}, money{4550}, true});
        plan.id = "P1";
        upstream::area stalls;
        stalls.id = "A1";
        stalls.name = "Stalls";
        stalls.band_id = "B1";
        stalls.seats.push_back({"101", "A1", "A", 1, 10, 20, std::nullopt});
        stalls.seats.push_back({"102", "A2", "A", 2, 30, 20, std::nullopt});
        plan.children.push_back(stalls);
        status.counts.capacity = 2;
        status.counts.available = 2;
        status.areas.push_back({"A1", "Stalls", status.counts, {}});
        write([&](store::write_txn& t) -> result<void> {
            if (auto r = store::mirror_put_client(t, "venue", "agent1", {"agent1"}); !r) return r.error();
            if (auto r = apply_events(t, "venue", events, ds, clk.now()); !r) return r.error();
            if (auto r = apply_instances(t, "venue", instances, {"E1"}, ds, clk.now()); !r) return r.error();
            if (auto r = apply_price_list(t, "venue", prices, clk.now()); !r) return r.error();
            if (auto r = apply_plan(t, "venue", plan, clk.now()); !r) return r.error();
            return {};
        });
        for (const auto& i : instances) poll(i.id, 101, upstream::seat_state::available);
    }

    void write(std::function<result<void>(store::write_txn&)> job) {
        auto r = f.db->submit_wait<bool>([&](store::write_txn& t) -> result<bool> {
            if (auto x = job(t); !x) return x.error();
            return true;
        });
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    }

    // One availability poll of `instance`: the counts in `status`, seat `seat` in `state`,
    // confirmed now.
    void poll(const std::string& instance, int seat, upstream::seat_state state) {
        write([&](store::write_txn& t) -> result<void> {
            availability_input in;
            in.instance = instance;
            in.status = &status;
            in.seats = {{std::to_string(seat), static_cast<int>(state), {}}};
            in.state.resource = "avail:" + instance;
            in.state.last_success = to_ms(clk.now());
            auto r = apply_availability(t, "venue", in, clk.now());
            if (!r) return r.error();
            return {};
        });
    }

    template <class T>
    static std::string encoded(const result<T>& r) {
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        return api::to_json(*r);
    }
    std::string cached_instance(const std::string& id) {
        auto r = cache->instance("venue", id);
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        CHECK(*r == encoded(view.instance("venue", id)));  // the same bytes as uncached, same clock
        return *r;
    }
    std::string cached_seats(const std::string& id) {
        auto r = cache->seats("venue", id);
        REQUIRE(r.has_value());
        CHECK(*r == encoded(view.seats("venue", id)));
        return *r;
    }
    std::string cached_list() {
        api::instance_query q{"venue", std::nullopt, std::nullopt, std::nullopt};
        auto r = cache->instances(q);
        REQUIRE(r.has_value());
        CHECK(*r == encoded(view.instances(q)));
        return *r;
    }
    std::string cached_events() {
        api::event_query q{"venue", std::nullopt, std::nullopt, std::nullopt};
        auto r = cache->events(q);
        REQUIRE(r.has_value());
        CHECK(*r == encoded(view.events(q)));
        return *r;
    }
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("answer cache: a second read is a hit with the same bytes; the age keeps counting") {
    rig r;
    auto first = r.cached_instance("I1");
    auto hits = r.cache->stats().hits;
    CHECK(r.cached_instance("I1") == first);
    CHECK(r.cache->stats().hits == hits + 1);
    r.clk.advance(7s);
    auto later = r.cached_instance("I1");  // compared with the view at the same clock inside
    CHECK(has(later, "\"availabilityAge\":7.0"));
    CHECK(r.cache->stats().hits == hits + 2);
}

TEST_CASE("answer cache: availability changes reach the instance, its seats and the listing at once") {
    rig r;
    CHECK(has(r.cached_instance("I1"), "\"available\":2"));
    CHECK(has(r.cached_seats("I1"), R"("id":"102","name":"A2","area":"A1","row":"A","priceBand":"B1","status":"unknown")"));
    CHECK(has(r.cached_list(), "\"available\":2"));
    r.cached_instance("I1");
    r.cached_seats("I1");
    const auto before = r.cache->stats();

    r.status.counts.available = 1;
    r.poll("I1", 102, upstream::seat_state::sold);
    CHECK(has(r.cached_instance("I1"), "\"available\":1"));
    CHECK(has(r.cached_seats("I1"), R"("id":"102","name":"A2","area":"A1","row":"A","priceBand":"B1","status":"sold")"));
    CHECK(has(r.cached_list(), "\"available\":1"));
    const auto after = r.cache->stats();
    CHECK(after.invalidated >= before.invalidated + 3);
    CHECK(after.resets == before.resets);  // evicted one by one, not by clearing everything
}

TEST_CASE("answer cache: a poll that only re-confirms availability moves the confirmation time") {
    rig r;
    auto first = r.cached_instance("I1");
    auto seats = r.cached_seats("I1");
    r.clk.advance(30s);
    r.poll("I1", 101, upstream::seat_state::available);  // nothing changed: no feed row
    auto again = r.cached_instance("I1");
    CHECK(again != first);
    CHECK(has(again, "\"availabilityAge\":0.0"));
    CHECK(has(again, "\"availabilityConfirmedAt\":\"" + format_iso_utc_ms(r.clk.now()) + "\""));
    CHECK(r.cached_seats("I1") != seats);
}

TEST_CASE("answer cache: catalogue changes (instance, event, prices, plan) evict what they feed") {
    rig r;
    r.cached_instance("I1");
    r.cached_list();
    r.cached_events();
    r.cached_seats("I1");

    r.instances[0].is_on_sale = false;
    r.write([&](store::write_txn& t) -> result<void> {
        auto x = apply_instances(t, "venue", r.instances, {"E1"}, r.ds, r.clk.now());
        if (!x) return x.error();
        return {};
    });
    CHECK(has(r.cached_instance("I1"), "\"onSale\":false"));
    CHECK(has(r.cached_list(), R"("id":"I1","client":"venue","event":"E1","eventName":"Hamlet","start":"2030-01-01T19:30:00")"));

    r.events[0].name = "Macbeth";
    r.write([&](store::write_txn& t) -> result<void> {
        auto x = apply_events(t, "venue", r.events, r.ds, r.clk.now());
        if (!x) return x.error();
        return {};
    });
    CHECK(has(r.cached_events(), "\"name\":\"Macbeth\""));
    CHECK(has(r.cached_instance("I1"), "\"eventName\":\"Macbeth\""));
    CHECK(has(r.cached_list(), "\"eventName\":\"Macbeth\""));

    r.prices.prices[0].amount = money{5000};
    r.write([&](store::write_txn& t) -> result<void> {
        auto x = apply_price_list(t, "venue", r.prices, r.clk.now());
        if (!x) return x.error();
        return {};
    });
    CHECK(has(r.cached_instance("I1"), "\"price\":\"50.00\""));

    r.plan.children[0].seats[0].name = "Z9";
    r.write([&](store::write_txn& t) -> result<void> {
        auto x = apply_plan(t, "venue", r.plan, r.clk.now());
        if (!x) return x.error();
        return {};
    });
    CHECK(has(r.cached_seats("I1"), "\"name\":\"Z9\""));
}

TEST_CASE("answer cache: reservation rows evict nothing; a row it cannot read clears everything") {
    rig r;
    r.cached_instance("I1");
    r.cached_list();
    r.write([&](store::write_txn& t) -> result<void> {
        store::feed_entry e{0, "2030-01-01T00:00:00.000Z", "reservation", std::string("venue"), std::string("r_1"),
                            api::to_json(api::feed_reservation{"r_1", "web", "held", 2})};
        auto x = store::append_feed(t, e);
        if (!x) return x.error();
        return {};
    });
    auto s = r.cache->stats();
    r.cached_instance("I1");
    r.cached_list();
    CHECK(r.cache->stats().hits == s.hits + 2);

    r.write([&](store::write_txn& t) -> result<void> {
        store::feed_entry e{0, "2030-01-01T00:00:00.000Z", "availability", std::string("venue"), std::string("I1"),
                            R"({"not":"an availability event"})"};
        auto x = store::append_feed(t, e);
        if (!x) return x.error();
        return {};
    });
    r.cached_instance("I1");
    const auto after = r.cache->stats();
    CHECK(after.resets == s.resets + 1);
    CHECK(after.misses == s.misses + 1);
}

TEST_CASE("answer cache: bounded by bytes, least recently used out first") {
    rig big(16 << 20, 12);
    for (int i = 1; i <= 12; ++i) big.cached_instance("I" + std::to_string(i));
    const auto per_entry = big.cache->stats().bytes / 12;
    REQUIRE(per_entry > 0);

    rig r(per_entry * 4 + per_entry / 2, 12);  // room for four
    for (int i = 1; i <= 12; ++i) {
        r.cached_instance("I" + std::to_string(i));
        r.cached_instance("I1");  // kept warm: never the least recently used
    }
    const auto s = r.cache->stats();
    CHECK(s.max_bytes == per_entry * 4 + per_entry / 2);  // reported as the cap (agentd_api_cache_max_bytes)
    CHECK(s.bytes <= per_entry * 4 + per_entry / 2);
    CHECK(s.entries == 4);
    CHECK(s.evicted == 12 - 4);
    const auto hits = s.hits;
    r.cached_instance("I1");
    r.cached_instance("I12");
    CHECK(r.cache->stats().hits == hits + 2);
    r.cached_instance("I2");  // evicted long ago
    CHECK(r.cache->stats().misses == s.misses + 1);
}

TEST_CASE("answer cache: size 0 answers everything uncached; bad ids are answered, never cached") {
    rig r(0);
    r.cached_instance("I1");
    r.cached_instance("I1");
    CHECK(r.cache->stats().hits == 0);
    CHECK(r.cache->stats().entries == 0);
    CHECK(r.cache->stats().max_bytes == 0);
    rig on;
    CHECK(on.cache->instance("venue", "I\x01" "1").error().code == errc::not_found);
    CHECK(on.cache->instance("venue", "nope").error().code == errc::not_found);
    CHECK(on.cache->stats().entries == 0);
}
