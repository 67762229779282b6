// Crash safety of the reservation queue: agentd is killed with SIGKILL at random points of a
// stream of place/confirm/release requests and restarted on the same database, many times; then
// the daemon's reservations are checked against the simulator's own audit (orders, open
// baskets, invariants). Real binaries, real SQLite file, real sockets, real SIGKILL.
// AGENTD_CRASH_KILLS (default 12) sets the number of kills, AGENTD_CRASH_SEED the RNG seed.
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <set>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

// What the test was told (a 2xx answer) about one reservation.
struct acked {
    std::string instance;
    bool confirm_acked = false;
    bool release_acked = false;
};

struct reservation_view {
    std::string id, state, instance, order_id;
    std::set<std::string> seats;  // "instance/seat"
};

std::vector<std::string> on_sale_instances(const std::string& sock, const std::string& client) {
    std::vector<std::string> out;
    auto a = uds_request(sock, "GET", "/v1/clients/" + client + "/instances");
    if (!a || a->status != 200) return out;
    int n = json_array_size(a->body, "instances");
    for (int i = 0; i < n; ++i) {
        auto row = "instances." + std::to_string(i);
        if (json_get(a->body, row + ".onSale") == "true" && json_get(a->body, row + ".cancelled") == "false")
            out.push_back(*json_get(a->body, row + ".id"));
    }
    return out;
}

std::vector<reservation_view> list_reservations(const std::string& sock, const std::string& client) {
    std::vector<reservation_view> out;
    auto a = uds_request(sock, "GET", "/v1/reservations?client=" + client, {}, {}, 30s);
    REQUIRE(a);
    REQUIRE(a->status == 200);
    int n = json_array_size(a->body, "reservations");
    REQUIRE(n >= 0);
    for (int i = 0; i < n; ++i) {
        auto row = *json_get(a->body, "reservations." + std::to_string(i));
        reservation_view r;
        r.id = *json_get(row, "id");
        r.state = *json_get(row, "state");
        r.instance = *json_get(row, "instance");
        r.order_id = json_get(row, "orderId").value_or("null");
        int seats = json_array_size(row, "seats");
        for (int s = 0; s < seats; ++s)
            r.seats.insert(r.instance + "/" + *json_get(row, "seats." + std::to_string(s) + ".seat"));
        out.push_back(std::move(r));
    }
    return out;
}

// An upstream basket or order as the simulator records it: id, and its seats.
struct sim_holding {
    std::string id, basket, account;
    std::set<std::string> seats;
};

std::vector<sim_holding> sim_list(const sim_process& sim, const std::string& what, const std::string& client) {
    std::vector<sim_holding> out;
    auto a = tcp_request(sim.control_url, "GET", "/" + what + "?client=" + client, {}, 30s);
    REQUIRE(a);
    REQUIRE(a->status == 200);
    int n = json_array_size(a->body, "");
    REQUIRE(n >= 0);
    for (int i = 0; i < n; ++i) {
        auto row = *json_get(a->body, std::to_string(i));
        sim_holding h;
        h.id = *json_get(row, "id");
        h.basket = json_get(row, "basket").value_or("");
        h.account = json_get(row, "account").value_or("");
        int t = json_array_size(row, "tickets");
        for (int k = 0; k < t; ++k) {
            auto p = "tickets." + std::to_string(k);
            h.seats.insert(*json_get(row, p + ".instance") + "/" + *json_get(row, p + ".seat"));
        }
        out.push_back(std::move(h));
    }
    return out;
}

bool is_transient(const std::string& s) {
    return s == "queued" || s == "placing" || s == "confirming" || s == "releasing";
}

std::string history_of(const std::string& sock, const std::string& id) {
    auto a = uds_request(sock, "GET", "/v1/reservations/" + id + "/history");
    return a ? a->body : std::string("(no answer)");
}

}  // namespace

