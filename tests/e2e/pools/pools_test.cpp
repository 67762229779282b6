// Allocation pools end to end (docs/pools.md): agentd-sim and agentd as real processes. A pool
// fills, a request it satisfies is answered `held` from it at once (no upstream call on the
// request path), the pool refills and drains before the show; holds are kept alive past the
// basket lifetime; a SIGKILL mid-fill is recovered without doubling a hold; the client's cap
// is never exceeded; an on-sale grab fills at its moment during a public rush; an event pool
// keeps holds for each instance of the event, and a sale drawn from it shows its pool in the
// ledger.
#include "tests/e2e/pools/pool_world.hpp"
#include "tests/support/cli_run.hpp"
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <ctime>
#include <map>
#include <set>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

std::string iso_in(std::chrono::seconds ahead) {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + ahead);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

TEST_CASE("a pool fills within its cap, serves a draw with no upstream call, refills, and drains before the show") {
    pool_world w;
    // 3x2 + 1x3 = 9 seats; the client's cap is exactly that.
    w.set_pools(w.pool_block("p", "3x2, 1x3"), 9);
    int most_seats = 0;
    REQUIRE(wait_until(
        [&] {
            most_seats = std::max(most_seats, w.sim_basket_seats());
            return w.pool_count("p", "ready") == 4 && w.pool_field("p", "phase") == "ready";
        },
        60s, 20ms));
    CHECK(most_seats <= 9);
    CHECK(w.sim_baskets() == 4);
    CHECK(w.sim_basket_seats() == 9);
    CHECK(w.pool_field("p", "phase") == "ready");
    CHECK(w.pool_count("p", "seatsHeld") == 9);
    const auto before = w.pool_reservations("p");
    REQUIRE(before.size() == 4);
    const long creates = w.sim_requests("create_basket");

    // The draw: answered held at once, with the pool's own reservation and its real deadline.
    auto a = w.ask("draw-1", 2);
    REQUIRE(a);
    CHECK(a->status == 202);
    CHECK(json_get(a->body, "state") == "held");
    CHECK(json_get(a->body, "pool") == "p");
    CHECK(json_get(a->body, "channel") == "tests");
    CHECK(json_array_size(a->body, "seats") == 2);
    REQUIRE(json_get(a->body, "expiresAt"));
    const auto drawn_id = *json_get(a->body, "id");
    CHECK(before.contains(drawn_id));
    // A retry under the same key is the same reservation, not a second draw.
    auto again = w.ask("draw-1", 2);
    REQUIRE(again);
    CHECK(again->status == 200);
    CHECK(json_get(again->body, "id") == drawn_id);
    // The history says where the seats came from.
    auto h = uds_request(w.sock, "GET", "/v1/reservations/" + drawn_id + "/history");
    REQUIRE(h);
    CHECK(h->body.find("drawn from a pool") != std::string::npos);

    // Refilled: one new basket for the one hold drawn, never one for the draw itself.
    REQUIRE(wait_until([&] { return w.pool_count("p", "ready") == 4 && w.pool_count("p", "drawn") == 1; }, 60s, 20ms));
    CHECK(w.sim_requests("create_basket") == creates + 1);
    if (w.sim_requests("create_basket") != creates + 1) {
        auto b = tcp_request(w.sim.control_url, "GET", "/baskets?client=" + w.client);
        MESSAGE(b->body);
        MESSAGE(read_file(w.dir.file("agentd.log")));
    }
    CHECK(w.sim_baskets() == 5);  // four ready plus the channel's
    const auto after = w.pool_reservations("p");
    CHECK_FALSE(after.contains(drawn_id));
    CHECK(after.size() == 4);
    // Drawn holds are counted from the database, so a restart keeps the count (docs/local-api.md).
    w.kill_and_restart();
    CHECK(wait_until([&] { return w.pool_count("p", "drawn") == 1 && w.pool_count("p", "ready") == 4; }, 60s, 20ms));
    // A size the pool does not keep goes the normal way (queued, then placed upstream).
    auto normal = w.ask("normal-1", 1);
    REQUIRE(normal);
    CHECK(json_get(normal->body, "state") == "queued");
    CHECK_FALSE(json_get(normal->body, "pool"));

    // The show comes within drain_before: the pool releases its ready holds, the channel's stays.
    w.set_pools(w.pool_block("p", "3x2, 1x3", "drain_before = \"365d\"\n"), 9);
    REQUIRE(wait_until([&] { return w.pool_field("p", "phase") == "draining" && w.pool_reservations("p").empty(); }, 60s, 20ms));
    const bool two = wait_until([&] { return w.sim_baskets() == 2; }, 30s, 20ms);
    if (!two) {
        auto b = tcp_request(w.sim.control_url, "GET", "/baskets?client=" + w.client);
        MESSAGE(b->body);
        MESSAGE(uds_request(w.sock, "GET", "/v1/reservations")->body);
        MESSAGE(read_file(w.dir.file("agentd.log")));
    }
    REQUIRE(two);  // the drawn hold and the normal one
    auto mine = uds_request(w.sock, "GET", "/v1/reservations/" + drawn_id);
    REQUIRE(mine);
    CHECK(json_get(mine->body, "state") == "held");

    // Removed by a reload: nothing of the pool is left.
    w.set_pools("");
    REQUIRE(wait_until([&] { return !w.pool_field("p", "name"); }, 30s, 20ms));
    w.daemon->signal(SIGTERM);
    CHECK(w.daemon->wait(30s) == 0);
}

