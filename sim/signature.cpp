// HMAC-SHA1 signature check (see signature.hpp).
#include "sim/signature.hpp"

#include "agentd/core/time.hpp"
#include "sim/world.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>

namespace agentd::sim {

bool parse_authorization(std::string_view h, std::string_view& login, std::string_view& sig) {
    constexpr std::string_view scheme = "SpektrixAPI3 ";
    if (h.substr(0, scheme.size()) != scheme) return false;
    h.remove_prefix(scheme.size());
    auto colon = h.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == h.size()) return false;
    login = h.substr(0, colon);
    sig = h.substr(colon + 1);
    return true;
}

std::string md5_base64(std::string_view body) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), digest, &len, EVP_md5(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string string_to_sign(std::string_view method, std::string_view url, std::string_view date, std::string_view body) {
    std::string m(method);
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    std::string s = m + "\n" + std::string(url) + "\n" + std::string(date);
    if (m != "GET") s += "\n" + md5_base64(body);
    return s;
}

std::string sign(std::string_view key, std::string_view sts) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha1(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(sts.data()), sts.size(), mac, &len);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

std::string_view to_string(signature_check c) noexcept {
    switch (c) {
    case signature_check::ok: return "ok";
    case signature_check::missing: return "missing header";
    case signature_check::malformed: return "malformed authorization";
    case signature_check::unknown_login: return "unknown login";
    case signature_check::bad_date: return "bad date";
    case signature_check::skew: return "date outside the skew window";
    case signature_check::mismatch: return "signature mismatch";
    case signature_check::empty_body: return "empty body on non-GET";
    }
    return "?";
}

signature_check verify(const signed_request& r, std::string_view key, sys_time now, const signature_policy& p) {
    if (r.authorization.empty() || r.date.empty()) return signature_check::missing;
    std::string_view login, sig;
    if (!parse_authorization(r.authorization, login, sig)) return signature_check::malformed;
    auto date = parse_rfc1123(r.date);
    if (!date) return signature_check::bad_date;
    auto diff = *date > now ? *date - now : now - *date;
    if (diff > p.skew) return signature_check::skew;
    std::string m(r.method);
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    if (m != "GET" && r.body.empty() && !p.accept_empty_body_hash) return signature_check::empty_body;
    auto expected = sign(key, string_to_sign(r.method, r.url, r.date, r.body));
    if (expected.size() != sig.size() || CRYPTO_memcmp(expected.data(), sig.data(), sig.size()) != 0)
        return signature_check::mismatch;
    return signature_check::ok;
}

}  // namespace agentd::sim
