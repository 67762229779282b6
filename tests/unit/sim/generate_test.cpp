#include "sim/world.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace agentd;
using namespace agentd::sim;

namespace {
const sys_time k_now = sys_time{} + std::chrono::hours(24 * 365 * 56);
}

TEST_CASE("ids have the Spektrix shape") {
    auto id = make_id(34001, 7);
    CHECK(id.size() == 33);
    CHECK(id.substr(0, 6) == "34001A");
    for (auto ch : id.substr(6)) CHECK(std::string_view("BCDGHJKLMNPQRSTV").find(ch) != std::string_view::npos);
    CHECK(make_id(34001, 7) == id);
    CHECK(make_id(34001, 8) != id);
}

TEST_CASE("the same seed gives the same world; sizes have their shape") {
    auto a = generate_world({1, size_preset::small, 0, k_now});
    auto b = generate_world({1, size_preset::small, 0, k_now});
    auto c = generate_world({2, size_preset::small, 0, k_now});
    REQUIRE(a.clients.size() == 3);
    CHECK(a.clients[0].name == "royalcourt");
    CHECK(a.clients[1].name == "lyric");
    CHECK(a.clients[2].name == "cornexchange");
    CHECK(a.clients[0].instances[3].id == b.clients[0].instances[3].id);
    CHECK(a.clients[0].accounts[0].secret_b64 == b.clients[0].accounts[0].secret_b64);
    CHECK(a.clients[0].accounts[0].secret_b64 != c.clients[0].accounts[0].secret_b64);
    CHECK(a.clients[0].accounts[0].key.size() == 32);
    for (auto& cl : a.clients) {
        CHECK(cl.events.size() == 5);
        CHECK(cl.instances.size() == 20);
        CHECK(cl.accounts.size() >= 1);
        CHECK(cl.accounts.size() <= 2);
        for (auto& p : cl.plans) {
            CHECK(p.capacity() >= 150);
            CHECK(p.capacity() <= 400);
            CHECK(p.areas.size() >= 2);
        }
        int hidden = 0, off = 0;
        for (auto& in : cl.instances) {
            CHECK(in.start > k_now + std::chrono::hours(1));
            CHECK(in.start < k_now + std::chrono::days(121));
            hidden += !in.agent_visible;
            off += !in.agent_on_sale || in.cancelled;
        }
        CHECK(hidden + off > 0);
    }
    auto t = generate_world({1, size_preset::tiny, 0, k_now});
    REQUIRE(t.clients.size() == 1);
    CHECK(t.clients[0].name == "tinyvenue");
    CHECK(t.clients[0].instances.size() == 2);
    CHECK(t.clients[0].plans[0].capacity() == 30);
    CHECK(t.clients[0].bands.size() == 2);
    CHECK(t.clients[0].types.size() == 2);
    auto v = generate_world({1, size_preset::venue300, 0, k_now});
    CHECK(v.clients[0].instances.size() == 300);
    CHECK(v.clients[0].plans[0].capacity() == 1000);
}

TEST_CASE("the large world has ten million seats") {
    auto w = generate_world({1, size_preset::large, 0, k_now});
    CHECK(w.clients.size() == 50);
    CHECK(w.total_slots() >= 10'000'000);
    std::set<std::string> names;
    for (auto& c : w.clients) names.insert(c.name);
    CHECK(names.size() == 50);
}