TEST_CASE("a pool over its client's cap is refused at reload and the running pools stay") {
    pool_world w;
    w.set_pools(w.pool_block("small", "1x2"));
    REQUIRE(wait_until([&] { return w.pool_count("small", "ready") == 1; }, 60s, 20ms));
    // The default cap is 100 seats: 60x2 does not fit.
    w.set_pools(w.pool_block("small", "1x2") + w.pool_block("big", "60x2"));
    REQUIRE(wait_until([&] { return read_file(w.dir.file("agentd.log")).find("new configuration refused") != std::string::npos; },
                       30s, 20ms));
    CHECK_FALSE(w.pool_field("big", "name"));
    CHECK(w.pool_count("small", "ready") == 1);
    CHECK(w.sim_basket_seats() == 2);
}

TEST_CASE("pool holds are kept alive past the basket lifetime") {
    // The simulator's baskets live 60 s from their last touch; agentd counts 40 s of that.
    pool_world w({"--size", "tiny", "--basket-ttl", "60"}, "basket_lifetime = \"1m\"\nexpiry_margin = \"20s\"\n");
    w.set_pools(w.pool_block("alive", "2x2"));
    REQUIRE(wait_until([&] { return w.pool_count("alive", "ready") == 2; }, 60s, 20ms));
    const auto first = w.pool_reservations("alive");
    REQUIRE(first.size() == 2);
    const long creates = w.sim_requests("create_basket");
    // Wait until the simulator's clock is past the first baskets' original lifetime.
    const long touches_before = w.sim_requests("patch_basket");
    REQUIRE(wait_until([&] { return w.sim_requests("patch_basket") >= touches_before + 6; }, 150s, 200ms));
    CHECK(w.pool_reservations("alive") == first);
    CHECK(w.sim_requests("create_basket") == creates);
    CHECK(w.sim_baskets() == 2);
    CHECK(w.pool_count("alive", "ready") == 2);
    CHECK(w.pool_count("alive", "failedFills") == 0);
}

TEST_CASE("a daemon killed while a pool fills recovers it without doubling a hold") {
    pool_world w({"--size", "tiny", "--basket-ttl", "60"}, "basket_lifetime = \"1m\"\nexpiry_margin = \"20s\"\n");
    w.set_pools(w.pool_block("crash", "4x2"));
    REQUIRE(wait_until([&] { return w.pool_count("crash", "ready") >= 1; }, 60s, 5ms));
    w.kill_and_restart();
    REQUIRE(wait_until([&] { return w.pool_count("crash", "ready") == 4; }, 60s, 20ms));
    CHECK(w.pool_reservations("crash").size() == 4);
    // A basket created upstream before its id was stored expires by itself: then the simulator
    // holds exactly the pool's ready baskets.
    REQUIRE(wait_until([&] { return w.sim_baskets() == 4; }, 120s, 200ms));
    CHECK(w.sim_basket_seats() == 8);
    CHECK(w.pool_count("crash", "ready") == 4);
    // And a second kill with the pool full changes nothing.
    w.kill_and_restart();
    REQUIRE(wait_until([&] { return w.pool_count("crash", "ready") == 4; }, 60s, 20ms));
    // The counts come from the database, so they read 4 before the restarted filler has run:
    // watch it run several passes, and fail on any extra basket or hold (this wait is meant
    // to run out).
    CHECK_FALSE(wait_until([&] { return w.sim_baskets() != 4 || w.pool_reservations("crash").size() != 4; }, 5s, 100ms));
}

