// An instance answer cached as parts and completed with its age per request is byte for byte
// what the encoder writes for that age.
#include "agentd/api/json.hpp"
#include "agentd/api/json_parts.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace agentd;

TEST_CASE("instance parts + age == to_json of the instance with that age") {
    api::instance i;
    i.id = "67201AVC";
    i.client = "rc";
    i.event_name = "A \"quoted\"\x01 name";
    i.prices = {{"B1", "T1", "Adult", "35.00"}};
    i.avail = {117, 120, 1, {{"A1", "Stalls", 17, 20}}};
    i.availability_confirmed_at = "2026-11-26T21:30:00.123Z";
    const auto parts = api::to_json_parts(i);
    CHECK(parts.head.ends_with("\"availabilityAge\":"));
    CHECK(parts.tail == R"(,"availabilityConfirmedAt":"2026-11-26T21:30:00.123Z"})");
    for (double age : {-1.0, 0.0, 1e-7, 2.5, 12345.678901234, 1e21, std::numeric_limits<double>::quiet_NaN(),
                       std::numeric_limits<double>::infinity()}) {
        INFO("age " << age);
        i.availability_age = age;
        std::string text = parts.head;
        api::append_json_number(text, age);
        text += parts.tail;
        CHECK(text == api::to_json(i));
    }
}
