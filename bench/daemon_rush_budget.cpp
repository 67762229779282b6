// The rush when the upstream budget binds: agentd-sim at its default limit (10 requests/s, burst
// 20 per agent account) and agentd's budget set to the same; 200 concurrent connections ask for
// best available x1 on an instance with exactly 50 seats left. Reports time to a definite
// answer, outcomes, and the upstream requests the rush spent (counted by the simulator).
#include "bench/daemon_figures.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

std::uint64_t sim_requests_now(const rig& r) {
    auto d = parse_json(sim_control(r, "GET", "stats"));
    std::uint64_t n = 0;
    for (const auto& e : d["requests"].GetArray()) n += e["count"].GetUint64();
    return n;
}

}  // namespace

void run_rush_budget(const daemon_options& o, std::vector<figure>& out) {
    figure answer;
    answer.name = "rush at 10 req/s: time to a definite answer (p50; p99 column)";
    answer.unit = "ms";
    answer.ratio_target = false;
    answer.p99_target = true;
    answer.higher_is_better = false;
    answer.target = 20'000;
    answer.target_text = "p99 ≤ 20 s";
    figure held;
    held.name = "rush at 10 req/s: held";
    held.unit = "reservations";
    held.ratio_target = false;
    held.target = 50;
    held.target_text = "50";
    figure doubles;
    doubles.name = "rush at 10 req/s: seats held twice";
    doubles.unit = "seats";
    doubles.ratio_target = false;
    doubles.higher_is_better = false;
    doubles.target = 0;
    doubles.target_text = "0";
    figure spent = reported("rush at 10 req/s: upstream requests spent", "requests");

    rig r;
    r.sim = t::start_sim(r.dir, {"--size", "small", "--seed", "5", "--rate", "10", "--burst", "20"});
    r.client = r.sim.clients.at(0).name;
    // A little under the simulator's limit: it counts arrivals, agentd counts sends, and a send
    // that arrives early by network jitter must not meet an empty bucket (one 429 halves the
    // budget for a minute).
    r.request_burst = 16;
    r.reservations_extra = "inflight_per_client = 8\nchoose_seats_from_mirror = true\n";
    start_daemon(r, "agentd-rush-budget.db", 570, false);
    wait_initial_mirror(r);
    load_instances(r, 2);
    std::map<std::string, int> states;
    bool invariants_ok = true;
    std::string rep_notes;
    const int reps = std::min<int>(o.quick ? 2 : o.reps, int(r.instances.size()) - 2);
    for (int rep = 0; rep < reps; ++rep) {
        const auto& inst = r.instances[std::size_t(1 + rep)];
        auto tt = ticket_type_of(r, inst);
        const int on_sale = leave_on_sale(r, inst, 50);
        // The instance is hot (channels were reading it): its seat status was polled moments ago.
        t::uds_request(r.socket, "POST", "/v1/admin/sync",
                       R"({"client":")" + r.client + R"(","instance":")" + inst + R"("})", {}, 10s);
        auto mirrored_free = [&] {
            int n = 0;
            for (const auto& [seat, status] : agentd_seats(r, inst)) n += status == "available";
            return n;
        };
        if (!t::wait_until([&] { return mirrored_free() == on_sale; }, 60s, 100ms))
            throw std::runtime_error("agentd's mirror did not catch up with the simulator before the rush");
        // Let the bucket refill as it would between rushes.
        std::this_thread::sleep_for(3s);
        const auto before = sim_requests_now(r);
        auto res = rush_clients(r, inst, tt, 200, "rb-" + std::to_string(rep) + "-");
        const auto after = sim_requests_now(r);
        const auto tl = tally(res, states);
        held.value.push_back(tl.held);
        doubles.value.push_back(tl.doubles);
        answer.value.push_back(tl.p50_ms);
        answer.p99.push_back(tl.p99_ms);
        // Sync polls of the same client are counted too (the simulator cannot tell them apart).
        spent.value.push_back(double(after - before));
        if (sim_control(r, "GET", "invariants").find("\"ok\":true") == std::string::npos) invariants_ok = false;
        auto m = get_metrics(r);
        int local = 0;
        std::map<std::string, int> upstream_no;
        for (const auto& x : res) {
            local += x.local;
            if (x.state == "rejected" && !x.local) ++upstream_no[x.msg.substr(0, 90)];
        }
        for (const auto& [msg, n] : upstream_no) rep_notes += " upstream said x" + std::to_string(n) + " '" + msg + "';";
        rep_notes += " rep " + std::to_string(rep + 1) + ": " + std::to_string(local) + " answered locally, 429s so far " +
                     std::to_string(int(metric(m, "agentd_upstream_rate_limited_total").value_or(-1))) + ";";
    }
    stop_daemon(r);
    held.note = "agentd-sim --rate 10 --burst 20 (its defaults), agentd requests_per_minute = 570, request_burst = 16, "
                "inflight_per_client = 8, choose_seats_from_mirror = true; the mirror's seat status fresh when the rush "
                "starts; one channel, 200 connections; simulator invariants " +
                std::string(invariants_ok ? "held" : "FAILED") + "; outcomes over all repetitions:";
    for (const auto& [st, n] : states) held.note += " " + st + "=" + std::to_string(n);
    spent.note = "simulator's request count across the rush (sync polls of the same client included);" + rep_notes;
    out.push_back(std::move(answer));
    out.push_back(std::move(held));
    out.push_back(std::move(doubles));
    out.push_back(std::move(spent));
}

}  // namespace bench
