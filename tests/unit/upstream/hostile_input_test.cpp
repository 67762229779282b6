// Hostile upstream answers: ids that are not opaque tokens, negative or overflowing money,
// and add-tickets answers that are not about what was asked. Each is a typed decode failure
// that names the field but never echoes the hostile value.
#include "agentd/upstream/answer_check.hpp"
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/ids.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

#include <string>
#include <vector>

using namespace agentd;
using namespace agentd::upstream;

namespace {

bool decode_error_naming(const failure& f, std::string_view field) {
    return f.cls == error_class::decode && f.message.find("field '" + std::string(field) + "': not a valid id") != std::string::npos;
}

// JSON string literals of ids that must never be accepted.
const std::vector<std::string> k_bad_ids = {
    R"("../x")", R"("..")", R"(".")", R"("a/b")", R"("a?b=1")", R"("%2e%2e")", R"("a b")", R"("a\tb")", R"("a\u0000b")",
    R"("\u001b[2J")", R"("")", R"("Ä")", "\"" + std::string(65, 'A') + "\"", R"("a#b")", R"("a\\b")", R"("-1.5")"};

}  // namespace

TEST_CASE("the token rule accepts real Spektrix ids and nothing that changes a path") {
    CHECK(valid_upstream_id("34001AGQQHTLTHTMBJQGPRQRMLLBGHNMV"));
    CHECK(valid_upstream_id("53613"));
    CHECK(valid_upstream_id("I-AK11-1ATK"));
    CHECK(valid_upstream_id("a_b"));
    CHECK(valid_upstream_id(std::string(64, 'A')));
    for (std::string_view bad : {"", "..", ".", "../x", "a/b", "a?b", "a%2F", "a b", "a\nb", "a\x1b", "x.y", "a:b"})
        CHECK_FALSE(valid_upstream_id(bad));
    CHECK_FALSE(valid_upstream_id(std::string(65, 'A')));
    CHECK(quote_id("../x\x1b") == R"("\x2e\x2e\x2fx\x1b")");
    CHECK(quote_id(std::string(30, 'A')) == "\"" + std::string(24, 'A') + "\"...");
}

TEST_CASE("every id an answer carries must be a token") {
    for (const auto& bad : k_bad_ids) {
        CAPTURE(bad);
        auto ev = codec::decode_events("[{\"id\":" + bad + ",\"name\":\"n\"}]");
        REQUIRE_FALSE(ev);
        CHECK(decode_error_naming(ev.error(), "id"));
        CHECK(ev.error().message.find("../") == std::string::npos);  // the value is not echoed

        const std::string inst_tail = R"(,"start":"2024-08-09T19:30:00","startUtc":"2024-08-09T18:30:00Z"})";
        auto in = codec::decode_instances("[{\"id\":" + bad + R"(,"event":"e","planId":"p","priceList":{"id":"l"})" + inst_tail + "]");
        CHECK_FALSE(in);
        auto ev_ref = codec::decode_instance(R"({"id":"i","event":)" + bad + R"(,"planId":"p","priceList":{"id":"l"})" + inst_tail);
        REQUIRE_FALSE(ev_ref);
        CHECK(decode_error_naming(ev_ref.error(), "event"));
        auto ev_obj = codec::decode_instance(R"({"id":"i","event":{"id":)" + bad + R"(},"planId":"p","priceList":{"id":"l"})" + inst_tail);
        CHECK_FALSE(ev_obj);
        auto plan_id = codec::decode_instance(R"({"id":"i","event":"e","planId":)" + bad + R"(,"priceList":{"id":"l"})" + inst_tail);
        REQUIRE_FALSE(plan_id);
        CHECK(decode_error_naming(plan_id.error(), "planId"));
        CHECK_FALSE(codec::decode_instance(R"({"id":"i","event":"e","planId":"p","priceList":{"id":)" + bad + "}" + inst_tail));

        CHECK_FALSE(codec::decode_price_list("{\"id\":" + bad + R"(,"prices":[]})"));
        const bool empty = bad == R"("")";  // "" is "none" for the optional price id and ticket plan
        CHECK(empty == codec::decode_price_list(R"({"id":"l","prices":[{"id":)" + bad +
                                                R"(,"amount":1,"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})").has_value());
        CHECK_FALSE(codec::decode_price_list(R"({"id":"l","prices":[{"amount":1,"ticketType":{"id":)" + bad +
                                             R"(},"priceBand":{"id":"b"}}]})"));
        CHECK_FALSE(codec::decode_price_list(R"({"id":"l","prices":[{"amount":1,"ticketType":{"id":"t"},"priceBand":{"id":)" +
                                             bad + "}}]})"));

        CHECK_FALSE(codec::decode_plan("{\"id\":" + bad + "}"));
        CHECK_FALSE(codec::decode_plan(R"({"id":"p","areas":[{"id":)" + bad + "}]}"));
        CHECK_FALSE(codec::decode_plan(R"({"id":"p","seats":[{"id":)" + bad + "}]}"));
        CHECK_FALSE(codec::decode_plan(R"({"id":"p","seats":[{"id":"1","priceBand":{"id":)" + bad + "}}]}"));
        CHECK_FALSE(codec::decode_instance_status(R"({"bands":[{"id":)" + bad + "}]}"));
        CHECK_FALSE(codec::decode_instance_status(R"({"bands":[{"band":{"id":)" + bad + "}}]}"));
        CHECK_FALSE(codec::decode_instance_status(R"({"areas":[{"id":)" + bad + "}]}"));
        CHECK_FALSE(codec::decode_seat_statuses(R"([{"id":)" + bad + R"(,"status":"Sold"}])"));
        CHECK_FALSE(codec::decode_best_available(R"([{"id":)" + bad + "}]"));
        CHECK_FALSE(codec::decode_best_available(R"([{"id":"1","area":{"id":)" + bad + "}}]"));

        CHECK_FALSE(codec::decode_basket("{\"id\":" + bad + "}"));
        CHECK_FALSE(codec::decode_basket("{\"basketId\":" + bad + "}"));
        const std::string ticket_tail = R"(,"price":1})";
        auto tid = codec::decode_tickets("[{\"id\":" + bad + R"(,"instance":"i","type":{"id":"t"})" + ticket_tail + "]");
        REQUIRE_FALSE(tid);
        CHECK(decode_error_naming(tid.error(), "id"));
        CHECK_FALSE(codec::decode_tickets(R"([{"id":"t","instance":)" + bad + R"(,"type":{"id":"t"})" + ticket_tail + "]"));
        CHECK_FALSE(codec::decode_tickets(R"([{"id":"t","instance":"i","seat":{"id":)" + bad + R"(},"type":{"id":"t"})" +
                                          ticket_tail + "]"));
        CHECK_FALSE(codec::decode_tickets(R"([{"id":"t","instance":"i","type":{"id":)" + bad + "}" + ticket_tail + "]"));
        CHECK_FALSE(codec::decode_tickets(R"([{"id":"t","instance":"i","band":)" + bad + R"(,"type":"t")" + ticket_tail + "]"));
        CHECK(empty == codec::decode_tickets(R"([{"id":"t","instance":"i","planId":)" + bad + R"(,"type":"t")" + ticket_tail + "]").has_value());
        CHECK_FALSE(codec::decode_order("{\"id\":" + bad + R"(,"tickets":[]})"));
    }
    // Numeric seat ids stay fine; a numeric id that is not an integer is not.
    auto seats = codec::decode_seat_statuses(R"([{"id":53613,"status":"Sold"}])");
    REQUIRE(seats);
    CHECK((*seats)[0].id == "53613");
    CHECK_FALSE(codec::decode_seat_statuses(R"([{"id":5.5,"status":"Sold"}])"));
}

TEST_CASE("negative money is refused with a typed decode error") {
    auto p = codec::decode_price_list(R"({"id":"l","prices":[{"amount":-40.00,"ticketType":{"id":"t"},"priceBand":{"id":"b"}}]})");
    REQUIRE_FALSE(p);
    CHECK(p.error().cls == error_class::decode);
    CHECK(p.error().message.find("field 'amount'") != std::string::npos);
    CHECK(p.error().message.find("negative") != std::string::npos);
    auto t = codec::decode_tickets(R"([{"id":"t","instance":"i","type":"t","price":-1}])");
    REQUIRE_FALSE(t);
    CHECK(t.error().message.find("field 'price'") != std::string::npos);
    CHECK_FALSE(codec::decode_tickets(R"([{"id":"t","instance":"i","type":"t","price":1,"total":-0.01}])"));
    CHECK_FALSE(codec::decode_order(R"({"id":"o","total":-5,"tickets":[]})"));
    auto zero = codec::decode_tickets(R"([{"id":"t","instance":"i","type":"t","price":0,"total":-0}])");
    REQUIRE(zero);
    CHECK((*zero)[0].total.minor == 0);
}

TEST_CASE("ticket lists whose prices or totals overflow int64 minor units are refused") {
    // 2^63-1 minor units is 92233720368547758.07; two of half that overflow.
    const std::string big = "50000000000000000.00";
    auto one = codec::decode_tickets(R"([{"id":"t1","instance":"i","type":"t","price":)" + big + "}]");
    REQUIRE(one);
    auto two = codec::decode_tickets(R"([{"id":"t1","instance":"i","type":"t","price":)" + big +
                                     R"(},{"id":"t2","instance":"i","type":"t","price":)" + big + "}]");
    REQUIRE_FALSE(two);
    CHECK(two.error().cls == error_class::decode);
    CHECK(two.error().message.find("sum out of range") != std::string::npos);
    CHECK_FALSE(codec::decode_basket(R"({"id":"b","tickets":[{"id":"t1","instance":"i","type":"t","price":1,"total":)" + big +
                                     R"(},{"id":"t2","instance":"i","type":"t","price":1,"total":)" + big + "}]}"));
    // An order without a total sums its tickets, checked the same way.
    CHECK_FALSE(codec::decode_order(R"({"id":"o","tickets":[{"id":"t1","instance":"i","type":"t","price":)" + big +
                                    R"(},{"id":"t2","instance":"i","type":"t","price":)" + big + "}]}"));
    auto fine = codec::decode_order(R"({"id":"o","tickets":[{"id":"t1","instance":"i","type":"t","price":35.5},
        {"id":"t2","instance":"i","type":"t","price":35.5}]})");
    REQUIRE(fine);
    CHECK(fine->total.minor == 7100);
}

