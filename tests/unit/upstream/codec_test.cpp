// Decoding every DTO from realistic payloads (docs/upstream-contract.md shapes) and refusing hostile ones with a
// typed error that names the field.
#include "agentd/upstream/codec.hpp"
#include "agentd/core/time.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

using namespace agentd;
using namespace agentd::upstream;

namespace {
bool names(const failure& f, std::string_view what) {
    return f.cls == error_class::decode && f.message.find(what) != std::string::npos;
}
}  // namespace

TEST_CASE("events decode with unknown keys ignored and optional keys tolerated") {
    auto r = codec::decode_events(R"([
      {"id":"34001AGQQHTLTHTMBJQGPRQRMLLBGHNMV","name":"The Seagull","description":"A play",
       "htmlDescription":"<p>A play</p>","duration":150,"imageUrl":"","thumbnailUrl":"","isOnSale":true,
       "instanceDates":"9 August-10 August","webEventId":null,"firstInstanceDateTime":"2024-08-09T19:30:00",
       "lastInstanceDateTime":"2024-08-10T19:30:00","attribute_WebVenue":"Main","somethingNew":{"x":[1,2]}},
      {"id":"35001AGQQHTLTHTMBJQGPRQRMLLBGHNMV","name":"Minimal"}
    ])");
    REQUIRE(r);
    REQUIRE(r->size() == 2);
    CHECK((*r)[0].name == "The Seagull");
    CHECK((*r)[0].duration_minutes == 150);
    CHECK((*r)[0].is_on_sale);
    CHECK((*r)[0].first_instance_local == "2024-08-09T19:30:00");
    CHECK((*r)[1].duration_minutes == 0);
    CHECK_FALSE((*r)[1].is_on_sale);
}

TEST_CASE("instance: event as {id} or bare string, UTC start parsed") {
    const char* a = R"({"id":"67201AVCRKQDBSGLQHRCLJQTBDLCTLNNQ","event":{"id":"34001AGQ"},"planId":"6428ARVB",
        "priceList":{"id":"7801ATTB"},"start":"2024-08-09T19:30:00","startUtc":"2024-08-09T18:30:00Z",
        "isOnSale":true,"cancelled":false,"webInstanceId":null,"hasBestAvailableOverlay":true,"attribute_X":1})";
    auto r = codec::decode_instance(a);
    REQUIRE(r);
    CHECK(r->event_id == "34001AGQ");
    CHECK(r->plan_id == "6428ARVB");
    CHECK(r->price_list_id == "7801ATTB");
    CHECK(r->start_local == "2024-08-09T19:30:00");
    CHECK(format_iso_utc(r->start_utc) == "2024-08-09T18:30:00Z");
    CHECK(r->has_best_available_overlay);
    CHECK_FALSE(r->web_instance_id);

    auto b = codec::decode_instances(R"([{"id":"1","event":"34001AGQ","planId":"p","priceList":{"id":"l"},
        "start":"2024-08-09T19:30:00","startUtc":"2024-08-09T18:30:00"}])");
    REQUIRE(b);
    CHECK((*b)[0].event_id == "34001AGQ");
}

TEST_CASE("price list amounts are exact minor units") {
    auto r = codec::decode_price_list(R"({"id":"7801A","prices":[
        {"id":"p1","isBandDefault":true,"amount":40.00,"ticketType":{"id":"t1","name":"Full Price","attribute_X":true},
         "priceBand":{"id":"b1","name":"Band A"}},
        {"id":"p2","amount":0.1,"ticketType":{"id":"t2"},"priceBand":{"id":"b1"}},
        {"id":"p3","amount":"35.5","ticketType":{"id":"t3"},"priceBand":{"id":"b2"}}]})");
    REQUIRE(r);
    REQUIRE(r->prices.size() == 3);
    CHECK(r->prices[0].amount.minor == 4000);
    CHECK(r->prices[0].is_band_default);
    CHECK(r->prices[0].ticket_type.name == "Full Price");
    CHECK(r->prices[0].band.id == "b1");
    CHECK(r->prices[1].amount.minor == 10);
    CHECK(r->prices[2].amount.minor == 3550);

    auto frac = codec::decode_price_list(R"({"id":"x","prices":[{"amount":1.005,"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})");
    REQUIRE_FALSE(frac);
    CHECK(names(frac.error(), "'amount'"));
    auto expo = codec::decode_price_list(R"({"id":"x","prices":[{"amount":1e2,"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})");
    CHECK_FALSE(expo);
}

