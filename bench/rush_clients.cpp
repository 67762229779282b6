// The rush's two halves shared by both rush figures (daemon_figures.cpp at no binding budget,
// daemon_rush_budget.cpp at the simulator's limit): an instance left with exactly N seats, and
// many connections asking for best available x1 at once, each long-polling to a definite state.
#include "bench/daemon_figures.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <thread>

namespace bench {

namespace {

int count_status(const seat_map& m, const char* status) {
    int n = 0;
    for (const auto& [k, v] : m) n += v == status;
    return n;
}

std::string text_at(const rapidjson::Value& error, const char* key) {
    if (!error.IsObject() || !error.HasMember(key) || !error[key].IsString()) return {};
    return error[key].GetString();
}

}  // namespace

int leave_on_sale(const rig& r, const std::string& inst, int seats) {
    // Everything sold to the public, then returned a few at a time until `seats` seats (with
    // seat rows) are on sale; returned general-admission places are not seats.
    sim_control(r, "POST", "public-sales", R"({"instance":")" + inst + R"(","take":1000000})");
    auto plan = agentd_seats(r, inst);
    for (int i = 0; i < 400; ++i) {
        const int free_seats = count_status(sim_seats(r, inst, plan), "Available");
        if (free_seats >= seats) break;
        sim_control(r, "POST", "public-sales", R"({"instance":")" + inst + R"(","return":)" +
                                                  std::to_string(std::max(1, (seats - free_seats) / 2)) + "}");
    }
    return count_status(sim_seats(r, inst, plan), "Available");
}

std::vector<rush_outcome> rush_clients(const rig& r, const std::string& inst, const std::string& ticket_type,
                                       int connections, const std::string& key_prefix) {
    std::vector<rush_outcome> res(static_cast<std::size_t>(connections));
    std::vector<std::thread> th;
    const auto body = best_available_body(r, inst, ticket_type);
    for (int c = 0; c < connections; ++c) {
        th.emplace_back([&, c] {
            auto conn = http_conn::unix_socket(r.socket);
            auto t0 = clock_type::now();
            auto a = conn.request("POST", "/v1/reservations", body, {"Idempotency-Key: " + key_prefix + std::to_string(c)});
            auto& mine = res[std::size_t(c)];
            if (!a || a->status != 202) {
                mine.state = "refused " + std::to_string(a ? a->status : 0);
                return;
            }
            auto d = parse_json(a->body);
            std::string id = d["id"].GetString(), state = d["state"].GetString();
            int version = d["version"].GetInt();
            while (state == "queued" || state == "placing") {
                auto g = conn.request("GET", "/v1/reservations/" + id + "?wait=20&version=" + std::to_string(version));
                if (!g || g->status != 200) break;
                auto gd = parse_json(g->body);
                state = gd["state"].GetString();
                version = gd["version"].GetInt();
                if (state == "held" && gd["seats"].Size() > 0) mine.seat = gd["seats"][0]["seat"].GetString();
                if (state != "held" && gd.HasMember("error")) mine.why = text_at(gd["error"], "code");
                if (state == "rejected" && gd.HasMember("error")) {
                    mine.msg = text_at(gd["error"], "message");
                    mine.local = mine.msg.starts_with("place reservation: no seats left");
                }
            }
            mine.ms = micros_since(t0) / 1000.0;
            mine.id = id;
            mine.state = state;
        });
    }
    for (auto& x : th) x.join();
    return res;
}

rush_tally tally(const std::vector<rush_outcome>& res, std::map<std::string, int>& states) {
    rush_tally t;
    std::set<std::string> seats;
    std::vector<double> ms;
    for (const auto& x : res) {
        ++states[x.state + (x.why.empty() ? "" : "(" + x.why + ")")];
        ms.push_back(x.ms);
        if (x.state != "held") continue;
        ++t.held;
        if (!seats.insert(x.seat).second) ++t.doubles;
    }
    t.p50_ms = percentile(ms, 0.5);
    t.p99_ms = percentile(ms, 0.99);
    return t;
}

}  // namespace bench
