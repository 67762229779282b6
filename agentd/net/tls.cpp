#include "agentd/net/tls.hpp"

#include <boost/asio/ssl/context.hpp>

namespace agentd::net {

result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const tls_options& o) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (!o.ca_file.empty()) {
        ctx->load_verify_file(o.ca_file, ec);
        if (ec) return fail(errc::config_error, "load CA file " + o.ca_file + ": " + ec.message());
    } else {
        ctx->set_default_verify_paths(ec);
        if (ec) return fail(errc::config_error, "load system CA store: " + ec.message());
    }
    ctx->set_verify_mode(o.insecure_skip_verify_for_tests ? ssl::verify_none : ssl::verify_peer, ec);
    if (ec) return fail(errc::config_error, "set TLS verify mode: " + ec.message());
    return ctx;
}

}  // namespace agentd::net