TEST_CASE("an on-sale grab makes its baskets ahead and asks for seats at fill_at, not before, while the public buys") {
    pool_world w({"--size", "tiny", "--public-sales-rate", "5"});
    const auto fill_at = iso_in(10s);
    w.set_pools(w.pool_block("grab", "3x2", "fill_at = \"" + fill_at + "\"\ngrab_lead = \"4s\"\n"));
    const bool filled = wait_until([&] { return w.pool_count("grab", "ready") == 3; }, 60s, 20ms);
    if (!filled) {
        MESSAGE(uds_request(w.sock, "GET", "/v1/pools")->body);
        MESSAGE(uds_request(w.sock, "GET", "/v1/reservations")->body);
    }
    REQUIRE(filled);
    // Each hold's basket was made before the opening (grab_lead), its seats held only at or
    // after it: the history's "basket … created" and "held" entries, to the second.
    const auto ids = w.pool_reservations("grab");
    REQUIRE(ids.size() == 3);
    for (const auto& id : ids) {
        auto h = uds_request(w.sock, "GET", "/v1/reservations/" + id + "/history");
        REQUIRE(h);
        std::optional<std::string> basket_at, held_at;
        for (int i = 0, n = json_array_size(h->body, "history"); i < n; ++i) {
            const auto e = "history." + std::to_string(i);
            const auto note = json_get(h->body, e + ".note").value_or("");
            const auto state = json_get(h->body, e + ".state").value_or("");
            if (!basket_at && note.find("basket") != std::string::npos && note.find("created") != std::string::npos)
                basket_at = json_get(h->body, e + ".at");
            if (!held_at && state == "held") held_at = json_get(h->body, e + ".at");
        }
        REQUIRE_MESSAGE(basket_at, h->body);
        REQUIRE_MESSAGE(held_at, h->body);
        CHECK_MESSAGE(basket_at->substr(0, 19) < fill_at.substr(0, 19), h->body);
        CHECK_MESSAGE(held_at->substr(0, 19) >= fill_at.substr(0, 19), h->body);
    }
    CHECK(w.pool_field("grab", "fillAt") == fill_at);
    CHECK(w.sim_basket_seats() == 6);
}

