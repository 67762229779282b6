#include "bench/daemon_figures.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

std::string config_text(const rig& r, const std::string& db, std::int64_t rpm, bool fast_tiers) {
    std::string c = "[daemon]\nsocket_path = \"" + r.socket + "\"\ndatabase = \"" + db +
                    "\"\nlog_level = \"warn\"\ndrain_timeout = \"5s\"\n\n"
                    "[sync]\ncatalogue_days_ahead = 400\n" +
                    std::string(fast_tiers ? "tier_24h = \"2s\"\ntier_7d = \"2s\"\ntier_30d = \"2s\"\ntier_later = \"2s\"\n" : "") +
                    "\n"
                    "[reservations]\nqueue_limit = 10000000\nchannel_backlog_limit = 10000000\n" + r.reservations_extra +
                    "\n"
                    "[api]\nrequests_per_second = 1000000\nburst = 1000000\nmax_connections = 4096\nmax_connections_per_uid = 4096\n\n";
    int n = 0;
    for (const auto& cl : r.sim.clients) {
        c += "[[client]]\nname = \"" + cl.name + "\"\nbase_url = \"" + r.sim.base_url + "\"\n" +
             (r.sim.base_url.starts_with("http://") ? "allow_insecure_http = true\n" : "") +
             "requests_per_minute = " + std::to_string(rpm) + "\nmax_connections = " + std::to_string(r.max_connections) +
             "\n" + (r.request_burst > 0 ? "request_burst = " + std::to_string(r.request_burst) + "\n" : std::string()) +
             r.client_extra + "\n";
        int i = 0;
        for (const auto& a : cl.accounts) {
            auto secret_path = r.dir.file("secret-" + std::to_string(n++));
            t::write_file(secret_path, a.secret + "\n", 0600);
            c += "[[client.account]]\nname = \"agent" + std::to_string(++i) + "\"\nlogin = \"" + a.login +
                 "\"\nsecret_file = \"" + secret_path + "\"\n\n";
        }
    }
    // The benchmarks measure the daemon, not the per-channel charge for upstream work.
    const std::string unlimited = "upstream_per_minute = 1000000\nupstream_burst = 1000000\nupstream_concurrency = 100000\n";
    c += "[[channel]]\nname = \"bench\"\nuid = " + std::to_string(::getuid()) + "\nrole = \"admin\"\n" + unlimited;
    // Channels are peer uids: as root the ack benchmark runs each connection under its own uid.
    if (::geteuid() == 0)
        for (int i = 0; i < bench_channels; ++i)
            c += "\n[[channel]]\nname = \"ch" + std::to_string(i) + "\"\nuid = " + std::to_string(bench_channel_uid0 + i) +
                 "\nrole = \"sales\"\n" + unlimited;
    return c + "\n" + r.extra;
}

}  // namespace

void start_daemon(rig& r, const std::string& db_name, std::int64_t rpm, bool fast_tiers) {
    r.rpm = rpm;
    r.socket = r.dir.file("agentd.sock");
    r.db_path = db_name.starts_with("postgresql://") ? db_name : r.dir.file(db_name);
    auto cfg = r.dir.file("agentd.toml");
    t::write_file(cfg, config_text(r, r.db_path, rpm, fast_tiers), 0600);
    ::chmod(r.dir.path().c_str(), 0711);  // channel uids must reach the socket
    r.daemon = t::start_daemon(r.dir, cfg);
    if (!t::wait_for_daemon(r.socket, 30s))
        throw std::runtime_error("agentd did not answer on its socket; see " + r.dir.file("agentd.log"));
}

void start_daemon_reload(rig& r) {
    t::write_file(r.dir.file("agentd.toml"), config_text(r, r.db_path, r.rpm, false), 0600);
    r.daemon->signal(SIGHUP);
}

void stop_daemon(rig& r) {
    if (!r.daemon) return;
    r.daemon->signal(SIGTERM);
    if (!r.daemon->wait(15s)) r.daemon->signal(SIGKILL), r.daemon->wait(5s);
    r.daemon.reset();
}

