// Verification of Spektrix HMAC-SHA1 request signatures (docs/upstream-contract.md, "Request signing"), written independently
// of agentd's signer so a mistake on either side shows up in tests. Pure functions; thread-safe.
#pragma once

#include "agentd/core/clock.hpp"

#include <string>
#include <string_view>

namespace agentd::sim {

struct signed_request {
    std::string_view method;         // as received; compared upper-case
    std::string_view url;            // full URL: scheme://host/path?query
    std::string_view date;           // Date header
    std::string_view authorization;  // Authorization header
    std::string_view body;
};

struct signature_policy {
    std::chrono::seconds skew{300};
    bool accept_empty_body_hash = true;
};

// "SpektrixAPI3 login:sig" split; false when the header does not have that shape.
bool parse_authorization(std::string_view header, std::string_view& login, std::string_view& signature);

std::string md5_base64(std::string_view body);
std::string string_to_sign(std::string_view method, std::string_view url, std::string_view date, std::string_view body);
std::string sign(std::string_view key, std::string_view string_to_sign);

enum class signature_check { ok, missing, malformed, unknown_login, bad_date, skew, mismatch, empty_body };
std::string_view to_string(signature_check c) noexcept;

// `key` is the base64-decoded secret of the account named in the header.
signature_check verify(const signed_request& r, std::string_view key, sys_time now, const signature_policy& p);

}  // namespace agentd::sim
