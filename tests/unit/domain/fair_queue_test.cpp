#include "agentd/domain/fair_queue.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>

using namespace agentd;
using namespace agentd::domain;

namespace {
fair_queue_settings unlimited() {
    fair_queue_settings s;
    s.max_in_flight_per_client = 1'000'000;
    return s;
}
}  // namespace

TEST_CASE("FIFO within a channel and client") {
    fair_queue<int> q(unlimited());
    for (int i = 0; i < 10; ++i) REQUIRE(q.push("web", i % 2 ? "c1" : "c2", i).has_value());
    CHECK(q.size() == 10);
    for (int i = 0; i < 10; ++i) {
        auto e = q.pop();
        REQUIRE(e.has_value());
        CHECK(e->item == i);
        q.done(e->client);
    }
    CHECK_FALSE(q.pop().has_value());
    CHECK(q.empty());
}

TEST_CASE("weights 3:1 give 3:1 service under contention") {
    auto s = unlimited();
    s.channel_weights = {{"web", 3}, {"box", 1}};
    fair_queue<int> q(s);
    for (int i = 0; i < 200; ++i) {
        REQUIRE(q.push("web", "c", i).has_value());
        REQUIRE(q.push("box", "c", 1000 + i).has_value());
    }
    std::map<std::string, int> served;
    int last_web = -1, last_box = 999;
    for (int i = 0; i < 200; ++i) {
        auto e = q.pop();
        REQUIRE(e.has_value());
        ++served[e->channel];
        // FIFO inside each channel while interleaving
        int& last = e->channel == "web" ? last_web : last_box;
        CHECK(e->item > last);
        last = e->item;
        q.done(e->client);
    }
    CHECK(served["web"] == 150);
    CHECK(served["box"] == 50);
    SUBCASE("smooth: the light channel is never starved for long") {
        // With SWRR at 3:1, box is served at least once in every 4 consecutive pops.
        fair_queue<int> q2(s);
        for (int i = 0; i < 40; ++i) {
            REQUIRE(q2.push("web", "c", i).has_value());
            REQUIRE(q2.push("box", "c", i).has_value());
        }
        int since_box = 0, worst = 0;
        for (int i = 0; i < 40; ++i) {
            auto e = q2.pop();
            REQUIRE(e.has_value());
            since_box = e->channel == "box" ? 0 : since_box + 1;
            worst = std::max(worst, since_box);
        }
        CHECK(worst <= 3);
    }
}

TEST_CASE("no starvation: a weight-1 channel among heavy ones is served") {
    auto s = unlimited();
    s.channel_weights = {{"a", 10}, {"b", 10}};
    fair_queue<int> q(s);
    for (int i = 0; i < 100; ++i) {
        REQUIRE(q.push("a", "c", i).has_value());
        REQUIRE(q.push("b", "c", i).has_value());
    }
    REQUIRE(q.push("small", "c", 7).has_value());
    int pops = 0;
    for (;;) {
        auto e = q.pop();
        REQUIRE(e.has_value());
        ++pops;
        if (e->channel == "small") break;
    }
    CHECK(pops <= 21);
}

TEST_CASE("in-flight bound per client") {
    fair_queue_settings s;
    s.max_in_flight_per_client = 2;
    fair_queue<int> q(s);
    for (int i = 0; i < 4; ++i) REQUIRE(q.push("web", "busy", i).has_value());
    REQUIRE(q.push("web", "idle", 100).has_value());
    CHECK(q.pop()->item == 0);
    CHECK(q.pop()->item == 1);
    CHECK(q.in_flight("busy") == 2);
    SUBCASE("a blocked client is skipped, others proceed") {
        CHECK(q.pop()->item == 100);
        CHECK_FALSE(q.pop().has_value());
        q.done("busy");
        CHECK(q.pop()->item == 2);  // still in order for that client
        CHECK_FALSE(q.pop().has_value());
        q.done("busy");
        q.done("busy");
        CHECK(q.pop()->item == 3);
    }
    SUBCASE("done for an unknown client does nothing") {
        q.done("nobody");
        CHECK(q.in_flight("nobody") == 0);
        CHECK(q.in_flight("busy") == 2);
    }
}

TEST_CASE("bounds refuse with retryable errors and leave the queue unchanged") {
    fair_queue_settings s;
    s.max_total = 5;
    s.max_per_channel = 3;
    fair_queue<int> q(s);
    for (int i = 0; i < 3; ++i) REQUIRE(q.push("web", "c", i).has_value());
    auto per_channel = q.push("web", "c", 3);
    REQUIRE(per_channel.has_error());
    CHECK(per_channel.error().code == errc::rate_limited);
    CHECK(per_channel.error().retryable());
    CHECK(per_channel.error().message.find("channel web") != std::string::npos);
    REQUIRE(q.push("box", "c", 10).has_value());
    REQUIRE(q.push("box", "c", 11).has_value());
    auto total = q.push("app", "c", 20);
    REQUIRE(total.has_error());
    CHECK(total.error().code == errc::unavailable);
    CHECK(total.error().retryable());
    CHECK(q.size() == 5);
    CHECK(q.backlog("web") == 3);
    CHECK(q.backlog("app") == 0);
}

TEST_CASE("erase_if removes waiting items") {
    fair_queue<std::string> q(unlimited());
    REQUIRE(q.push("web", "c", "r1").has_value());
    REQUIRE(q.push("web", "c", "r2").has_value());
    REQUIRE(q.push("box", "c", "r3").has_value());
    CHECK(q.erase_if([](const auto& e) { return e.item == "r2"; }) == 1);
    CHECK(q.size() == 2);
    CHECK(q.backlog("web") == 1);
    std::vector<std::string> got;
    while (auto e = q.pop()) got.push_back(e->item);
    CHECK(got.size() == 2);
    CHECK(std::find(got.begin(), got.end(), "r2") == got.end());
}

TEST_CASE("membership follows push, readmit, pop and erase_if") {
    fair_queue<std::string> q(unlimited());
    REQUIRE(q.push("web", "c", "r1").has_value());
    q.readmit("box", "c", "r2");
    CHECK(q.contains(std::string("r1")));
    CHECK(q.contains(std::string_view("r2")));
    CHECK_FALSE(q.contains(std::string("r3")));
    CHECK(q.erase_if([](const auto& e) { return e.item == "r1"; }) == 1);
    CHECK_FALSE(q.contains(std::string("r1")));
    auto e = q.pop();
    REQUIRE(e.has_value());
    CHECK(e->item == "r2");
    CHECK_FALSE(q.contains(std::string("r2")));
    CHECK(q.empty());
}

TEST_CASE("a channel whose clients are all at their bound is passed over until one is done") {
    fair_queue_settings s;
    s.max_in_flight_per_client = 1;
    fair_queue<int> q(s);
    for (int i = 0; i < 1000; ++i) REQUIRE(q.push("web", "busy", i).has_value());
    REQUIRE(q.push("box", "idle", 5000).has_value());
    auto first = q.pop();
    REQUIRE(first.has_value());
    auto second = q.pop();
    REQUIRE(second.has_value());
    // One of each client went; every remaining item belongs to a client at its bound.
    CHECK(first->client != second->client);
    CHECK_FALSE(q.pop().has_value());
    CHECK(q.size() == 999);
    q.done("busy");
    auto next = q.pop();
    REQUIRE(next.has_value());
    CHECK(next->item == 1);  // FIFO kept for the blocked client
}
