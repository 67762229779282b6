// The client against a canned upstream that answers hostile ids and mismatched tickets: ids
// that are not tokens are refused in answers (decode) and as arguments (invalid_argument)
// before anything is signed or sent, so no request ever reaches another path.
#include "tests/integration/upstream/harness.hpp"

using namespace agentd;
using namespace agentd::upstream;
using namespace agentd::test;
namespace asio = boost::asio;

namespace {

const char* hostile_instances = R"([{"id":"../x","event":{"id":"E1"},"planId":"P1","priceList":{"id":"L1"},
    "start":"2026-12-01T19:30:00","startUtc":"2026-12-01T19:30:00Z"}])";
const char* tickets_other_seat =
    R"([{"id":"T1","instance":{"id":"I1"},"seat":{"id":"99999"},"type":{"id":"TT"},"price":35.00}])";
const char* tickets_as_asked =
    R"([{"id":"T1","instance":{"id":"I1"},"seat":{"id":"53613"},"type":{"id":"TT"},"price":35.00}])";

bool refused_locally(const failure& f) {
    return f.invalid_argument && f.cls == error_class::permanent && f.http_status == 0 &&
           f.to_error().code == errc::invalid_argument && f.message.find("invalid id") != std::string::npos;
}

}  // namespace

// co_await stays out of doctest's assertion macros: each call is awaited as a statement.
#define EXPECT_REFUSED(call)                                     \
    do {                                                         \
        auto refused_ = co_await call;                           \
        CHECK_MESSAGE(refused_locally(refused_.error()), #call); \
    } while (false)

TEST_CASE("hostile ids in answers are decode failures; as arguments they are refused before signing") {
    bool mismatch = true;
    harness h([&](const seen_request& r) -> canned {
        if (r.target.find("/events/E1/instances") != std::string::npos) return canned{200, hostile_instances};
        if (r.target.ends_with("/tickets")) return canned{200, mismatch ? tickets_other_seat : tickets_as_asked};
        return canned{200, R"({"id":"B1","tickets":[]})"};
    });
    h.run([&]() -> asio::awaitable<void> {
        auto listed = co_await h.client->list_instances("E1", "2026-11-01", "2026-12-31");
        REQUIRE_FALSE(listed.has_value());
        CHECK(listed.error().cls == error_class::decode);
        CHECK(listed.error().to_error().code == errc::decode_error);
        CHECK(listed.error().message.find("field 'id': not a valid id") != std::string::npos);

        // What an attacker-controlled id would have become: every method refuses it.
        const std::size_t before = h.server.requests.size();
        const std::vector<std::string> bad_ids = {"../x", "..", "a/b", "a?b=1", "%2e%2e", "a b", std::string("a\x01", 2), "", "x#y"};
        for (const auto& bad : bad_ids) {
            CAPTURE(bad);
            EXPECT_REFUSED(h.client->get_event(bad));
            EXPECT_REFUSED(h.client->list_instances(bad, "2026-11-01", "2026-12-31"));
            EXPECT_REFUSED(h.client->get_instance(bad));
            EXPECT_REFUSED(h.client->get_price_list(bad));
            EXPECT_REFUSED(h.client->get_plan(bad));
            EXPECT_REFUSED(h.client->get_instance_status(bad));
            EXPECT_REFUSED(h.client->get_area_status("I1", bad));
            EXPECT_REFUSED(h.client->get_seat_status(bad));
            EXPECT_REFUSED(h.client->best_available(bad, 2));
            EXPECT_REFUSED(h.client->best_available("I1", 2, bad));
            EXPECT_REFUSED(h.client->best_available("I1", 2, std::nullopt, bad));
            EXPECT_REFUSED(h.client->get_basket(bad));
            const agent_customer ada{"Ada", "L", "1 Main St", "R"};
            EXPECT_REFUSED(h.client->set_agent_customer(bad, ada));
            std::vector<new_ticket> ok_ticket{{"I1", std::string("53613"), std::nullopt, "TT"}};
            EXPECT_REFUSED(h.client->add_tickets(bad, ok_ticket));
            const std::vector<new_ticket> bad_tickets = {
                new_ticket{bad, std::string("1"), std::nullopt, "TT"}, new_ticket{"I1", bad, std::nullopt, "TT"},
                new_ticket{"I1", std::nullopt, bad, "TT"}, new_ticket{"I1", std::string("1"), std::nullopt, bad}};
            for (const auto& nt : bad_tickets) {
                const std::vector<new_ticket> one{nt};
                EXPECT_REFUSED(h.client->add_tickets("B1", one));
            }
            const std::vector<std::string> t1{"T1"}, t1_bad{"T1", bad};
            EXPECT_REFUSED(h.client->remove_tickets(bad, t1));
            EXPECT_REFUSED(h.client->remove_tickets("B1", t1_bad));
            EXPECT_REFUSED(h.client->clear_basket(bad));
            EXPECT_REFUSED(h.client->confirm_basket(bad));
            EXPECT_REFUSED(h.client->get_order(bad));
        }
        CHECK(h.server.requests.size() == before);  // nothing was signed or sent for any of them
        // The refusal never echoes the raw id: control bytes and slashes are shown escaped.
        const std::string esc_id("a\x1b/");
        auto esc = co_await h.client->get_basket(esc_id);
        CHECK(esc.error().message == R"(get basket: invalid id "a\x1b\x2f")");

        // A ticket that is neither a seat nor an area is refused too.
        const std::vector<new_ticket> neither_seat_nor_area{new_ticket{"I1", std::nullopt, std::nullopt, "TT"}};
        auto neither = co_await h.client->add_tickets("B1", neither_seat_nor_area);
        CHECK(neither.error().invalid_argument);

        // An add whose answer is about another seat is not taken as our tickets.
        std::vector<new_ticket> asked{{"I1", std::string("53613"), std::nullopt, "TT"}};
        auto wrong = co_await h.client->add_tickets("B1", asked);
        REQUIRE_FALSE(wrong.has_value());
        CHECK(wrong.error().cls == error_class::decode);
        CHECK(wrong.error().http_status == 200);
        CHECK(wrong.error().message.find("add tickets to basket B1: answer does not match the request") != std::string::npos);
        mismatch = false;
        auto right = co_await h.client->add_tickets("B1", asked);
        REQUIRE(right.has_value());
        CHECK(right->at(0).seat_id == "53613");
    });
    // Only the well-formed calls reached the server, each signed over the path it asked for.
    REQUIRE(h.server.requests.size() == 3);
    for (const auto& r : h.server.requests) {
        CHECK(r.target.find("..") == std::string::npos);
        CHECK(r.target.find('%') == std::string::npos);
        CHECK(signature_ok(r));
    }
}
