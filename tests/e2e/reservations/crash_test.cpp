// Crash safety of the reservation queue: agentd is killed with SIGKILL at random points of a
// stream of place/confirm/release requests and restarted on the same database, many times; then
// the daemon's reservations are checked against the simulator's own audit (orders, open
// baskets, invariants), while the simulator injects the faults of a bad day upstream (answers
// lost after the commit, 5xx after the commit, writes applied after their 504, resets, latency).
// Real binaries, real SQLite file, real sockets, real SIGKILL.
// AGENTD_CRASH_KILLS (default 20) sets the number of kills, AGENTD_CRASH_SEED the RNG seed (the
// test's and the simulator's), AGENTD_CRASH_FAULTS=0 turns the simulator's faults off,
// AGENTD_CRASH_KEEP_LOG a file to copy the daemon's log to.
#include "tests/e2e/reservations/crash_books.hpp"

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

}  // namespace

TEST_CASE("SIGKILL at random points of a place/confirm/release stream loses nothing acknowledged and leaks no seat or order") {
    const int kills = env_int("AGENTD_CRASH_KILLS", 20);
    const auto seed = static_cast<std::uint32_t>(env_int("AGENTD_CRASH_SEED", 20261126));
    const bool faults = env_int("AGENTD_CRASH_FAULTS", 1) != 0;
    MESSAGE("kills=" << kills << " seed=" << seed << " faults=" << std::string(faults ? "on" : "off"));
    std::mt19937 rng(seed);

    temp_dir dir;
    auto sim = start_sim(dir, {"--size", "small", "--rate", "0", "--seed", std::to_string(seed)});
    // The local API's per-peer rate limit is not under test: the audit reads every reservation.
    daemon_config_options opts;
    opts.extra = "[api]\nrequests_per_second = 100000\nburst = 100000\n";
    // The rush paths run under the kills too: seats are chosen from the mirror (local sold-out
    // answers are on by default).
    opts.reservations_extra = "choose_seats_from_mirror = true\nlocal_sold_out_max_age = \"10s\"\n";
    // One test channel plays every sales channel at once: its upstream charge is not under test.
    opts.channel_extra = "upstream_per_minute = 1000000\nupstream_burst = 100000\nupstream_concurrency = 100000\n";
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
    // The faults start with the stream: the mirror above loaded on a clean upstream.
    if (faults) install_crash_faults(sim);

    std::map<std::string, acked> acks;   // reservation id → what was acknowledged
    std::vector<std::string> open;       // ids with neither a confirm nor a release acknowledged
    std::vector<std::pair<std::string, std::string>> unanswered;  // (key, body) of creates without an answer
    std::map<int, int> answers;  // status → count over the stream (0: no answer), for the report
    std::map<int, std::string> first_refusal;  // status → the first refusal's body, for the report
    auto count_answer = [&](const std::optional<http_answer>& a) {
        ++answers[a ? a->status : 0];
        if (a && a->status >= 400 && !first_refusal.count(a->status)) first_refusal[a->status] = a->body;
    };
    int key_seq = 0, creates = 0, confirms = 0, releases = 0, replayed = 0, unread = 0;

    // A request refused because agentd is still recovering is sent again once recovery is done:
    // a stream sent only into recovery would never reach upstream.
    auto ask = [&](const std::string& method, const std::string& target, const std::string& body,
                   std::vector<std::string> headers) {
        std::optional<http_answer> a;
        wait_until(
            [&] {
                a = uds_request(sock, method, target, body, headers, 5s);
                return !(a && a->status == 503 && a->body.find("still starting") != std::string::npos);
            },
            60s, 20ms);
        count_answer(a);
        return a;
    };
    auto create = [&](const std::string& key, const std::string& body) {
        auto a = ask("POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
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
            r.body = confirm_body(r.id);
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
            // A confirm waits for the hold (with a deadline), so that it is sent upstream rather
            // than refused for a reservation still being placed.
            if (r.kind == 1)
                wait_until(
                    [&] {
                        auto g = uds_request(sock, "GET", "/v1/reservations/" + r.id);
                        auto st = g ? json_get(g->body, "state").value_or("") : "";
                        return st != "queued" && st != "placing";
                    },
                    30s, 20ms);
            auto a = ask(r.method, r.target, r.body, {});
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
                                     << " requests never read=" << unread << " answers by status="
                                     << [&] {
                                            std::string t;
                                            for (auto [st, n] : answers) t += std::to_string(st) + ":" + std::to_string(n) + " ";
                                            for (auto& [st, b] : first_refusal) t += "\n  first " + std::to_string(st) + ": " + b;
                                            return t;
                                        }());
    REQUIRE(creates > 0);

    // The end of the bad day: upstream answers cleanly again, so what is still owed settles.
    if (faults) MESSAGE("faults (endpoint matched/fired): " << sim_fault_counts(sim));
    sim_put_fault(sim, R"({"clear":true})");
    books_input books;
    books.sock = sock;
    books.client = client;
    books.sim = &sim;
    books.acks = acks;
    books.orders_before = orders_before;
    books.baskets_before = baskets_before;
    books.settled = settle(sock, client);
    // Every hold still standing is released, so every seat must leave its basket.
    int released_at_end = 0;
    for (const auto& r : books.settled)
        if (r.state == "held") {
            CAPTURE(r.id);
            auto a = uds_request(sock, "DELETE", "/v1/reservations/" + r.id, {}, {}, 30s);
            REQUIRE(a);
            CHECK(a->status / 100 == 2);
            ++released_at_end;
        }
    books.final_view = settle(sock, client);
    // Writes the simulator applies late land before the audit.
    CHECK(wait_until([&] { return sim_late_pending(sim) == 0; }, 60s, 100ms));
    {
        std::map<std::string, int> per_state;
        for (const auto& r : books.final_view) ++per_state[r.state];
        std::string counts;
        for (auto& [st, n] : per_state) counts += st + "=" + std::to_string(n) + " ";
        MESSAGE("final states: " << counts << "(released at the end: " << released_at_end << ")");
    }

    auto f = check_books(books);
    MESSAGE("books: acknowledged=" << f.acknowledged << " lost=" << f.lost << " ordered_twice=" << f.ordered_twice
                                   << " orders_without_customer=" << f.orders_without_customer
                                   << " orders_differing=" << f.orders_differing << " upstream_orders=" << f.new_orders
                                   << " seats_in_baskets_before_expiry=" << f.seats_in_baskets
                                   << " seats_left_in_baskets=" << f.seats_left_in_baskets
                                   << " confirm_unknown=" << f.confirm_unknown);
    CHECK(f.lost == 0);

    daemon->signal(SIGTERM);
    CHECK(daemon->wait(60s) == 0);
    // AGENTD_CRASH_KEEP_LOG=path keeps the daemon's log of every start for a post-mortem, with
    // its database (path.db) and the simulator's late writes (path.late.json).
    if (const char* keep = std::getenv("AGENTD_CRASH_KEEP_LOG"); keep && *keep) {
        write_file(keep, read_file(dir.file("agentd.log")));
        write_file(std::string(keep) + ".db", read_file(dir.file("agentd.db")));
        if (auto late = tcp_request(sim.control_url, "GET", "/late", {}, 30s)) write_file(std::string(keep) + ".late.json", late->body);
    }
}
