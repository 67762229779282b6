// upstream/signer: the Spektrix API v3 HMAC-SHA1 request signature (docs/upstream-contract.md, "Request signing"). The URL signed is
// the full URL as sent; non-GET requests sign the MD5 of the exact body bytes sent. The secret
// is decoded once and never printed. Pure; a signer is immutable after construction, so it is
// thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/core/secret.hpp"

#include <string>
#include <string_view>

namespace agentd::upstream {

std::string base64_encode(std::string_view bytes);
agentd::result<std::string> base64_decode(std::string_view text);
// BASE64(MD5(bytes)), 24 characters.
std::string body_hash(std::string_view body);

class signer {
public:
    // Fails with invalid_argument when the secret is not valid base64 (message never shows it).
    static agentd::result<signer> make(std::string login, const secret& base64_secret);

    // The Authorization header value: "SpektrixAPI3 <login>:<signature>".
    // `date` is the exact Date header (RFC 1123, GMT).
    std::string authorization(std::string_view method, std::string_view url, std::string_view date,
                              std::string_view body) const;
    static std::string string_to_sign(std::string_view method, std::string_view url, std::string_view date,
                                      std::string_view body);

private:
    signer(std::string login, secret key) : login_(std::move(login)), key_(std::move(key)) {}
    std::string login_;
    secret key_;  // decoded key bytes
};

}  // namespace agentd::upstream
