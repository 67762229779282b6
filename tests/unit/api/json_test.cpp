#include "agentd/api/json.hpp"

#include <doctest/doctest.h>

#include <limits>

using namespace agentd;

TEST_CASE("reservation request decodes tickets and best-available") {
    auto r = api::from_json<api::reservation_request>(
        R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"53613","ticketType":"1AHG"}]})");
    REQUIRE(r.has_value());
    CHECK(r->client == "royalcourt");
    REQUIRE(r->tickets.size() == 1);
    CHECK(r->tickets[0].seat == "53613");
    CHECK_FALSE(r->best);

    auto b = api::from_json<api::reservation_request>(
        R"({"client":"c","instance":"i","bestAvailable":{"quantity":2,"ticketType":"t","priceBand":"7801"}})");
    REQUIRE(b.has_value());
    REQUIRE(b->best);
    CHECK(b->best->quantity == 2);
    CHECK(b->best->price_band == "7801");
    // Round trip through the encoder.
    auto again = api::from_json<api::reservation_request>(api::to_json(*b));
    REQUIRE(again.has_value());
    CHECK(api::to_json(*again) == api::to_json(*b));
}

TEST_CASE("decode errors name the field and class") {
    auto check = [](std::string_view text, errc code, std::string_view msg) {
        auto r = api::from_json<api::reservation_request>(text);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == code);
        CHECK(r.error().message == msg);
    };
    check(R"({"client":"c","instance":"i","tickets":[{"seat":5,"ticketType":"t"}]})", errc::decode_error,
          "tickets[0].seat: expected a string");
    check(R"({"instance":"i","tickets":[]})", errc::invalid_argument, "client: missing");
    check(R"({"client":"c","instance":"i"})", errc::invalid_argument, "tickets: missing (or give bestAvailable)");
    check(R"({"client":"c","instance":"i","tickets":{}})", errc::decode_error, "tickets: expected an array");
    check(R"({"client":"c","instance":"i","bestAvailable":{"quantity":0,"ticketType":"t"}})", errc::invalid_argument,
          "bestAvailable.quantity: must be 1..50");
    check(R"({"client":"a b","instance":"i","tickets":[]})", errc::invalid_argument, "client: not a valid id");
    check(R"([1,2])", errc::decode_error, "body: expected an object");
    auto bad = api::from_json<api::reservation_request>("{\"client\":");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == errc::decode_error);
    CHECK(bad.error().message.find("malformed JSON") != std::string::npos);
}

TEST_CASE("reservation and health round trip for the CLI") {
    api::reservation r;
    r.id = "r_1";
    r.channel = "web";
    r.state = "held";
    r.version = 3;
    r.client = "c";
    r.instance = "i";
    r.request.client = "c";
    r.request.instance = "i";
    r.request.tickets = {{"s1", "t1"}};
    r.seats = {{"s1", "A1", "a", "pb", "t1", "35.00", std::nullopt}};
    r.total = "35.00";
    r.error = api::error_body{"upstream_permanent", "seat taken", false, std::nullopt};
    auto text = api::to_json(r);
    CHECK(text.find(R"("price":"35.00")") != std::string::npos);
    CHECK(text.find(R"("orderId":null)") != std::string::npos);
    auto back = api::from_json<api::reservation>(text);
    REQUIRE(back.has_value());
    CHECK(api::to_json(*back) == text);

    api::health h;
    h.status = "degraded";
    h.clients = {{"c", "ok", std::nullopt, "boom", 1.5, 10}};
    h.queue.by_state = {{"held", 2}};
    auto ht = api::to_json(h);
    auto hb = api::from_json<api::health>(ht);
    REQUIRE(hb.has_value());
    CHECK(api::to_json(*hb) == ht);
}

TEST_CASE("health with several nodes carries this node and every venue's lease; without, neither member") {
    api::health h;
    h.node = "n1";
    h.leases = {{"royalcourt", "n2", 7, "2026-11-30T21:00:15.000Z", true}, {"almeida", "n1", 1, "2026-11-30T20:00:00.000Z", false}};
    auto text = api::to_json(h);
    CHECK(text.find(R"("node":"n1")") != std::string::npos);
    auto back = api::from_json<api::health>(text);
    REQUIRE(back.has_value());
    REQUIRE(back->node == std::optional<std::string>{"n1"});
    REQUIRE(back->leases.size() == 2);
    CHECK(back->leases[0].node == "n2");
    CHECK(back->leases[0].epoch == 7);
    CHECK(back->leases[0].live);
    CHECK_FALSE(back->leases[1].live);
    CHECK(api::to_json(*back) == text);
    api::health single;
    auto one = api::to_json(single);
    CHECK(one.find("leases") == std::string::npos);
    CHECK_FALSE(api::from_json<api::health>(one).value().node.has_value());
}

TEST_CASE("error body and other requests") {
    auto e = api::from_json<api::error_body>(api::to_json(api::error_body{"rate_limited", "slow down", true, "2026-12-01T02:30:00Z"}));
    REQUIRE(e.has_value());
    CHECK(e->code == "rate_limited");
    CHECK(e->retryable);
    CHECK(e->retry_at == "2026-12-01T02:30:00Z");
    auto c = api::from_json<api::confirm_request>(R"({"customer":{"firstName":"Ada","lastName":"Lovelace"},"reference":"W-1"})");
    REQUIRE(c.has_value());
    CHECK(c->cust.last_name == "Lovelace");
    auto cm = api::from_json<api::confirm_request>(R"({"reference":"W-1"})");
    REQUIRE_FALSE(cm.has_value());
    CHECK(cm.error().message == "customer: missing");
    auto x = api::from_json<api::extend_request>(R"({"seconds":"60"})");
    REQUIRE_FALSE(x.has_value());
    CHECK(x.error().message == "seconds: expected an integer");
    CHECK(api::json_quote("a\"b") == R"("a\"b")");
}

