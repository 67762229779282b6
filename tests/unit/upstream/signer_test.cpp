// The signing test vectors of docs/upstream-contract.md, byte for byte, and the secret-handling rules of the signer.
#include "agentd/upstream/signer.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

#include <sstream>

using namespace agentd;
using namespace agentd::upstream;

namespace {
const secret key{"c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE="};
const char* date = "Mon, 21 Oct 2020 07:28:00 GMT";
}  // namespace

TEST_CASE("signer reproduces the contract's test vectors") {
    auto s = signer::make("TestAgent", key);
    REQUIRE(s);

    SUBCASE("GET signs method, full URL with query, and date only") {
        std::string url = "https://system.spektrix.com/agentdemo/api/v3/events?instanceStart_from=2020-10-21";
        CHECK(signer::string_to_sign("GET", url, date, "") ==
              "GET\nhttps://system.spektrix.com/agentdemo/api/v3/events?instanceStart_from=2020-10-21\nMon, 21 Oct 2020 07:28:00 GMT");
        CHECK(s->authorization("GET", url, date, "") == "SpektrixAPI3 TestAgent:R/OlxB68OYFuus5TcZGMHU7uhQo=");
    }
    SUBCASE("POST {} adds the body's MD5") {
        CHECK(body_hash("{}") == "mZFLkyvTelC5g8XnyQrpOw==");
        std::string url = "https://system.spektrix.com/agentdemo/api/v3/baskets";
        CHECK(signer::string_to_sign("POST", url, date, "{}") ==
              "POST\nhttps://system.spektrix.com/agentdemo/api/v3/baskets\nMon, 21 Oct 2020 07:28:00 GMT\nmZFLkyvTelC5g8XnyQrpOw==");
        CHECK(s->authorization("POST", url, date, "{}") == "SpektrixAPI3 TestAgent:sNzhpqDj/OabE3JpmZtj8zyPOIg=");
    }
    SUBCASE("POST tickets with an exact body") {
        std::string body =
            R"([{"instance":"67201AVCRKQDBSGLQHRCLJQTBDLCTLNNQ","seatingPlan":"6428ARVBDCVGBMTSRKLDHCQHSPQJQNLSH","type":"1AHGJDSMMPLMPPGNLJBQVLBRSKVDLQRPP"}])";
        CHECK(body_hash(body) == "YXVkqR4BfrF4S2HDYWUcvw==");
        CHECK(s->authorization("POST", "https://system.spektrix.com/agentdemo/api/v3/baskets/12345ABCDEFGHJKLMNPQRSTVWXYZABCD/tickets",
                               date, body) == "SpektrixAPI3 TestAgent:7zYoRW9T7rwBMmVsgBxuQzmiNHU=");
    }
    SUBCASE("DELETE with an empty body hashes zero bytes") {
        CHECK(body_hash("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
        CHECK(s->authorization("delete",
                               "https://system.spektrix.com/agentdemo/api/v3/baskets/12345ABCDEFGHJKLMNPQRSTVWXYZABCD/tickets?ticketIds=1AB,2AB",
                               date, "") == "SpektrixAPI3 TestAgent:6k7dF9cSik0oyT9ypP7G1U+CpVY=");
    }
    SUBCASE("a different secret gives a different signature") {
        auto other = signer::make("TestAgent", secret{"b3RoZXI="});
        REQUIRE(other);
        CHECK(other->authorization("GET", "https://x/a", date, "") != s->authorization("GET", "https://x/a", date, ""));
    }
}

TEST_CASE("base64 round trip and refusal of bad secrets without echoing them") {
    CHECK(base64_encode("simulator-test-secret-key-000001") == "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=");
    CHECK(*base64_decode("c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=") == "simulator-test-secret-key-000001");
    CHECK(*base64_decode("YQ==") == "a");
    CHECK(*base64_decode("YWI=") == "ab");
    auto bad = signer::make("agent1", secret{"not base64!!"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == errc::invalid_argument);
    CHECK(bad.error().message.find("not base64!!") == std::string::npos);
    CHECK(bad.error().message.find("agent1") != std::string::npos);
    auto empty = signer::make("agent1", secret{""});
    CHECK_FALSE(empty);
}
