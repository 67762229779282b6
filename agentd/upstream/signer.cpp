#include "agentd/upstream/signer.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace agentd::upstream {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

agentd::result<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return fail(errc::invalid_argument, "decode base64: length is not a multiple of 4");
    for (char c : text)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '='))
            return fail(errc::invalid_argument, "decode base64: invalid character");
    std::string out(3 * (text.size() / 4) + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return fail(errc::invalid_argument, "decode base64: malformed");
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes.
    if (text.size() >= 1 && text.back() == '=') --len;
    if (text.size() >= 2 && text[text.size() - 2] == '=') --len;
    out.resize(len);
    return out;
}

std::string body_hash(std::string_view body) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(body.data(), body.size(), md, &len, EVP_md5(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(md), len));
}

agentd::result<signer> signer::make(std::string login, const secret& base64_secret) {
    auto key = base64_decode(base64_secret.reveal());
    if (!key) return fail(errc::invalid_argument, "load agent secret for " + login + ": not valid base64");
    if (key->empty()) return fail(errc::invalid_argument, "load agent secret for " + login + ": empty");
    return signer(std::move(login), secret(std::move(*key)));
}

std::string signer::string_to_sign(std::string_view method, std::string_view url, std::string_view date,
                                   std::string_view body) {
    std::string s;
    for (char c : method) s.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    s.append("\n").append(url).append("\n").append(date);
    if (s.compare(0, 4, "GET\n") != 0) s.append("\n").append(body_hash(body));
    return s;
}

std::string signer::authorization(std::string_view method, std::string_view url, std::string_view date,
                                  std::string_view body) const {
    std::string to_sign = string_to_sign(method, url, date, body);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    auto key = key_.reveal();
    HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(to_sign.data()),
         to_sign.size(), mac, &len);
    return "SpektrixAPI3 " + login_ + ":" + base64_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

}  // namespace agentd::upstream
