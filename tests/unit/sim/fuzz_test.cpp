// Random bytes and random JSON through the request parser and the handler: typed answers, no crash.
#include "sim/server.hpp"
#include "sim/signature.hpp"
#include "sim/simulator.hpp"

#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

#include <random>

using namespace agentd;
using namespace agentd::sim;

namespace {

struct fixture {
    settings s;
    std::unique_ptr<simulator> sim;
    fixture() {
        s.size = size_preset::tiny;
        s.rate = 0;
        sim = std::make_unique<simulator>(generate_world({1, size_preset::tiny, 0, std::chrono::system_clock::now()}), s);
    }
    http_request signed_req(std::string method, std::string path, std::string body) {
        auto& acc = sim->catalogue().clients[0].accounts[0];
        http_request r;
        r.method = method;
        r.target = "/tinyvenue/api/v3/" + path;
        r.host = "127.0.0.1:1";
        r.date = format_rfc1123(std::chrono::system_clock::now());
        r.body = body;
        auto sig = sign(acc.key, string_to_sign(method, "http://" + r.host + r.target, r.date, body));
        r.authorization = "SpektrixAPI3 " + acc.login + ":" + sig;
        return r;
    }
};

bool known_status(int s) {
    for (int k : {200, 201, 400, 401, 403, 404, 409, 413, 429}) if (s == k) return true;
    return false;
}

}  // namespace

TEST_CASE("random bytes through the HTTP request parser never crash it") {
    fixture f;
    std::mt19937 gen(42);
    const std::string prefixes[] = {"", "GET / HTTP/1.1\r\n", "POST /tinyvenue/api/v3/baskets HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
                                    "GET /_sim/stats HTTP/1.1\r\nHost: x\r\n\r\n"};
    int parsed = 0;
    for (int i = 0; i < 3000; ++i) {
        std::string raw = prefixes[i % 4];
        auto n = gen() % 300;
        for (unsigned k = 0; k < n; ++k) raw.push_back(char(gen() % 256));
        if (i % 7 == 0) raw += "\r\n\r\n";
        auto r = parse_http_request(raw, 1 << 16);
        if (!r) continue;
        ++parsed;
        auto resp = f.sim->handle(*r);
        CHECK(resp.status >= 200);
        CHECK(resp.status < 600);
    }
    CHECK(parsed > 0);
    auto ok = parse_http_request("GET /x?y=1 HTTP/1.1\r\nHost: h\r\nDate: d\r\n\r\n", 100);
    REQUIRE(ok.has_value());
    CHECK(ok->target == "/x?y=1");
    CHECK(parse_http_request("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 500\r\n\r\n" + std::string(500, 'a'), 100).error().code ==
          errc::too_large);
}

TEST_CASE("random JSON bodies to every signed endpoint get typed answers") {
    fixture f;
    auto b = f.sim->handle(f.signed_req("POST", "baskets", "{}"));
    REQUIRE(b.status == 201);
    auto id = b.body.substr(7, 33);
    auto& c = f.sim->catalogue().clients[0];
    std::mt19937 gen(7);
    const std::vector<std::string> atoms{"{}", "[]", "null", "1", "-1.5e308", "\"x\"", "true", "\"" + c.instances[0].id + "\"",
                                         "\"" + c.types[0].id + "\"", "\"10005\"", "10003", "\"" + c.plans[0].areas[1].id + "\""};
    const std::vector<std::string> keys{"instance", "seat", "seatingPlan", "type", "quantity", "agentCustomer", "firstName", "priceBand"};
    auto random_json = [&](auto&& self, int depth) -> std::string {
        auto pick = gen() % 4;
        if (depth > 3 || pick == 0) return atoms[gen() % atoms.size()];
        if (pick == 1) {
            std::string s = "[";
            for (unsigned i = 0, n = gen() % 4; i < n; ++i) s += (i ? "," : "") + self(self, depth + 1);
            return s + "]";
        }
        std::string s = "{";
        for (unsigned i = 0, n = gen() % 5; i < n; ++i) s += std::string(i ? "," : "") + "\"" + keys[gen() % keys.size()] + "\":" + self(self, depth + 1);
        return s + "}";
    };
    const std::vector<std::pair<std::string, std::string>> targets{
        {"POST", "baskets/" + id + "/tickets"}, {"POST", "baskets/" + id + "/tickets/best-available"},
        {"PATCH", "baskets/" + id},             {"POST", "baskets"},
        {"POST", "baskets/" + id + "/clear"},   {"DELETE", "baskets/" + id + "/tickets?ticketIds=a,,b"},
        {"GET", "instances/" + c.instances[0].id + "/best-available?quantity=2&priceBand=zz"},
        {"GET", "events?instanceStart_from=2020-13-45"}};
    for (int i = 0; i < 1500; ++i) {
        auto& [m, p] = targets[std::size_t(i) % targets.size()];
        std::string body = m == "GET" ? "" : random_json(random_json, 0);
        if (i % 11 == 0) body = body.substr(0, body.size() / 2);
        auto r = f.sim->handle(f.signed_req(m, p, body));
        CAPTURE(body);
        CHECK(known_status(r.status));
        CHECK((r.body.find("\"message\"") != std::string::npos || r.status < 300));
    }
    auto inv = f.sim->handle(http_request{"GET", "/_sim/invariants", "h", "", "", "", true, false});
    CHECK(inv.body.find("\"ok\":true") != std::string::npos);
    auto remote = f.sim->handle(http_request{"GET", "/_sim/invariants", "h", "", "", "", false, false});
    CHECK(remote.status == 403);
}

TEST_CASE("deeply nested JSON gets 400 from /_sim/locks and every basket POST, and the simulator keeps answering") {
    fixture f;
    auto b = f.sim->handle(f.signed_req("POST", "baskets", "{}"));
    REQUIRE(b.status == 201);
    auto id = b.body.substr(7, 33);
    // Well under the 1 MiB body cap; a recursive parser needs a stack frame per bracket.
    const std::string open(200000, '['), deep = open + std::string(200000, ']');
    const std::string object = R"({"instance":)" + open;
    for (const auto* body : {&open, &deep, &object}) {
        http_request locks{"POST", "/_sim/locks", "h", "", "", *body, true, false};
        auto r = f.sim->handle(locks);
        CHECK(r.status == 400);
        CHECK(r.body.find("\"message\"") != std::string::npos);
        for (const auto* target : {"baskets", "baskets/%/tickets", "baskets/%/tickets/best-available", "baskets/%/confirm"}) {
            std::string path = target;
            if (auto at = path.find('%'); at != std::string::npos) path.replace(at, 1, id);
            auto resp = f.sim->handle(f.signed_req("POST", path, *body));
            CAPTURE(path);
            CHECK(resp.status == 400);
            CHECK(resp.body.find("\"message\"") != std::string::npos);
        }
        auto patched = f.sim->handle(f.signed_req("PATCH", "baskets/" + id, *body));
        CHECK(patched.status == 400);
    }
    CHECK(f.sim->handle(f.signed_req("GET", "baskets/" + id, "")).status == 200);
    auto inv = f.sim->handle(http_request{"GET", "/_sim/invariants", "h", "", "", "", true, false});
    CHECK(inv.body.find("\"ok\":true") != std::string::npos);
}
