#include "agentd/domain/diff.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::domain;

namespace {
using ids = std::vector<std::string>;
}

TEST_CASE("fnv1a64 matches the published test vectors") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("content hasher separates fields") {
    auto h1 = content_hasher{}.field("ab").field("c").value();
    auto h2 = content_hasher{}.field("a").field("bc").value();
    CHECK(h1 != h2);
    CHECK(content_hasher{}.field(std::int64_t{3550}).value() != content_hasher{}.field(std::int64_t{3551}).value());
    CHECK(content_hasher{}.field("x").field(std::int64_t{1}).value() ==
          content_hasher{}.field("x").field(std::int64_t{1}).value());
}

TEST_CASE("diff of a listing against the mirror") {
    diff_settings s{3, 0.5};
    std::map<std::string, known_entity> prev = {
        {"same", {1, 0, false}},   {"changed", {2, 0, false}}, {"back", {3, 1, false}},
        {"gone1", {4, 0, false}},  {"gone3", {5, 2, false}},   {"dead", {6, 5, true}},
        {"risen", {7, 4, true}},   {"live1", {8, 0, false}},   {"live2", {9, 0, false}},
    };
    std::map<std::string, std::uint64_t> fresh = {
        {"same", 1}, {"changed", 20}, {"back", 3}, {"risen", 70}, {"new", 10}, {"live1", 8}, {"live2", 9},
    };
    auto p = diff_listing(prev, fresh, s);
    REQUIRE_MESSAGE(p.has_value(), p.error().message);
    CHECK(p->inserts == ids{"new"});
    CHECK(p->updates == ids{"changed"});
    CHECK(p->unchanged == ids{"live1", "live2", "same"});
    CHECK(p->seen_again == ids{"back"});
    CHECK(p->missed == ids{"gone1"});
    CHECK(p->tombstones == ids{"gone3"});
    CHECK(p->resurrections == ids{"risen"});
    CHECK(p->writes() == 6);
}

TEST_CASE("an identical listing writes nothing") {
    std::map<std::string, known_entity> prev = {{"a", {1, 0, false}}, {"b", {2, 0, false}}};
    auto p = diff_listing(prev, {{"a", 1}, {"b", 2}}, diff_settings{});
    REQUIRE(p.has_value());
    CHECK(p->writes() == 0);
    CHECK(p->unchanged.size() == 2);
}

TEST_CASE("one missed read never removes; N consecutive misses tombstone") {
    diff_settings s{3, 1.0};
    std::map<std::string, known_entity> prev = {{"a", {1, 0, false}}, {"b", {2, 0, false}}};
    std::map<std::string, std::uint64_t> fresh = {{"b", 2}};
    for (int round = 1; round <= 3; ++round) {
        CAPTURE(round);
        auto p = diff_listing(prev, fresh, s);
        REQUIRE(p.has_value());
        if (round < 3) {
            CHECK(p->missed == ids{"a"});
            CHECK(p->tombstones.empty());
            ++prev["a"].misses;  // what the store writes back
        } else {
            CHECK(p->tombstones == ids{"a"});
        }
    }
}

TEST_CASE("a listing that would remove too much of the catalogue is refused") {
    std::map<std::string, known_entity> prev;
    for (int i = 0; i < 10; ++i) prev["e" + std::to_string(i)] = {1, 2, false};
    std::map<std::string, std::uint64_t> fresh;
    for (int i = 0; i < 7; ++i) fresh["e" + std::to_string(i)] = 1;  // 3 of 10 would go
    SUBCASE("above the share: conflict with counts and share") {
        auto p = diff_listing(prev, fresh, diff_settings{3, 0.25});
        REQUIRE(p.has_error());
        CHECK(p.error().code == errc::conflict);
        CHECK_MESSAGE(p.error().message.find("3 of 10") != std::string::npos, p.error().message);
        CHECK(p.error().message.find("30.0%") != std::string::npos);
    }
    SUBCASE("at or below the share: applied") {
        auto p = diff_listing(prev, fresh, diff_settings{3, 0.3});
        REQUIRE(p.has_value());
        CHECK(p->tombstones.size() == 3);
    }
    SUBCASE("an empty listing repeated never wipes the catalogue") {
        auto p = diff_listing(prev, {}, diff_settings{3, 0.25});
        REQUIRE(p.has_error());
        CHECK(p.error().message.find("10 of 10") != std::string::npos);
    }
}

TEST_CASE("the removal share can be measured against the whole client catalogue") {
    // A listing narrowed to one date window: 3 of its 4 entities would go, but the client has 40.
    std::map<std::string, known_entity> prev;
    for (int i = 0; i < 4; ++i) prev["w" + std::to_string(i)] = {1, 2, false};
    std::map<std::string, std::uint64_t> fresh = {{"w0", 1}};
    CHECK(diff_listing(prev, fresh, diff_settings{3, 0.25}).has_error());
    auto p = diff_listing(prev, fresh, diff_settings{3, 0.25}, 40);
    REQUIRE(p.has_value());
    CHECK(p->tombstones.size() == 3);
}