TEST_CASE("plan with nested areas, reserved seats and an unreserved area") {
    auto r = codec::decode_plan(R"({"id":"6241A","name":"Main","type":"Reserved","venue":{"id":"201A"},"capacity":13,
        "areas":[
          {"id":"a1","name":"Stalls","type":"Reserved","capacity":2,"seats":[
             {"id":"53613","name":"A1","row":"A","number":1,"x":582,"y":80,"previousSeatId":null,"nextSeatId":53614,"priceBand":{"id":"b1"}},
             {"id":53614,"name":"A2","row":"A","number":2,"x":600,"y":80}]},
          {"id":"a2","name":"Standing","type":"Unreserved","capacity":11,"seats":null,"priceBand":{"id":"b2"}}],
        "seats":[]})");
    REQUIRE(r);
    CHECK(r->id == "6241A");
    REQUIRE(r->children.size() == 2);
    CHECK(r->children[0].reserved);
    REQUIRE(r->children[0].seats.size() == 2);
    CHECK(r->children[0].seats[0].band_id == "b1");
    CHECK(r->children[0].seats[1].id == "53614");  // numeric id kept as text
    CHECK(r->children[0].seats[1].x == 600);
    CHECK_FALSE(r->children[1].reserved);
    CHECK(r->children[1].capacity == 11);
    CHECK(r->children[1].seats.empty());
    CHECK(r->children[1].band_id == "b2");
}

TEST_CASE("instance status with bands and child areas; missing counts read as zero") {
    auto r = codec::decode_instance_status(R"({"name":"Main","available":10,"capacity":20,"sold":5,"inBasket":1,
        "inOtherBasket":2,"locked":1,"reserved":1,"lockInformation":[],
        "bands":[{"id":"b1","name":"Band A","available":4},{"band":{"id":"b2","name":"Band B"},"available":6}],
        "areas":[{"id":"a1","name":"Stalls","available":7,"capacity":12,"bands":[{"id":"b1","available":4}]}]})");
    REQUIRE(r);
    CHECK(r->counts.available == 10);
    CHECK(r->counts.capacity == 20);
    CHECK(r->counts.scanned == 0);
    REQUIRE(r->bands.size() == 2);
    CHECK(r->bands[1].id == "b2");
    CHECK(r->bands[1].counts.available == 6);
    REQUIRE(r->areas.size() == 1);
    CHECK(r->areas[0].counts.capacity == 12);
    CHECK(r->areas[0].bands.size() == 1);
}

TEST_CASE("seat status and best available") {
    auto s = codec::decode_seat_statuses(R"([{"id":"53613","status":"Available"},{"id":53614,"status":"Sold"},{"id":"1","status":"Weird"}])");
    REQUIRE(s);
    CHECK((*s)[0].status == seat_state::available);
    CHECK((*s)[1].id == "53614");
    CHECK((*s)[1].status == seat_state::sold);
    CHECK((*s)[2].status == seat_state::unknown);
    auto b = codec::decode_best_available(R"([{"id":25509},{"id":"25510","area":{"id":"a1"},"priceBand":{"id":"b1"}}])");
    REQUIRE(b);
    CHECK((*b)[0].id == "25509");
    CHECK((*b)[1].area_id == "a1");
    CHECK((*b)[1].band_id == "b1");
}