TEST_CASE("an add-tickets answer must be the tickets that were asked for") {
    auto tk = [](std::string id, std::string inst, std::optional<std::string> seat, std::string type, std::string plan = "") {
        ticket t;
        t.id = std::move(id);
        t.instance_id = std::move(inst);
        t.seat_id = std::move(seat);
        t.type_id = std::move(type);
        t.plan_id = std::move(plan);
        return t;
    };
    const std::vector<new_ticket> asked = {{"I1", std::string("53613"), std::nullopt, "T1"},
                                           {"I1", std::string("53614"), std::nullopt, "T2"},
                                           {"I1", std::nullopt, std::string("A9"), "T1"}};
    const std::vector<ticket> exact = {tk("x1", "I1", "53613", "T1"), tk("x2", "I1", "53614", "T2"), tk("x3", "I1", std::nullopt, "T1", "A9")};
    CHECK(check_added_tickets(asked, exact));
    // Any order.
    CHECK(check_added_tickets(asked, {exact[2], exact[0], exact[1]}));

    auto refused = [&](std::vector<ticket> got, std::string_view why) {
        auto r = check_added_tickets(asked, got);
        REQUIRE_FALSE(r);
        CHECK(r.error().cls == error_class::decode);
        CHECK_MESSAGE(r.error().message.find(why) != std::string::npos, r.error().message);
    };
    refused({exact[0], exact[1]}, "2 tickets for 3 asked");
    refused({exact[0], exact[1], exact[2], exact[2]}, "4 tickets for 3 asked");
    refused({}, "0 tickets for 3 asked");
    refused({tk("x1", "I2", "53613", "T1"), exact[1], exact[2]}, "ticket x1 (instance I2, seat 53613");
    refused({tk("x1", "I1", "53699", "T1"), exact[1], exact[2]}, "seat 53699");
    refused({tk("x1", "I1", "53613", "T2"), exact[1], exact[2]}, "type T2");
    refused({exact[0], exact[1], tk("x3", "I1", std::string("1"), "T1", "A9")}, "ticket x3");  // a seat for an unreserved ask
    refused({exact[0], exact[1], tk("x3", "I1", std::nullopt, "T1", "A8")}, "ticket x3");      // another area
    refused({exact[0], exact[0], exact[2]}, "was not asked for");                                // one seat twice
}

