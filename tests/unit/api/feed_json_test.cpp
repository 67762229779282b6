// The feed payload codecs: each kind round-trips, and hostile data is a typed error naming the
// member, never a crash or a default.
#include "agentd/api/json.hpp"

#include <doctest/doctest.h>

using namespace agentd;

namespace {

template <class T>
void round_trip(const T& v, std::string_view kind) {
    auto text = api::to_json(v);
    auto back = api::decode_feed_data(kind, text);
    REQUIRE_MESSAGE(back.has_value(), back.error().message);
    REQUIRE(std::holds_alternative<T>(*back));
    CHECK(api::to_json(std::get<T>(*back)) == text);
    CHECK(api::to_json(*back) == text);
}

void refused(std::string_view kind, std::string_view data, errc code, std::string_view message) {
    INFO(kind << ": " << data);
    auto r = api::decode_feed_data(kind, data);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == code);
    CHECK(r.error().message == message);
}

}  // namespace

TEST_CASE("each feed kind round-trips through its codec") {
    round_trip(api::feed_reservation{"r_1", "web", "held", 3}, "reservation");
    round_trip(api::feed_mirror_change{"royalcourt", "67201AVC", "removed"}, "instance");
    round_trip(api::feed_mirror_change{"royalcourt", "1201AVC", "added"}, "event");
    round_trip(api::feed_price_list{"royalcourt", "901AHG", 12}, "price_list");
    round_trip(api::feed_plan{"royalcourt", "301AGM", 0}, "plan");
    round_trip(api::feed_availability{"royalcourt", "67201AVC", 117, 1}, "availability");
    round_trip(api::feed_availability{"royalcourt", "67201AVC", std::nullopt, 4}, "availability");
    round_trip(api::feed_sync{"royalcourt", "instance", "a \"quoted\"\nreason \x01"}, "sync");
    round_trip(api::feed_overflow{18446744073709551615ull}, "overflow");
    round_trip(api::error_body{"permission_denied", "feed: uid 1001", false, std::nullopt}, "error");
}

TEST_CASE("feed payloads: exact bytes of the encoders") {
    CHECK(api::to_json(api::feed_mirror_change{"c", "I1", "changed"}) == R"({"client":"c","id":"I1","change":"changed"})");
    CHECK(api::to_json(api::feed_availability{"c", "I1", std::nullopt, 2}) == R"({"client":"c","id":"I1","seatsChanged":2})");
    CHECK(api::to_json(api::feed_availability{"c", "I1", 0, 0}) == R"({"client":"c","id":"I1","available":0,"seatsChanged":0})");
    // Control characters are escaped, never passed raw into an SSE data line.
    CHECK(api::to_json(api::feed_sync{"c", "event", "a\nb"}) == R"({"client":"c","refused":"event","reason":"a\nb"})");
}

TEST_CASE("hostile feed data is a typed error naming the member") {
    refused("reservation", R"({"id":"r","channel":"w","state":"held"})", errc::invalid_argument, "version: missing");
    refused("reservation", R"({"id":"r","channel":"w","state":"held","version":0})", errc::invalid_argument,
            "version: must be at least 1");
    refused("reservation", R"({"id":"r","channel":7,"state":"held","version":1})", errc::decode_error,
            "channel: expected a string");
    refused("instance", R"({"client":"c","id":"I","change":"exploded"})", errc::invalid_argument,
            "change: expected added, changed, restored or removed");
    refused("event", R"({"client":"c","change":"added"})", errc::invalid_argument, "id: missing");
    refused("price_list", R"({"client":"c","id":"P","prices":-1})", errc::invalid_argument, "prices: must not be negative");
    refused("plan", R"({"client":"c","id":"P","seats":1.5})", errc::decode_error, "seats: expected an integer");
    refused("availability", R"({"client":"c","id":"I","available":"3","seatsChanged":1})", errc::decode_error,
            "available: expected an integer");
    refused("availability", R"({"client":"c","id":"I"})", errc::invalid_argument, "seatsChanged: missing");
    refused("sync", R"({"client":"c","refused":"instance"})", errc::invalid_argument, "reason: missing");
    refused("overflow", R"({"lastSeq":-1,"message":"m"})", errc::decode_error, "lastSeq: expected a non-negative integer");
    refused("error", R"({"code":"x"})", errc::invalid_argument, "error: missing");
    refused("basket", R"({})", errc::invalid_argument, R"(feed event kind "basket": not a kind the feed sends)");
    refused("reservation", "[]", errc::decode_error, "body: expected an object");
    auto bad = api::decode_feed_data("plan", "{\"client\":");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::decode_error);
    auto deep = api::decode_feed_data("sync", std::string(100, '[') + std::string(100, ']'));
    REQUIRE_FALSE(deep.has_value());
    CHECK(deep.error().message.find("nested deeper") != std::string::npos);
}
