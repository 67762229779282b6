// net/tls: the client TLS context. Certificate and host-name verification are on unless the
// explicit test flag says otherwise; a CA file adds a private CA, else the system trust store
// is used. The context is built once per upstream client and shared by its connections; it is
// used from the io_context thread only.
#pragma once

#include "agentd/core/error.hpp"

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace agentd::net {

struct tls_options {
    std::string ca_file;  // PEM; empty = system default paths
    bool insecure_skip_verify_for_tests = false;
};

result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const tls_options& o);

}  // namespace agentd::net