// Both engines must store the same bytes: PostgreSQL refuses invalid UTF-8 and libpq ends a
// text parameter at its first NUL, so neither may get past the API.
TEST_CASE("strings with a NUL character or invalid UTF-8 are refused with the field named") {
    auto nul = api::from_json<api::confirm_request>(
        R"({"customer":{"firstName":"Ada","lastName":"Lovelace"},"reference":"r\u0000x"})");
    REQUIRE_FALSE(nul.has_value());
    CHECK(nul.error().code == agentd::errc::invalid_argument);
    CHECK(nul.error().message == "reference: must not contain a NUL character");
    auto bad_utf8 = api::from_json<api::confirm_request>(
        "{\"customer\":{\"firstName\":\"Ad\xff\",\"lastName\":\"L\"},\"reference\":\"r\"}");
    REQUIRE_FALSE(bad_utf8.has_value());
    CHECK(bad_utf8.error().code == agentd::errc::decode_error);
    auto fine = api::from_json<api::confirm_request>(
        R"({"customer":{"firstName":"Zoë","lastName":"\u00c5ngstr\u00f6m"},"reference":"r"})");
    REQUIRE(fine.has_value());
    CHECK(fine->cust.last_name == "\xc3\x85ngstr\xc3\xb6m");
}

TEST_CASE("non-finite numbers encode as null, keeping the document valid") {
    api::health h;
    h.clients = {{"c", "ok", std::nullopt, std::nullopt, std::numeric_limits<double>::quiet_NaN(), 1}};
    auto text = api::to_json(h);
    CHECK(text.find(R"("lagSeconds":null)") != std::string::npos);
    CHECK(api::from_json<api::health>(text).has_value());
}

TEST_CASE("nesting is bounded: 3,000,000 '[' is a typed decode error, not a stack overflow") {
    // Far deeper than any machine stack allows a recursive parser to go.
    std::string deep(3'000'000, '[');
    auto r = api::from_json<api::reservation_request>(deep);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::decode_error);
    CHECK(r.error().message == "body: JSON nested deeper than 64 levels");
    // The same inside a valid object, and with objects instead of arrays.
    std::string in_field = R"({"client":"c","instance":"i","x":)" + std::string(100'000, '[');
    auto f = api::from_json<api::confirm_request>(in_field);
    REQUIRE_FALSE(f.has_value());
    CHECK(f.error().code == errc::decode_error);
    std::string objects;
    for (int i = 0; i < 100'000; ++i) objects += R"({"a":)";
    auto o = api::from_json<api::extend_request>(objects);
    REQUIRE_FALSE(o.has_value());
    CHECK(o.error().message.find("nested deeper than 64") != std::string::npos);
}

TEST_CASE("nesting up to the limit decodes; one more level does not") {
    auto nested = [](int levels) {  // the body object is level 1
        return R"({"seconds":30,"x":)" + std::string(std::size_t(levels - 1), '[') + std::string(std::size_t(levels - 1), ']') + "}";
    };
    auto ok = api::from_json<api::extend_request>(nested(api::k_max_json_depth));
    REQUIRE(ok.has_value());
    CHECK(ok->seconds == 30);
    auto deep = api::from_json<api::extend_request>(nested(api::k_max_json_depth + 1));
    REQUIRE_FALSE(deep.has_value());
    CHECK(deep.error().code == errc::decode_error);
    // Malformed JSON still names the offset.
    auto bad = api::from_json<api::extend_request>(R"({"seconds":})");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.starts_with("body: malformed JSON at offset 11"));
}

TEST_CASE("a reservation feed event round-trips") {
    api::feed_reservation e{"r_1", "web", "held", 3};
    CHECK(api::to_json(e) == R"({"id":"r_1","channel":"web","state":"held","version":3})");
    auto back = api::from_json<api::feed_reservation>(api::to_json(e));
    REQUIRE(back.has_value());
    CHECK(back->channel == "web");
    CHECK(back->version == 3);
    CHECK_FALSE(api::from_json<api::feed_reservation>(R"({"id":"r_1","state":"held","version":3})").has_value());
}

TEST_CASE("a client's do-not-transact window round-trips through health") {
    api::health h;
    h.status = "ok";
    api::client_state c;
    c.name = "royalcourt";
    c.state = "ok";
    api::client_window w;
    w.inside = true;
    w.name = "nightly";
    w.ends_at = "2026-12-01T02:30:00Z";
    w.refuse_creates = true;
    w.next_name = "nightly";
    w.next_start = "2026-12-02T02:00:00Z";
    w.next_end = "2026-12-02T02:30:00Z";
    c.window = w;
    h.clients.push_back(c);
    h.clients.push_back(api::client_state{});
    h.clients.back().name = "other";
    const auto text = api::to_json(h);
    CHECK(text.find(R"("window":{"inside":true,"name":"nightly","endsAt":"2026-12-01T02:30:00Z")") != std::string::npos);
    auto back = api::from_json<api::health>(text);
    REQUIRE(back.has_value());
    REQUIRE(back->clients.size() == 2);
    REQUIRE(back->clients[0].window.has_value());
    CHECK(back->clients[0].window->refuse_creates);
    CHECK_FALSE(back->clients[0].window->reads_blocked);
    CHECK(back->clients[0].window->next_start == "2026-12-02T02:00:00Z");
    CHECK_FALSE(back->clients[1].window.has_value());
    CHECK(api::to_json(*back) == text);
}
