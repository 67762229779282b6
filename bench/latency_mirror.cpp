// The latency-bound initial mirror (bench/README.md): agentd-sim answers every request after
// 30 ms, the budget does not bind, so the mirror's time is set by how many requests it keeps
// in flight. Floor = requests × latency ÷ max_connections, with the requests counted by the
// simulator in the same repetition. The peer baseline is what an agent would write without
// agentd: the same reads, one at a time, each signed (upstream's own client, one connection).
#include "bench/daemon_figures.hpp"

#include "agentd/core/clock.hpp"
#include "agentd/core/time.hpp"
#include "agentd/upstream/spektrix_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <rapidjson/document.h>

#include <map>
#include <stdexcept>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;
namespace asio = boost::asio;

namespace {

constexpr double k_latency_ms = 30;

std::uint64_t sim_request_count(const rig& r) {
    rapidjson::Document d;
    auto body = sim_control(r, "GET", "stats");
    d.Parse(body.c_str());
    std::uint64_t n = 0;
    for (const auto& e : d["requests"].GetArray()) n += e["count"].GetUint64();
    return n;
}

int sim_max_in_flight(const rig& r) {
    rapidjson::Document d;
    auto body = sim_control(r, "GET", "stats");
    d.Parse(body.c_str());
    return d.HasMember("maxInFlight") ? d["maxInFlight"].GetInt() : -1;
}

// Every read the mirror makes, one at a time; returns the number of requests.
asio::awaitable<std::uint64_t> read_all_sequentially(agentd::upstream::client& c) {
    namespace up = agentd::upstream;
    std::uint64_t n = 0;
    const auto now = agentd::system_clock::instance().now();
    const auto from = agentd::format_date_utc(now);
    const auto to = agentd::format_date_utc(now + std::chrono::hours(24) * 400);
    auto events = co_await c.list_events(from, to);
    ++n;
    if (!events) throw std::runtime_error("peer: list events: " + events.error().message);
    std::vector<up::instance> instances;
    for (const auto& e : *events) {
        auto li = co_await c.list_instances(e.id, from, to);
        ++n;
        if (!li) throw std::runtime_error("peer: list instances: " + li.error().message);
        for (auto& i : *li) instances.push_back(std::move(i));
    }
    std::map<std::string, std::string> price_lists, plans;
    for (const auto& i : instances) {
        if (!i.price_list_id.empty()) price_lists.emplace(i.price_list_id, i.id);
        if (!i.plan_id.empty()) plans.emplace(i.plan_id, i.id);
    }
    for (const auto& [id, inst] : price_lists) {
        auto p = co_await c.get_price_list(inst);
        ++n;
        if (!p) throw std::runtime_error("peer: price list: " + p.error().message);
    }
    for (const auto& [id, inst] : plans) {
        auto p = co_await c.get_plan(inst);
        ++n;
        if (!p) throw std::runtime_error("peer: plan: " + p.error().message);
    }
    for (const auto& i : instances) {
        auto st = co_await c.get_instance_status(i.id);
        ++n;
        if (!st) throw std::runtime_error("peer: status: " + st.error().message);
        auto ss = co_await c.get_seat_status(i.id);
        ++n;
        if (!ss && ss.error().cls != up::error_class::not_found)
            throw std::runtime_error("peer: seat status: " + ss.error().message);
    }
    co_return n;
}

// Seconds and requests of one sequential signed pass over the simulator's first client.
std::pair<double, double> peer_pass(const rig& r) {
    asio::io_context io;
    agentd::upstream::client_settings cs;
    cs.base_url = r.sim.base_url;
    cs.client_name = r.sim.clients.at(0).name;
    cs.requests_per_minute = 1'000'000;
    cs.burst = 1'000'000;
    cs.max_connections = 1;
    auto ctx = agentd::upstream::client_context::make(io.get_executor(), cs);
    if (!ctx) throw std::runtime_error("peer: " + ctx.error().message);
    const auto& a = r.sim.clients.at(0).accounts.at(0);
    auto c = agentd::upstream::make_spektrix_client(**ctx, {a.login, agentd::secret(a.secret)});
    if (!c) throw std::runtime_error("peer: " + c.error().message);
    std::uint64_t n = 0;
    std::exception_ptr failed;
    const auto t0 = clock_type::now();
    asio::co_spawn(io, read_all_sequentially(**c), [&](std::exception_ptr e, std::uint64_t count) {
        failed = e;
        n = count;
    });
    io.run();
    if (failed) std::rethrow_exception(failed);
    return {seconds_since(t0), double(n)};
}

}  // namespace

