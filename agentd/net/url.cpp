#include "agentd/net/url.hpp"

#include <charconv>

namespace agentd::net {
namespace {

result<std::uint16_t> parse_port(std::string_view p, std::string_view whole) {
    unsigned v = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (p.empty() || ec != std::errc{} || ptr != p.data() + p.size() || v > 65535)
        return fail(errc::invalid_argument, "parse address '" + std::string(whole) + "': bad port");
    return static_cast<std::uint16_t>(v);
}

}  // namespace

std::string url::host_header() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (!default_port()) h += ":" + std::to_string(port);
    return h;
}

std::string url::origin() const { return scheme + "://" + host_header(); }

result<url> parse_url(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return fail(errc::invalid_argument, "parse URL '" + std::string(text.substr(0, 200)) + "': " + std::string(why));
    };
    url u;
    auto sep = text.find("://");
    if (sep == std::string_view::npos) return bad("missing scheme");
    u.scheme = std::string(text.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https") return bad("scheme must be http or https");
    std::string_view rest = text.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos) return bad("query or fragment not allowed");
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
    if (authority.empty()) return bad("missing host");
    if (authority.find('@') != std::string_view::npos) return bad("credentials in URL not allowed");
    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[') {
        auto close = authority.find(']');
        if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
        host = authority.substr(1, close - 1);
        auto after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return bad("junk after IPv6 literal");
            port = after.substr(1);
        }
    } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return bad("missing host");
    u.host = std::string(host);
    if (!port.empty()) {
        auto p = parse_port(port, text);
        if (!p) return p.error();
        u.port = *p;
    } else {
        u.port = u.tls() ? 443 : 80;
    }
    std::string p(path);
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    if (p == "/") p.clear();
    u.path = p;
    return u;
}

result<host_port> parse_host_port(std::string_view text) {
    host_port hp;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail(errc::invalid_argument, "parse address '" + std::string(text) + "': expected [v6]:port");
        hp.host = std::string(text.substr(1, close - 1));
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || colon == 0)
            return fail(errc::invalid_argument, "parse address '" + std::string(text) + "': expected host:port");
        hp.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    }
    auto p = parse_port(port, text);
    if (!p) return p.error();
    hp.port = *p;
    return hp;
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~') {
            out.push_back(char(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace agentd::net