std::string sim_control(const rig& r, const std::string& method, const std::string& what, const std::string& body) {
    auto a = t::tcp_request(r.sim.base_url, method, "/_sim/" + what, body);
    if (!a || a->status != 200) throw std::runtime_error("agentd-sim /_sim/" + what + " failed");
    return a->body;
}

double proc_status_mib(int pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0) return std::strtod(line.c_str() + std::strlen(field) + 1, nullptr) / 1024.0;
    return 0;
}

namespace {

std::uint64_t sim_requests(const rig& r) {
    rapidjson::Document d;
    auto body = sim_control(r, "GET", "stats");
    d.Parse(body.c_str());
    std::uint64_t n = 0;
    for (const auto& e : d["requests"].GetArray()) n += e["count"].GetUint64();
    return n;
}

bool initial_complete(const std::string& socket) {
    auto a = t::uds_request(socket, "GET", "/v1/health", {}, {}, 5s);
    return a && a->status == 200 && t::json_get(a->body, "sync.initialComplete") == "true";
}

}  // namespace

void wait_initial_mirror(rig& r) {
    if (!t::wait_until([&] { return initial_complete(r.socket); }, 120s, 20ms))
        throw std::runtime_error("initial mirror did not complete; see " + r.dir.file("agentd.log"));
}

void run_initial_mirror(rig& r, const daemon_options& o, std::vector<figure>& out) {
    // The daemon's upstream bucket starts full with ten seconds' worth of tokens, so the budget
    // binds only when the mirror needs more than that: floor = (requests - burst) / rate.
    const std::int64_t bound_rpm = 2400, free_rpm = 100000;
    figure wall;
    wall.name = "initial mirror, 300 × 1,000 seats, budget binds: wall time ÷ budget floor";
    wall.unit = "ratio";
    wall.ratio_target = false;
    wall.higher_is_better = false;
    wall.target = 1.2;
    wall.target_text = "≤ 1.2 × floor";
    figure secs = reported("initial mirror, budget binds: wall time", "s", "");
    figure rate = reported("initial mirror, budget does not bind: upstream requests/s", "req/s");
    figure reqs = reported("initial mirror: upstream requests needed", "requests", "");
    auto one = [&](int rep, std::int64_t rpm) {
        stop_daemon(r);
        auto before = sim_requests(r);
        auto t0 = clock_type::now();
        start_daemon(r, "agentd-" + std::to_string(rpm) + "-" + std::to_string(rep) + ".db", rpm, false);
        if (!t::wait_until([&] { return initial_complete(r.socket); }, o.quick ? 40s : 120s, 20ms))
            throw std::runtime_error("initial mirror did not complete in time; see " + r.dir.file("agentd.log"));
        return std::pair{seconds_since(t0), double(sim_requests(r) - before)};
    };
    for (int rep = 0; rep < (o.quick ? 2 : o.reps); ++rep) {
        auto [s, n] = one(rep, bound_rpm);
        const double per_s = double(bound_rpm) / 60.0, burst = 10 * per_s;
        double floor = std::max(n - burst, 1.0) / per_s;
        wall.value.push_back(s / floor);
        secs.value.push_back(s);
        reqs.value.push_back(n);
    }
    for (int rep = 0; rep < (o.quick ? 3 : o.reps); ++rep) {
        auto [s, n] = one(rep, free_rpm);
        rate.value.push_back(n / s);
        reqs.value.push_back(n);
    }
    wall.note = "budget " + std::to_string(bound_rpm) + " requests/min (" + std::to_string(bound_rpm / 60) +
                "/s, bucket starts with 10 s' worth), simulator unlimited; floor = (requests − burst) ÷ rate; wall "
                "time from process start to sync.initialComplete on a fresh database; the non-binding runs use " +
                std::to_string(free_rpm) + "/min";
    out.push_back(std::move(reqs));
    out.push_back(std::move(secs));
    out.push_back(std::move(wall));
    out.push_back(std::move(rate));
}

}  // namespace bench