TEST_CASE("a basket best-available answer must be the asked count of distinct seats of the instance, type and band") {
    auto tk = [](std::string id, std::string inst, std::optional<std::string> seat, std::string type, std::string band) {
        ticket t;
        t.id = std::move(id);
        t.instance_id = std::move(inst);
        t.seat_id = std::move(seat);
        t.type_id = std::move(type);
        t.band_id = std::move(band);
        return t;
    };
    const std::optional<std::string> b1 = std::string("B1");
    const std::vector<ticket> good = {tk("x1", "I1", "1", "T1", "B1"), tk("x2", "I1", "2", "T1", "")};
    CHECK(check_best_available_tickets("I1", "T1", 2, b1, good));
    CHECK(check_best_available_tickets("I1", "T1", 2, std::nullopt, good));
    auto refused = [&](std::vector<ticket> got, std::optional<std::string> band, std::string_view why) {
        auto r = check_best_available_tickets("I1", "T1", 2, band, got);
        REQUIRE_FALSE(r);
        CHECK(r.error().cls == error_class::decode);
        CHECK_MESSAGE(r.error().message.find(why) != std::string::npos, r.error().message);
    };
    refused({good[0]}, b1, "1 tickets for 2 asked");
    refused({good[0], good[1], tk("x3", "I1", "3", "T1", "B1")}, b1, "3 tickets for 2 asked");
    refused({good[0], tk("x2", "I2", "2", "T1", "B1")}, b1, "ticket x2 (instance I2");
    refused({good[0], tk("x2", "I1", "2", "T9", "B1")}, b1, "type T9");
    refused({good[0], tk("x2", "I1", std::nullopt, "T1", "B1")}, b1, "seat none");
    refused({good[0], tk("x2", "I1", "1", "T1", "B1")}, b1, "ticket x2");  // the same seat twice
    refused({good[0], tk("x2", "I1", "2", "T1", "B7")}, b1, "band B7");
}
