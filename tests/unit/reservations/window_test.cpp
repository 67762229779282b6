// Do-not-transact windows in the reservation service, on the manual clock: queued work waits
// with nothing sent and no attempt spent, creates are refused where the window says so,
// extends are refused, confirms wait, and a hold ending inside the coming window is clipped.
#include "tests/unit/reservations/fixture.hpp"

#include "agentd/core/time.hpp"

using namespace agentd;
using namespace agentd::test;
using std::chrono::minutes;

namespace {

// A one-off window [from, until) in UTC for the fixture's client.
domain::window_schedule one_off(sys_time from, sys_time until, domain::window_creates creates) {
    domain::window_rule r;
    r.name = "close";
    r.recurring = false;
    r.from = domain::window_moment{std::chrono::floor<std::chrono::seconds>(from), false};
    r.until = domain::window_moment{std::chrono::floor<std::chrono::seconds>(until), false};
    r.creates = creates;
    return domain::window_schedule({r}, time_zone::utc());
}

struct windowed {
    res_fixture f;
    domain::window_schedule schedule;
    windowed() {
        f.svc->set_windows([this](std::string_view client, sys_time now) {
            return client == k_client ? schedule.state_at(now) : domain::window_state{};
        });
    }
    std::ptrdiff_t upstream_calls() const { return static_cast<std::ptrdiff_t>(f.up.calls.size()); }
};

}  // namespace

TEST_CASE("queued work waits out a window without a request or an attempt, then is placed") {
    windowed w;
    const auto t0 = w.f.clock.now();
    w.schedule = one_off(t0 - minutes(1), t0 + minutes(30), domain::window_creates::queue);
    w.f.start_worker();
    auto c = w.f.create("k1", w.f.seats_req({"S1"}));
    REQUIRE(c.has_value());
    // Let the worker take it and look at it a few times (the drive re-checks every second at most).
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    w.f.pump([&] { return std::chrono::steady_clock::now() >= until; });
    CHECK(w.f.state(c->reservation.id) == "queued");
    CHECK(w.upstream_calls() == 0);
    // The window ends (the clock passes it): placed, on its first attempt.
    w.f.clock.advance(minutes(31));
    auto r = w.f.settle(c->reservation.id);
    CHECK(r.state == "held");
    CHECK(w.f.count("create_basket") == 1);
    auto h = w.f.svc->history(c->reservation.id);
    REQUIRE(h.has_value());
    int placing = 0;
    for (const auto& e : *h) placing += e.state == "placing" && e.note.find("attempt 1") != std::string::npos;
    CHECK(placing == 1);
    w.f.stop_worker();
}

TEST_CASE("a refusing window answers do_not_transact with its end; extends are refused, confirms wait") {
    windowed w;
    w.f.start_worker();
    auto held = w.f.hold({"S1"});
    const auto t0 = w.f.clock.now();
    const auto end = std::chrono::floor<std::chrono::seconds>(t0 + minutes(30));
    w.schedule = one_off(t0, end, domain::window_creates::refuse);
    const auto calls = w.upstream_calls();

    auto c = w.f.create("k2", w.f.seats_req({"S2"}));
    REQUIRE_FALSE(c.has_value());
    CHECK(c.error().code == errc::do_not_transact);
    CHECK(c.error().retryable());
    CHECK(c.error().retry_at == end);

    auto x = w.f.run(w.f.svc->extend(held.id, {}));
    REQUIRE_FALSE(x.has_value());
    CHECK(x.error().code == errc::do_not_transact);

    auto conf = w.f.run(w.f.svc->confirm(held.id, w.f.customer()));
    REQUIRE(conf.has_value());
    CHECK(conf->state == "confirming");
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    w.f.pump([&] { return std::chrono::steady_clock::now() >= until; });
    CHECK(w.f.state(held.id) == "confirming");
    CHECK(w.upstream_calls() == calls);

    w.f.clock.advance(minutes(31));
    CHECK(w.f.settle(held.id).state == "confirmed");
    w.f.stop_worker();
}

TEST_CASE("a hold that would end inside the coming window ends before it starts") {
    windowed w;
    w.f.start_worker();
    auto held = w.f.hold({"S1"});
    const auto t0 = w.f.clock.now();
    REQUIRE(held.expires_at == format_iso_utc(t0 + minutes(18)));
    const auto feed_before = w.f.feed.size();
    // Starts in 10 minutes, lasts an hour: the hold's 18 minutes would end inside it.
    const auto start = std::chrono::floor<std::chrono::seconds>(t0 + minutes(10));
    w.schedule = one_off(start, start + minutes(60), domain::window_creates::queue);
    const auto cut = format_iso_utc(start - std::chrono::seconds(5));
    // The channel is told on the feed. That notice follows the commit's completion on the
    // io_context, so a reader (PostgreSQL's above all) may see the new deadline first: wait
    // for both (the pump fails the test if either never comes).
    w.f.pump([&] { return w.f.svc->get(held.id)->expires_at == cut && w.f.feed.size() > feed_before; });
    auto r = *w.f.svc->get(held.id);
    CHECK(r.state == "held");
    CHECK(r.version == held.version + 1);
    // A hold ending after the window is left alone.
    w.schedule = one_off(t0 + minutes(1), t0 + minutes(2), domain::window_creates::queue);
    auto other = w.f.hold({"S2"}, "k2");
    CHECK(other.expires_at == format_iso_utc(w.f.clock.now() + minutes(18)));
    w.f.stop_worker();
}