TEST_CASE("basket, tickets and order with configurable customer fields") {
    const char* basket_json = R"({"id":"12345ABC","basketId":"12345ABC","hash":"h1","totalDiscount":0,
        "agentCustomer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St","reference":"WEB-1"},
        "tickets":[{"id":"t1","event":{"id":"e1"},"instance":{"id":"i1"},"band":{"id":"b1"},"seat":{"id":"53613"},
          "seatName":"A1","planName":"Stalls","planId":"a1","type":{"id":"tt1"},"price":35.00,"total":36.50,"barcode":null},
          {"id":"t2","event":"e1","instance":"i1","band":{"id":"b2"},"seat":null,"planId":"a2","ticketType":{"id":"tt2"},"price":10}]})";
    auto b = codec::decode_basket(basket_json);
    REQUIRE(b);
    CHECK(b->id == "12345ABC");
    CHECK(b->hash == "h1");
    REQUIRE(b->customer);
    CHECK(b->customer->address_line1 == "1 Main St");
    REQUIRE(b->tickets.size() == 2);
    CHECK(b->tickets[0].seat_id == "53613");
    CHECK(b->tickets[0].price.minor == 3500);
    CHECK(b->tickets[0].total.minor == 3650);
    CHECK_FALSE(b->tickets[0].barcode);
    CHECK_FALSE(b->tickets[1].seat_id);
    CHECK(b->tickets[1].type_id == "tt2");
    CHECK(b->tickets[1].total.minor == 1000);

    agent_customer_fields f;
    f.object = "agent";
    f.first_name = "name";
    auto custom = codec::decode_basket(R"({"id":"b","agent":{"name":"Ada"}})", f);
    REQUIRE(custom);
    CHECK(custom->customer->first_name == "Ada");

    auto o = codec::decode_order(R"({"id":"o1","total":71.5,"tickets":[{"id":"t1","instance":"i1","event":"e1",
        "type":{"id":"tt"},"price":35.75,"barcode":"BC1"}, {"id":"t2","instance":"i1","type":{"id":"tt"},"price":35.75,"barcode":"BC2"}]})");
    REQUIRE(o);
    CHECK(o->total.minor == 7150);
    CHECK(o->tickets[1].barcode == "BC2");
    auto ts = codec::decode_tickets(R"([{"id":"t1","instance":{"id":"i1"},"type":{"id":"tt"},"price":1}])");
    REQUIRE(ts);
    CHECK(ts->size() == 1);
}