void run_latency_mirror(const daemon_options& o, std::vector<figure>& out) {
    rig r;
    r.sim = t::start_sim(r.dir, {"--size", "venue300", "--rate", "0"});
    r.client = r.sim.clients.at(0).name;
    sim_control(r, "PUT", "faults",
                R"({"client":"*","endpoint":"*","latency_ms":)" + std::to_string(int(k_latency_ms)) + "}");
    const int reps = o.quick ? 2 : std::max(2, o.reps / 2);

    figure peer = reported("latency-bound mirror: sequential signed client (peer), wall time", "s", "");
    double peer_requests = 0;
    // The peer takes requests × 30 ms by construction (about 19 s here): fewer repetitions.
    for (int rep = 0; rep < (o.quick ? 1 : 2); ++rep) {
        auto [s, n] = peer_pass(r);
        peer.value.push_back(s);
        peer_requests = n;
    }
    peer.note = std::to_string(int(peer_requests)) + " requests one at a time, each signed (upstream's client, 1 "
                "connection); floor " + std::to_string(peer_requests * k_latency_ms / 1000.0).substr(0, 5) + " s";

    std::vector<figure> figs;
    for (const int conns : {4, 16}) {
        const std::string tag = std::to_string(conns) + " connections";
        figure wall;
        wall.name = "initial mirror, 30 ms latency, " + tag + ": wall time ÷ latency floor";
        wall.unit = "s";
        wall.baseline_name = "floor = requests × 30 ms ÷ " + std::to_string(conns);
        wall.higher_is_better = false;
        wall.target = 1.2;
        wall.target_text = "≤ 1.2 × floor";
        figure vs_peer;
        vs_peer.name = "initial mirror, 30 ms latency, " + tag + ": agentd ÷ peer client";
        vs_peer.unit = "s";
        vs_peer.baseline_name = "sequential signed client";
        vs_peer.informative = true;
        vs_peer.higher_is_better = false;
        vs_peer.target_text = "reported";
        std::vector<double> in_flight;
        for (int rep = 0; rep < reps; ++rep) {
            stop_daemon(r);
            r.max_connections = conns;
            const auto before = sim_request_count(r);
            const auto t0 = clock_type::now();
            start_daemon(r, "latency-" + std::to_string(conns) + "-" + std::to_string(rep) + ".db", 100000, false);
            wait_initial_mirror(r);
            const double s = seconds_since(t0);
            const double n = double(sim_request_count(r) - before);
            wall.value.push_back(s);
            wall.baseline.push_back(n * (k_latency_ms / 1000.0) / conns);
            vs_peer.value.push_back(s);
            vs_peer.baseline.push_back(peer.value.at(std::size_t(rep) % peer.value.size()));
            in_flight.push_back(sim_max_in_flight(r));
        }
        stop_daemon(r);
        wall.note = "agentd-sim venue300, every answer delayed 30 ms, budget 100,000/min (does not bind); wall "
                    "time from process start to sync.initialComplete on a fresh database; requests counted by the "
                    "simulator in the same repetition; most requests in flight seen by the simulator " +
                    std::to_string(int(summarize(in_flight).max));
        figs.push_back(std::move(wall));
        figs.push_back(std::move(vs_peer));
    }
    r.max_connections = 4;
    out.push_back(std::move(peer));
    for (auto& f : figs) out.push_back(std::move(f));
}

}  // namespace bench