TEST_CASE("an event pool fills each on-sale instance within the cap, refills a draw, and its sale shows the pool in the ledger") {
    pool_world w;
    auto detail = uds_request(w.sock, "GET", "/v1/clients/" + w.client + "/instances/" + w.instance);
    REQUIRE(detail);
    const auto event = json_get(detail->body, "event");
    REQUIRE(event);
    // The instances of the event the mirror shows on sale to agents (two in the tiny world).
    std::set<std::string> on_sale;
    auto list = uds_request(w.sock, "GET", "/v1/clients/" + w.client + "/instances?event=" + *event);
    REQUIRE(list);
    for (int i = 0, n = json_array_size(list->body, "instances"); i < n; ++i) {
        const auto row = "instances." + std::to_string(i);
        if (json_get(list->body, row + ".onSale") == "true" && json_get(list->body, row + ".cancelled") == "false")
            on_sale.insert(*json_get(list->body, row + ".id"));
    }
    REQUIRE(on_sale.size() >= 2);
    const std::string other = *std::find_if(on_sale.begin(), on_sale.end(), [&](const std::string& i) { return i != w.instance; });

    // 2x2 per instance; a cap of one instance's worth plus one pair: the filler stops there.
    const int per_instance = 4, cap = per_instance + 2;
    w.set_pools(w.event_pool_block("ev", *event, "2x2"), cap);
    int most_seats = 0;
    const bool capped = wait_until(
        [&] {
            most_seats = std::max(most_seats, w.sim_basket_seats());
            auto phases = w.pool_rows("ev", "phase");
            auto ready = w.pool_rows("ev", "ready");
            long total = 0;
            for (const auto& [i, n] : ready) total += n.empty() ? 0 : std::stol(n);
            return phases.size() == on_sale.size() && total == cap / 2 &&
                   std::count_if(phases.begin(), phases.end(), [](const auto& p) { return p.second == "capped"; }) == 1;
        },
        60s, 20ms);
    if (!capped) MESSAGE(uds_request(w.sock, "GET", "/v1/pools")->body);
    REQUIRE(capped);
    CHECK(most_seats <= cap);
    CHECK(w.sim_basket_seats() == cap);
    CHECK(w.pool_rows("ev", "event").begin()->second == *event);

    // Room for every instance: each gets its own two pairs.
    const int full = per_instance * static_cast<int>(on_sale.size());
    w.set_pools(w.event_pool_block("ev", *event, "2x2"), full);
    const bool ready = wait_until(
        [&] {
            most_seats = std::max(most_seats, w.sim_basket_seats());
            auto phases = w.pool_rows("ev", "phase");
            auto ready_n = w.pool_rows("ev", "ready");
            if (phases.size() != on_sale.size()) return false;
            for (const auto& i : on_sale)
                if (phases[i] != "ready" || ready_n[i] != "2") return false;
            return true;
        },
        60s, 20ms);
    if (!ready) MESSAGE(uds_request(w.sock, "GET", "/v1/pools")->body);
    REQUIRE(ready);
    CHECK(most_seats <= full);
    CHECK(w.sim_basket_seats() == full);
    CHECK(w.pool_reservations("ev").size() == 2 * on_sale.size());
    // agentctl pools: a row per instance, with the event beside it.
    auto table = agentctl({"--config", w.config, "pools"});
    CHECK_MESSAGE(table.code == 0, table.err);
    CHECK(table.has("EVENT"));
    for (const auto& i : on_sale) CHECK(table.has(*event + "  " + i));

    // A draw on the other instance takes one of its holds, at once, and that instance is refilled.
    const long creates = w.sim_requests("create_basket");
    auto a = w.ask_for(other, "ev-draw", 2);
    REQUIRE(a);
    CHECK(a->status == 202);
    CHECK(json_get(a->body, "state") == "held");
    CHECK(json_get(a->body, "pool") == "ev");
    CHECK(json_get(a->body, "instance") == other);
    const auto drawn_id = *json_get(a->body, "id");
    REQUIRE(wait_until([&] { return w.pool_rows("ev", "ready")[other] == "2" && w.pool_rows("ev", "drawn")[other] == "1"; },
                       60s, 20ms));
    CHECK(w.sim_requests("create_basket") == creates + 1);
    CHECK(w.pool_rows("ev", "drawn")[w.instance] == "0");

    // Confirmed, the sale's ledger entry names the pool: agentctl ledger entries, JSON and CSV.
    auto c = uds_request(w.sock, "POST", "/v1/reservations/" + drawn_id + "/confirm",
                         R"({"customer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St"},"reference":"EV-1"})");
    REQUIRE(c);
    CHECK(c->status == 202);
    REQUIRE(wait_until([&] {
        auto r = uds_request(w.sock, "GET", "/v1/reservations/" + drawn_id);
        return r && json_get(r->body, "state") == "confirmed";
    }, 60s, 20ms));
    auto js = agentctl({"--config", w.config, "--json", "ledger", "entries", "--client", w.client});
    CHECK_MESSAGE(js.code == 0, js.err);
    REQUIRE(json_array_size(js.out, "entries") == 1);
    CHECK(json_get(js.out, "entries.0.reservation") == drawn_id);
    CHECK(json_get(js.out, "entries.0.pool") == "ev");
    CHECK(json_get(js.out, "entries.0.instance") == other);
    auto csv = agentctl({"--config", w.config, "ledger", "entries", "--client", w.client, "--csv"});
    CHECK_MESSAGE(csv.code == 0, csv.err);
    const auto header_end = csv.out.find('\n');
    REQUIRE(header_end != std::string::npos);
    CHECK(csv.out.substr(0, header_end).find(",pool,") != std::string::npos);
    CHECK(csv.out.find("," + drawn_id + ",") != std::string::npos);
    CHECK(csv.out.find("," + other + ",") != std::string::npos);
    CHECK(csv.out.find(",ev,") != std::string::npos);
    // And the report groups it under its pool.
    auto by_pool = agentctl({"--config", w.config, "ledger", "--by", "pool", "--csv"});
    CHECK_MESSAGE(by_pool.code == 0, by_pool.err);
    CHECK(by_pool.out.find("\nev,ev,1,2,") != std::string::npos);
}
