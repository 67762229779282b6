// HTTPS with a throwaway CA: verification on by default, a CA file for private CAs, wrong
// host names and unknown CAs refused, the explicit test flag skips verification.
#include "tests/integration/upstream/harness.hpp"

#include "tests/support/process.hpp"

#include <boost/asio/ssl.hpp>

using namespace agentd;
using namespace agentd::upstream;
using namespace agentd::test;
namespace asio = boost::asio;

namespace {
std::unique_ptr<asio::ssl::context> server_tls(const temp_dir& d, const std::string& name) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->use_certificate_chain_file(d.file(name + ".pem"));
    ctx->use_private_key_file(d.file(name + ".key"), asio::ssl::context::pem);
    return ctx;
}

canned answer(const seen_request&) { return canned{200, R"([{"id":"1AB","name":"Hamlet"}])"}; }

upstream::result<std::vector<event>> one_call(const temp_dir& d, const std::string& cert, std::function<void(client_settings&)> tweak,
                                    std::size_t* seen = nullptr) {
    auto tls = server_tls(d, cert);
    harness h(answer, std::move(tweak), tls.get());
    upstream::result<std::vector<event>> out = failure{};
    h.run([&]() -> asio::awaitable<void> { out = co_await h.client->list_events("a", "b"); });
    if (seen) *seen = h.server.requests.size();
    if (!h.server.requests.empty()) CHECK(signature_ok(h.server.requests[0], true));
    return out;
}
}  // namespace

TEST_CASE("HTTPS verifies the certificate chain and the host name") {
    const temp_dir& d = shared_test_pki();

    SUBCASE("a certificate from the configured private CA for 127.0.0.1 is accepted") {
        std::size_t seen = 0;
        auto r = one_call(d, "good", [&](client_settings& s) { s.ca_file = d.file("ca.pem"); }, &seen);
        REQUIRE(r.has_value());
        CHECK(r->size() == 1);
        CHECK(seen == 1);
    }
    SUBCASE("a certificate for another host name is refused, permanently, without sending") {
        std::size_t seen = 0;
        auto r = one_call(d, "wrong", [&](client_settings& s) { s.ca_file = d.file("ca.pem"); }, &seen);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::permanent);
        CHECK(r.error().message.find("TLS") != std::string::npos);
        CHECK(seen == 0);
    }
    SUBCASE("a certificate from an unknown CA is refused") {
        auto r = one_call(d, "self", [&](client_settings& s) { s.ca_file = d.file("ca.pem"); });
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::permanent);
    }
    SUBCASE("the system trust store does not know the throwaway CA") {
        auto r = one_call(d, "good", {});
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().cls == error_class::permanent);
    }
    SUBCASE("only the explicit test flag skips verification") {
        auto r = one_call(d, "wrong", [&](client_settings& s) { s.insecure_skip_verify_for_tests = true; });
        CHECK(r.has_value());
    }
}
