#include "sim/signature.hpp"
#include "sim/world.hpp"

#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::sim;

namespace {

const std::string k_secret = "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=";
const std::string k_date = "Mon, 21 Oct 2020 07:28:00 GMT";

std::string key() {
    bool ok = false;
    auto k = base64_decode(k_secret, ok);
    REQUIRE(ok);
    return k;
}

sys_time vector_time() { return parse_rfc1123(k_date).value(); }

}  // namespace

TEST_CASE("the worked vectors of the contract verify") {
    CHECK(key() == "simulator-test-secret-key-000001");
    struct vec {
        std::string method, url, body, auth;
    };
    std::vector<vec> vs{
        {"GET", "https://system.spektrix.com/agentdemo/api/v3/events?instanceStart_from=2020-10-21", "",
         "SpektrixAPI3 TestAgent:R/OlxB68OYFuus5TcZGMHU7uhQo="},
        {"POST", "https://system.spektrix.com/agentdemo/api/v3/baskets", "{}", "SpektrixAPI3 TestAgent:sNzhpqDj/OabE3JpmZtj8zyPOIg="},
        {"POST", "https://system.spektrix.com/agentdemo/api/v3/baskets/12345ABCDEFGHJKLMNPQRSTVWXYZABCD/tickets",
         R"([{"instance":"67201AVCRKQDBSGLQHRCLJQTBDLCTLNNQ","seatingPlan":"6428ARVBDCVGBMTSRKLDHCQHSPQJQNLSH","type":"1AHGJDSMMPLMPPGNLJBQVLBRSKVDLQRPP"}])",
         "SpektrixAPI3 TestAgent:7zYoRW9T7rwBMmVsgBxuQzmiNHU="},
        {"DELETE", "https://system.spektrix.com/agentdemo/api/v3/baskets/12345ABCDEFGHJKLMNPQRSTVWXYZABCD/tickets?ticketIds=1AB,2AB", "",
         "SpektrixAPI3 TestAgent:6k7dF9cSik0oyT9ypP7G1U+CpVY="},
    };
    for (auto& v : vs) {
        CAPTURE(v.url);
        CHECK(verify({v.method, v.url, k_date, v.auth, v.body}, key(), vector_time(), {}) == signature_check::ok);
    }
    CHECK(md5_base64("{}") == "mZFLkyvTelC5g8XnyQrpOw==");
    CHECK(md5_base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
    CHECK(md5_base64(vs[2].body) == "YXVkqR4BfrF4S2HDYWUcvw==");
}

TEST_CASE("each way a signature can be wrong is rejected") {
    const std::string url = "https://system.spektrix.com/agentdemo/api/v3/baskets";
    const std::string good = "SpektrixAPI3 TestAgent:sNzhpqDj/OabE3JpmZtj8zyPOIg=";
    auto now = vector_time();
    signature_policy p;
    auto check = [&](std::string method, std::string u, std::string date, std::string auth, std::string body, sys_time at,
                     const std::string& k) { return verify({method, u, date, auth, body}, k, at, p); };
    CHECK(check("POST", url, k_date, good, "{}", now, key()) == signature_check::ok);
    CHECK(check("post", url, k_date, good, "{}", now, key()) == signature_check::ok);  // the server upper-cases
    CHECK(check("PUT", url, k_date, good, "{}", now, key()) == signature_check::mismatch);
    CHECK(check("POST", url, k_date, good, "{ }", now, key()) == signature_check::mismatch);     // body bytes
    CHECK(check("POST", url + "?a=1", k_date, good, "{}", now, key()) == signature_check::mismatch);  // query
    CHECK(check("POST", "/agentdemo/api/v3/baskets", k_date, good, "{}", now, key()) == signature_check::mismatch);  // path only
    CHECK(check("POST", "http://system.spektrix.com/agentdemo/api/v3/baskets", k_date, good, "{}", now, key()) ==
          signature_check::mismatch);  // scheme
    CHECK(check("POST", url, "Mon, 21 Oct 2020 07:28:01 GMT", good, "{}", now, key()) == signature_check::mismatch);
    CHECK(check("POST", url, k_date, good, "{}", now, "c2ltdWxhdG9yLXRlc3Qtc2VjcmV0LWtleS0wMDAwMDE=") ==
          signature_check::mismatch);  // secret not base64-decoded
    CHECK(check("POST", url, k_date, good, "{}", now, "simulator-test-secret-key-000002") == signature_check::mismatch);
    CHECK(check("POST", url, k_date, good, "{}", now + std::chrono::seconds(301), key()) == signature_check::skew);
    CHECK(check("POST", url, k_date, good, "{}", now - std::chrono::seconds(301), key()) == signature_check::skew);
    CHECK(check("POST", url, k_date, good, "{}", now + std::chrono::seconds(299), key()) == signature_check::ok);
    CHECK(check("POST", url, "21 Oct 2020 07:28:00", good, "{}", now, key()) == signature_check::bad_date);
    CHECK(check("POST", url, "", good, "{}", now, key()) == signature_check::missing);
    CHECK(check("POST", url, k_date, "", "{}", now, key()) == signature_check::missing);
    CHECK(check("POST", url, k_date, "Basic abc", "{}", now, key()) == signature_check::malformed);
    CHECK(check("POST", url, k_date, "SpektrixAPI3 TestAgent", "{}", now, key()) == signature_check::malformed);
    CHECK(check("POST", url, k_date, "SpektrixAPI3 TestAgent:", "{}", now, key()) == signature_check::malformed);
    // hex instead of base64 of the digest
    CHECK(check("POST", url, k_date, "SpektrixAPI3 TestAgent:b0dce1a6a0e3fce69b137269999b63f33c8f3888", "{}", now, key()) ==
          signature_check::mismatch);
    // an empty non-GET body: its MD5 line is still signed; refused only when configured
    auto sts = string_to_sign("POST", url, k_date, "");
    CHECK(sts.substr(sts.size() - 24) == "1B2M2Y8AsgTpgAmY7PhCfg==");
    auto empty_auth = "SpektrixAPI3 TestAgent:" + sign(key(), sts);
    CHECK(check("POST", url, k_date, empty_auth, "", now, key()) == signature_check::ok);
    p.accept_empty_body_hash = false;
    CHECK(check("POST", url, k_date, empty_auth, "", now, key()) == signature_check::empty_body);
}

TEST_CASE("authorization headers split into login and signature") {
    std::string_view login, sig;
    REQUIRE(parse_authorization("SpektrixAPI3 agent1@royalcourt:abc=", login, sig));
    CHECK(login == "agent1@royalcourt");
    CHECK(sig == "abc=");
    CHECK_FALSE(parse_authorization("SpektrixAPI3 :abc", login, sig));
    CHECK_FALSE(parse_authorization("spektrixapi3 a:b", login, sig));
}
