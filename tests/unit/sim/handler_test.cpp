// The request handler in process: catalogue filters, agent visibility and selling windows,
// area status, rate limit and routing, over the small world.
#include "signed_request.hpp"
#include "sim/simulator.hpp"

#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::sim;

namespace {

struct small_sim {
    settings s;
    std::unique_ptr<simulator> sim;
    explicit small_sim(double rate = 0) {
        s.size = size_preset::small;
        s.rate = rate;
        s.burst = 2;
        sim = std::make_unique<simulator>(generate_world({1, size_preset::small, 0, std::chrono::system_clock::now()}), s);
    }
    const client& c() const { return sim->catalogue().clients[0]; }
    http_response call(std::string method, std::string path, std::string body = "") {
        return sim->handle(test::signed_request(c(), c().accounts[0], std::move(method), path, std::move(body)));
    }
};

std::size_t count(const std::string& s, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("hidden instances are absent and forbidden; off-sale ones refuse tickets with 21") {
    small_sim t;
    const instance* hidden = nullptr;
    const instance* off = nullptr;
    for (auto& in : t.c().instances) {
        if (!in.agent_visible && !hidden) hidden = &in;
        if (in.agent_visible && (!in.agent_on_sale || in.cancelled) && !off) off = &in;
    }
    REQUIRE(hidden);
    REQUIRE(off);
    auto& ev = t.c().events[hidden->event];
    auto list = t.call("GET", "events/" + ev.id + "/instances");
    CHECK(list.status == 200);
    CHECK(list.body.find(hidden->id) == std::string::npos);
    CHECK(t.call("GET", "instances/" + hidden->id).status == 403);
    CHECK(t.call("GET", "instances/" + hidden->id + "/status").status == 403);

    auto b = t.call("POST", "baskets", "{}");
    REQUIRE(b.status == 201);
    auto id = b.body.substr(7, 33);
    auto& p = t.c().plans[off->plan];
    auto body = R"([{"instance":")" + off->id + R"(","seat":")" + std::to_string(p.seat_id_base) + R"(","type":")" + t.c().types[0].id + "\"}]";
    auto r = t.call("POST", "baskets/" + id + "/tickets", body);
    CHECK(r.status == 409);
    CHECK(r.body.find("\"errorCode\":21") != std::string::npos);
}

TEST_CASE("event date filters narrow the listing; a bad date is 400") {
    small_sim t;
    auto all = t.call("GET", "events");
    REQUIRE(all.status == 200);
    CHECK(count(all.body, "\"firstInstanceDateTimeUtc\"") == 5);
    auto none = t.call("GET", "events?instanceStart_from=2001-01-01&instanceStart_to=2001-01-02");
    CHECK(none.body == "[]");
    auto& first = t.c().instances[t.c().events[0].instances[0]];
    auto day = format_date_utc(first.start);
    auto one = t.call("GET", "events?instanceStart_from=" + day + "&instanceStart_to=" + day);
    CHECK(one.body.find(t.c().events[0].id) != std::string::npos);
    CHECK(t.call("GET", "events?instanceStart_to=31/12/2026").status == 400);
    auto dt = t.call("GET", "events?instanceStart_from=" + day + "T00:00:00");
    CHECK(dt.status == 200);
}

TEST_CASE("area status counts add up to the instance's") {
    small_sim t;
    auto& in = t.c().instances[0];
    auto& p = t.c().plans[in.plan];
    auto whole = t.call("GET", "instances/" + in.id + "/status?includeChildPlans=true");
    REQUIRE(whole.status == 200);
    std::size_t leaves = 0;
    for (auto& a : p.areas) leaves += a.leaf();
    CHECK(count(whole.body, "\"capacity\"") == leaves + 1);
    for (auto& a : p.areas) {
        auto r = t.call("GET", "instances/" + in.id + "/status/areas/" + a.id);
        CHECK(r.status == 200);
    }
    CHECK(t.call("GET", "instances/" + in.id + "/status/areas/nope").status == 404);
    CHECK(t.call("GET", "instances/" + in.id + "/plan").body.find("\"Unreserved\"") != std::string::npos);
}

TEST_CASE("the per-account token bucket answers 429 with Retry-After") {
    small_sim t(0.01);
    CHECK(t.call("GET", "events").status == 200);
    CHECK(t.call("GET", "events").status == 200);
    auto r = t.call("GET", "events");
    CHECK(r.status == 429);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].first == "Retry-After");
    CHECK(std::stoi(r.headers[0].second) >= 1);
}
