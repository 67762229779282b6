// Allocation pools (docs/pools.md) at 30 ms upstream latency: the time from a channel's request
// to a held answer when a pool's ready hold serves it, against the normal path (basket, best
// available, add: three round trips and the queue); and an on-sale rush in which the public
// buys fast: the share of the agent's wanted seats it secured with an on-sale grab (a pool with
// fill_at at the opening) and without (its customers' requests arriving through the opening).
#include "bench/daemon_figures.hpp"

#include <rapidjson/document.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <stdexcept>
#include <thread>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

constexpr int k_latency_ms = 30;

std::string body_for(const rig& r, const std::string& instance, const std::string& tt, int quantity) {
    return R"({"client":")" + r.client + R"(","instance":")" + instance + R"(","bestAvailable":{"quantity":)" +
           std::to_string(quantity) + R"(,"ticketType":")" + tt + "\"}}";
}

// Milliseconds from the request to `held` (long-polling the reservation), or -1.
double time_to_held(http_conn& conn, const std::string& body, const std::string& key, int* seats = nullptr) {
    const auto t0 = clock_type::now();
    auto a = conn.request("POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
    if (!a || (a->status != 202 && a->status != 200)) return -1;
    auto d = parse_json(a->body);
    std::string id = d["id"].GetString(), state = d["state"].GetString();
    int version = d["version"].GetInt();
    while (state == "queued" || state == "placing") {
        auto g = conn.request("GET", "/v1/reservations/" + id + "?wait=20&version=" + std::to_string(version));
        if (!g || g->status != 200) return -1;
        d = parse_json(g->body);
        state = d["state"].GetString();
        version = d["version"].GetInt();
    }
    if (state != "held") return -1;
    if (seats) *seats += int(d["seats"].Size());
    return micros_since(t0) / 1000.0;
}

long pool_number(const rig& r, const std::string& name, const char* field) {
    auto a = t::uds_request(r.socket, "GET", "/v1/pools", {}, {}, 10s);
    if (!a || a->status != 200) return -1;
    auto d = parse_json(a->body);
    for (const auto& p : d["pools"].GetArray())
        if (name == p["name"].GetString()) return p[field].GetInt64();
    return -1;
}

std::string pool_block(const rig& r, const std::string& name, const std::string& inst, const std::string& tt,
                       const std::string& sizes, const std::string& extra = {}) {
    return "[[pool]]\nname = \"" + name + "\"\nclient = \"" + r.client + "\"\ninstance = \"" + inst + "\"\nticket_type = \"" +
           tt + "\"\nsizes = \"" + sizes + "\"\n" + extra + "\n";
}

std::string iso_at(std::chrono::system_clock::time_point tp) {
    const std::time_t s = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    ::gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// Every place of the instance to the public, so the opening is the bench's to make.
void close_sale(const rig& r, const std::string& inst) {
    sim_control(r, "POST", "public-sales", R"({"instance":")" + inst + R"(","take":1000000})");
}

struct rush_result {
    int secured = 0;  // seats the agent held when the rush was over
};

// Opens the whole instance for sale at `open` (the public returns every place it held), then
// the public buys a tenth of it every 50 ms until nothing is left. Returns the places opened.
int public_rush(const rig& r, const std::string& inst, std::chrono::system_clock::time_point open) {
    std::this_thread::sleep_until(open - 20ms);
    auto opened = parse_json(sim_control(r, "POST", "public-sales", R"({"instance":")" + inst + R"(","return":1000000})"));
    const int places = opened.HasMember("moved") ? opened["moved"].GetInt() : 0;
    const int per_tick = std::max(1, places / 10);
    std::this_thread::sleep_until(open);
    for (int i = 0; i < 400; ++i) {
        auto moved = parse_json(sim_control(r, "POST", "public-sales",
                                            R"({"instance":")" + inst + R"(","take":)" + std::to_string(per_tick) + "}"));
        if (moved.HasMember("moved") && moved["moved"].GetInt() == 0) break;
        std::this_thread::sleep_for(50ms);
    }
    return places;
}

}  // namespace

void run_pools(const daemon_options& o, std::vector<figure>& out) {
    figure from_pool = reported("pools at 30 ms upstream: time to held from a pool (p50; p99 column)", "ms");
    figure normal = reported("pools at 30 ms upstream: time to held, normal path (p50; p99 column)", "ms");
    figure grab = reported("on-sale rush: share of the agent's wanted seats secured with an on-sale grab", "%");
    figure no_grab = reported("on-sale rush: share of the agent's wanted seats secured without a grab", "%");
    figure grab_query = reported("on-sale rush: share secured with an on-sale grab whose fills query best available "
                                 "(basket_best_available = never)", "%");

    rig r;
    r.sim = t::start_sim(r.dir, {"--size", "small", "--seed", "5", "--rate", "0"});
    r.client = r.sim.clients.at(0).name;
    // Local sold-out answers off: the bench makes the opening itself, after the mirror last looked.
    // Placements in flight and upstream connections per venue at least the grab's holds, as
    // docs/pools.md advises for an on-sale grab: with the default 4 of each, ten fills (three
    // requests each) go out in waves of ~100 ms and the last meet a house the public has half
    // bought. Both runs of the rush get the same settings.
    r.reservations_extra = "local_sold_out_max_age = \"0s\"\ninflight_per_client = 12\n";
    r.max_connections = 12;
    start_daemon(r, "agentd-pools.db", 100000, false);
    wait_initial_mirror(r);
    load_instances(r, 5);
    const std::string served = r.instances[0], normal_inst = r.instances[1];
    const std::string tt0 = ticket_type_of(r, served), tt1 = ticket_type_of(r, normal_inst);
    const int draws = o.quick ? 20 : 50;
    sim_control(r, "PUT", "faults", R"({"client":"*","endpoint":"*","latency_ms":)" + std::to_string(k_latency_ms) + "}");

    // 1. Time to held: a pool of single seats vs the normal path on another instance.
    r.extra = pool_block(r, "served", served, tt0, std::to_string(draws) + "x1");
    start_daemon_reload(r);
    if (!t::wait_until([&] { return pool_number(r, "served", "ready") == draws; }, 120s, 50ms))
        throw std::runtime_error("the pool did not fill");
    {
        auto conn = http_conn::unix_socket(r.socket);
        std::vector<double> pool_ms, normal_ms;
        for (int i = 0; i < draws; ++i) {
            const double ms = time_to_held(conn, body_for(r, served, tt0, 1), "pool-" + std::to_string(i));
            if (ms >= 0) pool_ms.push_back(ms);
        }
        for (int i = 0; i < draws; ++i) {
            const double ms = time_to_held(conn, body_for(r, normal_inst, tt1, 1), "normal-" + std::to_string(i));
            if (ms >= 0) normal_ms.push_back(ms);
        }
        from_pool.value.push_back(percentile(pool_ms, 0.5));
        from_pool.p99.push_back(percentile(pool_ms, 0.99));
        normal.value.push_back(percentile(normal_ms, 0.5));
        normal.p99.push_back(percentile(normal_ms, 0.99));
        from_pool.note = std::to_string(pool_ms.size()) + " of " + std::to_string(draws) +
                         " sequential requests held from a pool of " + std::to_string(draws) +
                         " single seats (refilling behind them); agentd-sim --size small, every request delayed " +
                         std::to_string(k_latency_ms) + " ms";
        normal.note = std::to_string(normal_ms.size()) + " of " + std::to_string(draws) +
                      " sequential requests on an instance without a pool: basket, best available and add, long-polled to held";
    }

    // 2. An on-sale rush: the whole instance opens, the public buys it out in half a second; the
    // agent wants 10 x 2.
    const int wanted_holds = 10;
    int places = 0;
    long grab_failed = -1;
    auto rush = [&](const std::string& inst, bool with_grab) {
        const auto tt = ticket_type_of(r, inst);
        close_sale(r, inst);
        const auto open = std::chrono::system_clock::now() + 4s;
        const auto opens_at = std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::seconds>(
            (open + 1s).time_since_epoch()));
        if (with_grab) {
            r.extra = pool_block(r, "grab", inst, tt, std::to_string(wanted_holds) + "x2", "fill_at = \"" + iso_at(opens_at) + "\"\n");
            start_daemon_reload(r);
        }
        std::thread pub([&] { places = public_rush(r, inst, opens_at); });
        int seats = 0;
        if (with_grab) {
            pub.join();
            t::wait_until([&] { return pool_number(r, "grab", "filling") == 0; }, 30s, 50ms);
            seats = int(pool_number(r, "grab", "seatsHeld"));
            grab_failed = pool_number(r, "grab", "failedFills");
        } else {
            // The agent's customers arrive through the opening, one every 50 ms.
            std::vector<std::thread> cs;
            std::atomic<int> held{0};
            for (int c = 0; c < wanted_holds; ++c)
                cs.emplace_back([&, c] {
                    std::this_thread::sleep_until(opens_at + c * 50ms);
                    auto conn = http_conn::unix_socket(r.socket);
                    int mine = 0;
                    time_to_held(conn, body_for(r, inst, tt, 2), "rush-" + inst + "-" + std::to_string(c), &mine);
                    held += mine;
                });
            for (auto& x : cs) x.join();
            pub.join();
            seats = held;
        }
        return 100.0 * seats / (2.0 * wanted_holds);
    };
    no_grab.value.push_back(rush(r.instances[2], false));
    grab.value.push_back(rush(r.instances[3], true));
    const long grab_failed_basket = grab_failed;
    // The same grab with fills that query best available, then add: side by side they are all
    // offered the same best block (docs/reservations.md). The form is read at start: restart.
    stop_daemon(r);
    r.extra.clear();
    r.client_extra = "basket_best_available = \"never\"\n";
    start_daemon(r, "agentd-pools.db", 100000, false);
    grab_query.value.push_back(rush(r.instances[4], true));
    const long grab_failed_query = grab_failed;
    const std::string how = "the whole instance (" + std::to_string(places) +
                            " places) opens at once and the public buys a tenth of it every 50 ms; every upstream request delayed " +
                            std::to_string(k_latency_ms) + " ms; the agent wants 10 holds of 2";
    grab.note = how + "; a pool of 10x2 with fill_at at the opening; failed fills " + std::to_string(grab_failed_basket) +
                "; side-by-side fills let the venue pick into their baskets (basket_best_available = auto)";
    grab_query.note = how + "; the same grab, its fills asking GET best-available then adding; failed fills " +
                      std::to_string(grab_failed_query);
    no_grab.note = how + "; its customers' requests arrive one every 50 ms from the opening (normal path)";
    stop_daemon(r);
    out.push_back(std::move(from_pool));
    out.push_back(std::move(normal));
    out.push_back(std::move(no_grab));
    out.push_back(std::move(grab));
    out.push_back(std::move(grab_query));
}

}  // namespace bench
