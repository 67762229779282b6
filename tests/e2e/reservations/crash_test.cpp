// Crash safety of the reservation queue: agentd is killed with SIGKILL at random points of a
// stream of place/confirm/release requests and restarted on the same database, many times; then
// the daemon's reservations are checked against the simulator's own audit (orders, open
// baskets, invariants). Real binaries, real SQLite file, real sockets, real SIGKILL.
// AGENTD_CRASH_KILLS (default 50, a few seconds on 2 cores) sets the number of kills, AGENTD_CRASH_SEED the RNG seed,
// AGENTD_CRASH_KEEP_LOG a file to copy the daemon's log to.
#include "tests/e2e/reservations/crash_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <unistd.h>

using namespace agentd::test;
using namespace agentd::test::crash;
using namespace std::chrono_literals;

namespace {

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

// What the test was told (a 2xx answer) about one reservation.
struct acked {
    bool confirm_acked = false;
    bool release_acked = false;
};

}  // namespace

TEST_CASE("SIGKILL at random points of a place/confirm/release stream loses nothing acknowledged and leaks no seat or order") {
    const int kills = env_int("AGENTD_CRASH_KILLS", 50);
    const auto seed = static_cast<std::uint32_t>(env_int("AGENTD_CRASH_SEED", 20261126));
    MESSAGE("kills=" << kills << " seed=" << seed);
    std::mt19937 rng(seed);

    temp_dir dir;
    auto sim = start_sim(dir, {"--size", "small", "--rate", "0"});
    // The local API's per-peer rate limit is not under test: the audit reads every reservation.
    daemon_config_options opts;
    opts.extra = "[api]\nrequests_per_second = 100000\nburst = 100000\n";
    auto config = write_daemon_config(dir, sim, opts);
    const auto sock = dir.file("agentd.sock");
    const auto client = sim.clients.at(0).name;
    // What existed upstream before agentd ever ran is not agentd's doing.
    std::set<std::string> orders_before, baskets_before;
    for (auto& o : sim_list(sim, "orders", client)) orders_before.insert(o.id);
    for (auto& b : sim_list(sim, "baskets", client)) baskets_before.insert(b.id);

    auto daemon = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(sock, 120s));
    std::vector<std::string> instances;
    REQUIRE(wait_until([&] { return !(instances = on_sale_instances(sock, client)).empty(); }, 120s, 50ms));
    if (instances.size() > 4) instances.resize(4);  // spread the holds so no instance sells out
    std::map<std::string, std::string> ticket_type;
    for (const auto& in : instances) {
        // Prices arrive with the instance's detail refresh, after the listing.
        std::optional<std::string> tt;
        CHECK(wait_until(
            [&] {
                auto d = uds_request(sock, "GET", "/v1/clients/" + client + "/instances/" + in);
                return d && d->status == 200 && (tt = json_get(d->body, "prices.0.ticketType"));
            },
            120s, 50ms));
        if (tt) ticket_type[in] = *tt;
    }
    std::erase_if(instances, [&](const std::string& in) { return !ticket_type.count(in); });
    REQUIRE_FALSE(instances.empty());

    std::map<std::string, acked> acks;   // reservation id → what was acknowledged
    std::vector<std::string> open;       // ids with neither a confirm nor a release acknowledged
    std::vector<std::pair<std::string, std::string>> unanswered;  // (key, body) of creates without an answer
    int key_seq = 0, creates = 0, confirms = 0, releases = 0, replayed = 0, unread = 0;

    auto create = [&](const std::string& key, const std::string& body) {
        auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key}, 5s);
        if (!a) {
            unanswered.emplace_back(key, body);
            return;
        }
        if (a->status != 200 && a->status != 202) return;
        auto id = json_get(a->body, "id");
        REQUIRE(id);
        if (a->status == 200) ++replayed;  // a retried key whose first request was committed
        if (acks.count(*id)) return;
        acks[*id] = acked{};
        open.push_back(*id);
        ++creates;
    };
    // One random request of the stream: a best-available hold (kind 0), a confirm (1) or a
    // release (2) of a reservation with neither acknowledged yet.
    struct request {
        int kind = 0;
        std::string method, target, body, key, instance, id;
    };
    auto next_request = [&] {
        request r;
        int pick_kind = std::uniform_int_distribution<int>(0, 9)(rng);
        r.kind = open.empty() || pick_kind <= 5 ? 0 : pick_kind <= 7 ? 1 : 2;
        if (r.kind == 0) {
            r.instance = instances[std::size_t(key_seq) % instances.size()];
            r.key = "crash-" + std::to_string(seed) + "-" + std::to_string(key_seq++);
            r.method = "POST";
            r.target = "/v1/reservations";
            r.body = R"({"client":")" + client + R"(","instance":")" + r.instance +
                     R"(","bestAvailable":{"quantity":1,"ticketType":")" + ticket_type[r.instance] + R"("}})";
            return r;
        }
        r.id = open[std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng)];
        if (r.kind == 1) {
            r.method = "POST";
            r.target = "/v1/reservations/" + r.id + "/confirm";
            r.body = R"({"customer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St"},"reference":"CRASH-)" +
                     r.id + R"("})";
        } else {
            r.method = "DELETE";
            r.target = "/v1/reservations/" + r.id;
        }
        return r;
    };

    for (int round = 0; round <= kills; ++round) {
        if (round > 0) {
            daemon = start_daemon(dir, config);
            REQUIRE(wait_for_daemon(sock, 120s));
        }
        // Creates that got no answer before a kill are retried with the same key: they either
        // were never committed (a new reservation now) or answer with the one they made.
        auto retry = std::move(unanswered);
        unanswered.clear();
        for (auto& [key, body] : retry) create(key, body);
        // The random kill point: after a random number of acknowledged-or-refused requests,
        // while the worker is driving earlier reservations upstream. In half of the rounds one
        // request, sent a random number of requests before the kill, never has its answer read:
        // it may or may not be committed, and is not counted as acknowledged.
        const int random_kill_point = std::uniform_int_distribution<int>(0, 30)(rng);
        const int unread_at = round < kills && std::uniform_int_distribution<int>(0, 1)(rng) == 1
                                  ? std::uniform_int_distribution<int>(std::max(0, random_kill_point - 3), random_kill_point)(rng)
                                  : -1;
        int unread_fd = -1;
        for (int op = 0; op <= random_kill_point; ++op) {
            if (op == unread_at) {
                auto r = next_request();
                unread_fd = send_unanswered(sock, r.method, r.target, r.body,
                                            r.kind == 0 ? "Idempotency-Key: " + r.key : std::string{});
                if (r.kind == 0) unanswered.emplace_back(r.key, r.body);
                ++unread;
            }
            if (op == random_kill_point) break;
            auto r = next_request();
            if (r.kind == 0) {
                create(r.key, r.body);
                continue;
            }
            auto a = uds_request(sock, r.method, r.target, r.body, {}, 5s);
            if (!a || a->status / 100 != 2) continue;
            if (r.kind == 1) {
                acks[r.id].confirm_acked = true;
                ++confirms;
            } else {
                acks[r.id].release_acked = true;
                ++releases;
            }
            std::erase(open, r.id);
        }
        if (round == kills) break;  // the last round is not killed: it settles
        daemon->signal(SIGKILL);
        if (unread_fd >= 0) ::close(unread_fd);
        auto st = daemon->wait(30s);
        REQUIRE(st);
        CHECK(*st == 128 + SIGKILL);
    }
    MESSAGE("acknowledged: creates=" << creates << " confirms=" << confirms << " releases=" << releases
                                     << " replayed keys=" << replayed
                                     << " requests never read=" << unread);
    REQUIRE(creates > 0);

    // Recovery and the worker settle every reservation; wait for that, with a deadline.
    std::vector<reservation_view> all;
    bool settled = wait_until(
        [&] {
            all = list_reservations(sock, client);
            for (const auto& r : all)
                if (is_transient(r.state)) return false;
            return true;
        },
        300s, 200ms);
    if (!settled) {
        std::string unsettled;
        for (const auto& r : all)
            if (is_transient(r.state)) unsettled += r.id + " " + r.state + " " + history_of(sock, r.id) + "\n";
        FAIL("reservations still in flight after the deadline:\n" << unsettled);
    }

    std::map<std::string, const reservation_view*> by_id;
    std::map<std::string, int> per_state;
    for (const auto& r : all) {
        by_id[r.id] = &r;
        ++per_state[r.state];
    }
    {
        std::string counts;
        for (auto& [s, n] : per_state) counts += s + "=" + std::to_string(n) + " ";
        MESSAGE("final states: " << counts);
    }

    // 1. Every acknowledged reservation is still there, and an acknowledged confirm or release
    //    was carried through.
    for (const auto& [id, ack] : acks) {
        CAPTURE(id);
        auto a = uds_request(sock, "GET", "/v1/reservations/" + id);
        REQUIRE(a);
        CHECK(a->status == 200);
        CHECK(by_id.count(id) == 1);  // and the listing shows it
        auto state = json_get(a->body, "state").value_or("?");
        CAPTURE(state);
        if (ack.confirm_acked) {
            INFO(history_of(sock, id));
            bool ok = state == "confirmed" || state == "confirm_unknown" ||
                      (state == "released" && history_of(sock, id).find("confirm_unknown") != std::string::npos);
            CHECK(ok);
        }
        if (ack.release_acked) {
            INFO(history_of(sock, id));
            // A DELETE acknowledged while `placing` is kept as cancel_pending; recovery must run
            // it even when agentd died between the hold and the release.
            CHECK((state == "released" || state == "cancelled" || state == "rejected"));
        }
    }

    // 2. Every upstream order agentd made is one order and belongs to exactly one reservation that
    //    is `confirmed` with that orderId, or `confirm_unknown` with the same seats.
    auto orders = sim_list(sim, "orders", client);
    std::set<std::string> order_ids;
    std::map<std::string, const sim_holding*> order_by_id;
    int new_orders = 0;
    for (const auto& o : orders) {
        CAPTURE(o.id);
        CHECK(order_ids.insert(o.id).second);
        order_by_id[o.id] = &o;
        if (orders_before.count(o.id)) continue;
        ++new_orders;
        int owners = 0;
        for (const auto& r : all) {
            if (r.state == "confirmed" && r.order_id == o.id) {
                CHECK(r.seats == o.seats);
                ++owners;
            } else if (r.state == "confirm_unknown" && !r.seats.empty() && r.seats == o.seats) {
                ++owners;
            }
        }
        std::string claims;
        if (owners != 1)
            for (const auto& r : all)
                for (const auto& s : o.seats)
                    if (r.seats.count(s)) claims += r.id + "(" + r.state + ") " + history_of(sock, r.id) + "\n";
        INFO("order basket " << o.basket << "; reservations with its seats:\n" << claims);
        CHECK(owners == 1);
    }
    std::set<std::string> confirmed_orders;
    for (const auto& r : all) {
        if (r.state != "confirmed") continue;
        CAPTURE(r.id);
        CHECK(confirmed_orders.insert(r.order_id).second);  // no two reservations share an order
        CHECK(order_by_id.count(r.order_id) == 1);           // and the order exists upstream
    }
    CHECK(new_orders <= per_state["confirmed"] + per_state["confirm_unknown"]);
    MESSAGE("upstream orders made by agentd: " << new_orders);

    // 3. No seat is held upstream for a released, expired, rejected or cancelled reservation:
    //    every open basket with seats is exactly one `held` reservation's seats, and every held
    //    reservation's seats are in an open basket.
    auto baskets = sim_list(sim, "baskets", client);
    std::map<std::set<std::string>, int> held_seat_sets;
    std::size_t held_seats = 0;
    for (const auto& r : all)
        if (r.state == "held") {
            ++held_seat_sets[r.seats];
            held_seats += r.seats.size();
        }
    std::size_t basket_seats = 0;
    for (const auto& b : baskets) {
        if (baskets_before.count(b.id) || b.seats.empty()) continue;
        CAPTURE(b.id);
        basket_seats += b.seats.size();
        auto it = held_seat_sets.find(b.seats);
        bool held_by_one = it != held_seat_sets.end() && it->second == 1;
        std::string claims;
        if (!held_by_one)
            for (const auto& s : b.seats) {
                claims += "seat " + s + " claimed by:";
                for (const auto& r : all)
                    if (r.seats.count(s)) claims += " " + r.id + "(" + r.state + ") " + history_of(sock, r.id);
                claims += "\n";
            }
        INFO(claims);
        CHECK(held_by_one);
    }
    CHECK(basket_seats == held_seats);
    auto inv = tcp_request(sim.control_url, "GET", "/invariants", {}, 30s);
    REQUIRE(inv);
    CAPTURE(inv->body);
    CHECK(json_get(inv->body, "ok") == "true");

    daemon->signal(SIGTERM);
    CHECK(daemon->wait(60s) == 0);
    // AGENTD_CRASH_KEEP_LOG=path keeps the daemon's log of every start for a post-mortem.
    if (const char* keep = std::getenv("AGENTD_CRASH_KEEP_LOG"); keep && *keep)
        write_file(keep, read_file(dir.file("agentd.log")));
}
