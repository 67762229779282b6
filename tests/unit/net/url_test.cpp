#include "agentd/net/url.hpp"

#include <doctest/doctest.h>

using namespace agentd::net;

TEST_CASE("base URLs parse into scheme, host, port and path") {
    auto u = parse_url("https://system.spektrix.com").value();
    CHECK(u.tls());
    CHECK(u.host == "system.spektrix.com");
    CHECK(u.port == 443);
    CHECK(u.path == "");
    CHECK(u.host_header() == "system.spektrix.com");

    auto v = parse_url("http://127.0.0.1:8080/base/").value();
    CHECK_FALSE(v.tls());
    CHECK(v.port == 8080);
    CHECK(v.path == "/base");
    CHECK(v.host_header() == "127.0.0.1:8080");
    CHECK(v.origin() == "http://127.0.0.1:8080");

    auto w = parse_url("https://[::1]:8443").value();
    CHECK(w.host == "::1");
    CHECK(w.host_header() == "[::1]:8443");
}

TEST_CASE("bad base URLs are refused with a reason") {
    CHECK_FALSE(parse_url("ftp://x").has_value());
    CHECK_FALSE(parse_url("system.spektrix.com").has_value());
    CHECK_FALSE(parse_url("https://").has_value());
    CHECK_FALSE(parse_url("https://x:99999").has_value());
    CHECK_FALSE(parse_url("https://x/?a=b").has_value());
    CHECK_FALSE(parse_url("https://user:pw@x").has_value());
}

TEST_CASE("listen addresses") {
    auto a = parse_host_port("127.0.0.1:0").value();
    CHECK(a.host == "127.0.0.1");
    CHECK(a.port == 0);
    CHECK(parse_host_port("[::1]:80").value().host == "::1");
    CHECK_FALSE(parse_host_port("nohost").has_value());
    CHECK_FALSE(parse_host_port("x:port").has_value());
}

TEST_CASE("percent encoding keeps unreserved characters") {
    CHECK(percent_encode("2020-10-21") == "2020-10-21");
    CHECK(percent_encode("a b&c") == "a%20b%26c");
}
