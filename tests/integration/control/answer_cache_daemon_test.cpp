// The daemon's answer cache against real processes (agentd over agentd-sim): once the feed has
// announced an instance's availability change, the very next GET of that instance, read from
// the cache a moment before, already carries it.
#include "tests/support/harness.hpp"
#include "tests/support/test_database.hpp"

#include "agentd/api/json.hpp"
#include "agentd/net/uds_client.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

std::optional<api::instance> get_instance(const std::string& sock, const std::string& client, const std::string& id) {
    auto a = uds_request(sock, "GET", "/v1/clients/" + client + "/instances/" + id);
    if (!a || a->status != 200) return std::nullopt;
    auto i = api::from_json<api::instance>(a->body);
    if (!i) return std::nullopt;
    return *i;
}

}  // namespace

TEST_CASE("a cached instance answer carries an availability change as soon as the feed announces it") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto d = start_daemon(dir, write_daemon_config(dir, sim));
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    const auto client = sim.clients.at(0).name;

    // An on-sale instance with seats left, whose availability the mirror has read.
    std::string id;
    std::int64_t before = 0;
    REQUIRE(wait_until(
        [&] {
            auto list = uds_request(sock, "GET", "/v1/clients/" + client + "/instances");
            if (!list || list->status != 200) return false;
            auto all = api::from_json<std::vector<api::instance_summary>>(list->body);
            if (!all) return false;
            for (const auto& s : *all) {
                if (!s.on_sale || s.cancelled || s.available < 3) continue;
                auto i = get_instance(sock, client, s.id);
                if (!i || i->availability_confirmed_at.empty()) continue;
                id = s.id;
                before = i->avail.available;
                return true;
            }
            return false;
        },
        60s, 100ms));

    net::uds_client feed(sock, 30s);
    REQUIRE(feed.open_stream("/v1/feed?since=0").has_value());
    auto cached = get_instance(sock, client, id);  // served from the cache from here on
    REQUIRE(cached);
    REQUIRE(get_instance(sock, client, id));
    REQUIRE(cached->avail.available == before);

    auto sold = tcp_request(sim.base_url, "POST", "/_sim/public-sales", R"({"instance":")" + id + R"(","take":2})");
    REQUIRE(sold);
    REQUIRE(sold->status == 200);

    // The sync sees the sale on its next poll of the instance (it is hot: just read) and the
    // feed announces it; the answer right after that event must be the new one.
    std::optional<api::feed_availability> announced;
    while (!announced) {
        auto e = feed.next_event();
        REQUIRE_MESSAGE(e.has_value(), "feed: " << e.error().message);
        REQUIRE(e->has_value());
        if ((*e)->event != "availability") continue;
        auto a = api::from_json<api::feed_availability>((*e)->data);
        REQUIRE(a.has_value());
        if (a->id == id && a->available && *a->available == before - 2) announced = *a;
    }
    auto after = get_instance(sock, client, id);
    REQUIRE(after);
    CHECK(after->avail.available == before - 2);
    CHECK(after->availability_confirmed_at >= cached->availability_confirmed_at);

    auto m = uds_request(sock, "GET", "/metrics");
    REQUIRE(m);
    CHECK(m->body.find("agentd_api_cache_hits_total") != std::string::npos);
    // The cap is on /metrics next to the size, so a memory figure can be read against it: the
    // default [api] answer_cache of 16 MiB.
    CHECK(m->body.find("\nagentd_api_cache_max_bytes 16777216\n") != std::string::npos);

    // On SQLite the daemon never maps libpq (store/libpq_loader loads it for PostgreSQL only):
    // linked, it and its dependencies cost ~3.5 MiB resident.
    if (!on_postgresql()) {
        std::ifstream in("/proc/" + std::to_string(d->pid()) + "/maps");
        std::stringstream maps;
        maps << in.rdbuf();
        REQUIRE(maps.str().find("/agentd") != std::string::npos);  // the daemon's own map was read
        CHECK(maps.str().find("libpq.so") == std::string::npos);
    }
}