TEST_CASE("hostile JSON gives typed decode errors naming the field") {
    SUBCASE("wrong types") {
        auto a = codec::decode_event(R"({"id":"e","name":"n","isOnSale":"yes"})");
        REQUIRE_FALSE(a);
        CHECK(names(a.error(), "field 'isOnSale': expected boolean"));
        auto b = codec::decode_event(R"({"id":{"x":1},"name":"n"})");
        REQUIRE_FALSE(b);
        CHECK(names(b.error(), "field 'id'"));
        auto c = codec::decode_plan(R"({"id":"p","capacity":"lots"})");
        REQUIRE_FALSE(c);
        CHECK(names(c.error(), "field 'capacity'"));
        auto d = codec::decode_events(R"({"id":"not an array"})");
        REQUIRE_FALSE(d);
        CHECK(names(d.error(), "expected array"));
        auto e = codec::decode_instance(R"({"id":"i","event":5.5e3,"planId":"p","priceList":{"id":"l"},"start":"s","startUtc":"x"})");
        CHECK_FALSE(e);
        auto f = codec::decode_seat_statuses(R"([1,2,3])");
        CHECK_FALSE(f);
    }
    SUBCASE("missing required keys") {
        auto a = codec::decode_instance(R"({"id":"i","planId":"p","priceList":{"id":"l"},"start":"s","startUtc":"2024-01-01T00:00:00Z"})");
        REQUIRE_FALSE(a);
        CHECK(names(a.error(), "decode instance: field 'event': missing"));
        auto b = codec::decode_price_list(R"({"id":"l","prices":[{"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})");
        REQUIRE_FALSE(b);
        CHECK(names(b.error(), "'amount': missing"));
        auto c = codec::decode_basket(R"({"hash":"h"})");
        CHECK_FALSE(c);
        auto d = codec::decode_instance(R"({"id":"i","event":"e","planId":"p","priceList":{"id":"l"},"start":"s","startUtc":"yesterday"})");
        REQUIRE_FALSE(d);
        CHECK(names(d.error(), "'startUtc'"));
    }
    SUBCASE("huge numbers") {
        auto a = codec::decode_plan(R"({"id":"p","capacity":99999999999999999999999999})");
        REQUIRE_FALSE(a);
        CHECK(names(a.error(), "out of range"));
        auto b = codec::decode_price_list(R"({"id":"x","prices":[{"amount":123456789012345678901234567890,"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})");
        CHECK_FALSE(b);
        auto c = codec::decode_plan(R"({"id":"p","capacity":1e400})");
        CHECK_FALSE(c);
    }
    SUBCASE("deep nesting") {
        std::string deep(100000, '[');
        deep += std::string(100000, ']');
        auto a = codec::decode_events(deep);
        CHECK_FALSE(a);  // an array of arrays: wrong type, but no stack overflow on the way
        std::string areas = R"({"id":"p","areas":[)";
        std::string tail;
        for (int i = 0; i < 40; ++i) {
            areas += R"({"id":"a","areas":[)";
            tail += "]}";
        }
        areas += tail + "]}";
        auto b = codec::decode_plan(areas);
        REQUIRE_FALSE(b);
        CHECK(names(b.error(), "nested too deeply"));
    }
    SUBCASE("invalid UTF-8") {
        std::string bad = "[{\"id\":\"e\",\"name\":\"caf\xC3\x28\"}]";
        auto a = codec::decode_events(bad);
        REQUIRE_FALSE(a);
        CHECK(names(a.error(), "invalid JSON"));
    }
    SUBCASE("truncated and empty") {
        auto a = codec::decode_events(R"([{"id":"e","name":"n"},{"id":"f","na)");
        REQUIRE_FALSE(a);
        CHECK(names(a.error(), "invalid JSON"));
        CHECK_FALSE(codec::decode_basket(""));
        CHECK_FALSE(codec::decode_order("null"));
        CHECK_FALSE(codec::decode_basket("{} trailing"));
    }
}

TEST_CASE("error bodies and request encoders") {
    auto e = codec::decode_error_body(R"({"message":"seat unavailable","errorCode":20})");
    CHECK(e.error_code == 20);
    CHECK(e.message == "seat unavailable");
    CHECK(codec::decode_error_body("<html>oops</html>").error_code == 0);
    CHECK(codec::decode_error_body(R"({"errorCode":1e999})").error_code == 0);

    std::vector<new_ticket> t{{"67201AVCRKQDBSGLQHRCLJQTBDLCTLNNQ", std::nullopt, "6428ARVBDCVGBMTSRKLDHCQHSPQJQNLSH",
                               "1AHGJDSMMPLMPPGNLJBQVLBRSKVDLQRPP"}};
    // Byte-identical to the body of signing test vector 3 (docs/upstream-contract.md).
    CHECK(codec::encode_new_tickets(t) ==
          R"([{"instance":"67201AVCRKQDBSGLQHRCLJQTBDLCTLNNQ","seatingPlan":"6428ARVBDCVGBMTSRKLDHCQHSPQJQNLSH","type":"1AHGJDSMMPLMPPGNLJBQVLBRSKVDLQRPP"}])");
    std::vector<new_ticket> s{{"i", std::string("53613"), std::nullopt, "t"}};
    CHECK(codec::encode_new_tickets(s) == R"([{"instance":"i","seat":"53613","type":"t"}])");
    CHECK(codec::encode_basket_best_available("i", 2, "t", std::nullopt) == R"({"instance":"i","quantity":2,"type":"t"})");
    CHECK(codec::encode_basket_best_available("i", 4, "t", std::string("B\"1")) ==
          R"({"instance":"i","quantity":4,"type":"t","priceBand":"B\"1"})");
    agent_customer c{"Ada", "Love\"lace", "1 Main St", "WEB-1"};
    CHECK(codec::encode_agent_customer_patch(c, {}) ==
          R"({"agentCustomer":{"firstName":"Ada","lastName":"Love\"lace","addressLine1":"1 Main St","reference":"WEB-1"}})");
}
