// The feed payloads documented in docs/local-api.md against what a running agentd sends: the
// real daemon (its store writes the payloads) over the simulator, not the fake backend.
#include "tests/support/harness.hpp"

#include "agentd/net/uds_client.hpp"

#include <optional>

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <map>
#include <set>
#include <sstream>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

// "key" -> JSON type name, nested objects as "outer.inner".
using shape = std::map<std::string, std::string>;

void collect(const rapidjson::Value& v, const std::string& prefix, shape& out) {
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        std::string key = prefix + it->name.GetString();
        const auto& m = it->value;
        if (m.IsObject()) collect(m, key + ".", out);
        out[key] = m.IsString() ? "string" : m.IsNumber() ? "number" : m.IsBool() ? "boolean" : m.IsNull() ? "null"
                 : m.IsArray() ? "array" : "object";
    }
}

std::optional<shape> shape_of(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str(), json.size());
    if (d.HasParseError() || !d.IsObject()) return std::nullopt;
    shape s;
    collect(d, "", s);
    return s;
}

// Every "event: K" line followed by "data: J" in the doc's Feed section, by kind.
std::map<std::string, std::vector<shape>> documented_payloads() {
    auto doc = read_file(source_dir() + "/docs/local-api.md");
    auto from = doc.find("## Feed");
    auto to = doc.find("## Operations");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    std::istringstream in(doc.substr(from, to - from));
    std::map<std::string, std::vector<shape>> out;
    std::string line, kind;
    while (std::getline(in, line)) {
        if (line.starts_with("event: ")) {
            kind = line.substr(7);
        } else if (line.starts_with("data: ") && !kind.empty()) {
            auto s = shape_of(line.substr(6));
            INFO("documented " << kind << ": " << line);
            REQUIRE(s.has_value());
            out[kind].push_back(*s);
            kind.clear();
        }
    }
    return out;
}

}  // namespace

TEST_CASE("the feed payloads in docs/local-api.md are exactly the shapes agentd sends") {
    auto documented = documented_payloads();
    REQUIRE(documented.contains("reservation"));

    temp_dir dir;
    auto sim = start_sim(dir);
    auto d = start_daemon(dir, write_daemon_config(dir, sim));
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    const auto client = sim.clients.at(0).name;
    // The mirror lists an instance before its price list has landed: wait for one that can be sold.
    const sellable sale = wait_sellable(sock, client);
    const std::string instance = sale.instance;
    const std::optional<std::string> ticket_type = sale.ticket_type;
    auto made = uds_request(sock, "POST", "/v1/reservations",
                            R"({"client":")" + client + R"(","instance":")" + instance +
                                R"(","bestAvailable":{"quantity":1,"ticketType":")" + *ticket_type + R"("}})",
                            {"Idempotency-Key: docs-1"});
    REQUIRE(made);
    REQUIRE(made->status == 202);
    auto id = *json_get(made->body, "id");

    // Everything from the start: the initial sync's inventory events, then the reservation's.
    net::uds_client feed(sock, 5s);
    REQUIRE(feed.open_stream("/v1/feed?since=0").has_value());
    std::set<std::string> kinds;
    int checked = 0;
    bool own_seen = false;
    for (;;) {
        auto e = feed.next_event();
        if (!e || !e->has_value()) break;  // idle for 5 s (a timeout) or closed: all read
        auto& ev = **e;
        kinds.insert(ev.event);
        INFO("sent " << ev.event << ": " << ev.data);
        REQUIRE(documented.contains(ev.event));
        auto got = shape_of(ev.data);
        REQUIRE(got.has_value());
        // The daemon's payload is one of the documented ones, member for member, or (for
        // members the doc calls optional, like availability's `available`) a part of it.
        bool matches = false;
        for (const auto& doc_shape : documented[ev.event]) {
            bool subset = true;
            for (const auto& [k, t] : *got) subset = subset && doc_shape.contains(k) && doc_shape.at(k) == t;
            matches = matches || (subset && (got->size() == doc_shape.size() || ev.event == "availability"));
        }
        CHECK(matches);
        ++checked;
        if (ev.event == "reservation" && ev.data.find("\"id\":\"" + id + "\"") != std::string::npos) own_seen = true;
    }
    MESSAGE("checked " << checked << " events of kinds " << [&] {
        std::string k;
        for (auto& x : kinds) k += x + " ";
        return k;
    }());
    CHECK(own_seen);
    CHECK(kinds.contains("reservation"));
    CHECK((kinds.contains("instance") || kinds.contains("event") || kinds.contains("availability")));
}