TEST_CASE("SIGKILL at random points of a place/confirm/release stream loses nothing acknowledged and leaks no seat or order") {
    const int kills = env_int("AGENTD_CRASH_KILLS", 12);
    const auto seed = static_cast<std::uint32_t>(env_int("AGENTD_CRASH_SEED", 20261126));
    MESSAGE("kills=" << kills << " seed=" << seed);
    std::mt19937 rng(seed);

    temp_dir dir;
    auto sim = start_sim(dir, {"--size", "small", "--rate", "0"});
    auto config = write_daemon_config(dir, sim);
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
        auto d = uds_request(sock, "GET", "/v1/clients/" + client + "/instances/" + in);
        REQUIRE(d);
        REQUIRE(d->status == 200);
        auto tt = json_get(d->body, "prices.0.ticketType");
        REQUIRE(tt);
        ticket_type[in] = *tt;
    }

    std::map<std::string, acked> acks;   // reservation id → what was acknowledged
    std::vector<std::string> open;       // ids with neither a confirm nor a release acknowledged
    std::vector<std::pair<std::string, std::string>> unanswered;  // (key, body) of creates without an answer
    int key_seq = 0, creates = 0, confirms = 0, releases = 0, retried_same = 0;

    auto create = [&](const std::string& key, const std::string& body, const std::string& instance) {
        auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key}, 5s);
        if (!a) {
            unanswered.emplace_back(key, body);
            return;
        }
        if (a->status != 200 && a->status != 202) return;
        auto id = json_get(a->body, "id");
        REQUIRE(id);
        if (acks.count(*id)) {
            // A retried key answers with the reservation it made, never with a second one.
            ++retried_same;
            return;
        }
        acks[*id].instance = instance;
        open.push_back(*id);
        ++creates;
    };
    auto take_open = [&](std::size_t pick) {
        auto id = open[pick];
        open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
        return id;
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
        for (auto& [key, body] : retry) {
            auto in = *json_get(body, "instance");
            create(key, body, in);
        }
        // The random kill point: after a random number of acknowledged-or-refused requests,
        // while the worker is driving earlier reservations upstream.
        const int random_kill_point = std::uniform_int_distribution<int>(0, 30)(rng);
        for (int op = 0; op < random_kill_point; ++op) {
            int kind = std::uniform_int_distribution<int>(0, 9)(rng);
            if (kind <= 5 || open.empty()) {
                const auto& in = instances[std::size_t(key_seq) % instances.size()];
                std::string body = R"({"client":")" + client + R"(","instance":")" + in +
                                   R"(","bestAvailable":{"quantity":1,"ticketType":")" + ticket_type[in] + R"("}})";
                create("crash-" + std::to_string(seed) + "-" + std::to_string(key_seq++), body, in);
            } else if (kind <= 7) {
                auto pick = std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng);
                auto id = open[pick];
                std::string body =
                    R"({"customer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St"},"reference":"CRASH-)" +
                    id + R"("})";
                auto a = uds_request(sock, "POST", "/v1/reservations/" + id + "/confirm", body, {}, 5s);
                if (a && a->status / 100 == 2) {
                    acks[id].confirm_acked = true;
                    take_open(pick);
                    ++confirms;
                }
            } else {
                auto pick = std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng);
                auto id = open[pick];
                auto a = uds_request(sock, "DELETE", "/v1/reservations/" + id, {}, {}, 5s);
                if (a && a->status / 100 == 2) {
                    acks[id].release_acked = true;
                    take_open(pick);
                    ++releases;
                }
            }
        }
        if (round == kills) break;  // the last round is not killed: it settles
        daemon->signal(SIGKILL);
        auto st = daemon->wait(30s);
        REQUIRE(st);
        CHECK(*st == 128 + SIGKILL);
    }
    MESSAGE("acknowledged: creates=" << creates << " confirms=" << confirms << " releases=" << releases
                                     << " retried-key answers=" << retried_same);
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
    std::string unsettled;
    for (const auto& r : all)
        if (is_transient(r.state)) unsettled += r.id + " " + r.state + " " + history_of(sock, r.id) + "\n";
    INFO("unsettled: " << unsettled);
    REQUIRE(settled);

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
}
