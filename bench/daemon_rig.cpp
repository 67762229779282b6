#include "bench/daemon_figures.hpp"

#include <rapidjson/document.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

std::string config_text(const rig& r, const std::string& db, std::int64_t rpm) {
    std::string c = "[daemon]\nsocket_path = \"" + r.socket + "\"\ndatabase = \"" + db +
                    "\"\nlog_level = \"warn\"\ndrain_timeout = \"5s\"\n\n"
                    "[sync]\ncatalogue_days_ahead = 400\ntier_24h = \"2s\"\ntier_7d = \"2s\"\ntier_30d = \"2s\"\n"
                    "tier_later = \"2s\"\n\n"
                    "[reservations]\nqueue_limit = 10000000\nchannel_backlog_limit = 10000000\n\n"
                    "[api]\nrequests_per_second = 1000000\nburst = 1000000\nmax_connections = 4096\n\n";
    int n = 0;
    for (const auto& cl : r.sim.clients) {
        c += "[[client]]\nname = \"" + cl.name + "\"\nbase_url = \"" + r.sim.base_url +
             "\"\nrequests_per_minute = " + std::to_string(rpm) + "\n\n";
        int i = 0;
        for (const auto& a : cl.accounts) {
            auto secret_path = r.dir.file("secret-" + std::to_string(n++));
            t::write_file(secret_path, a.secret + "\n", 0600);
            c += "[[client.account]]\nname = \"agent" + std::to_string(++i) + "\"\nlogin = \"" + a.login +
                 "\"\nsecret_file = \"" + secret_path + "\"\n\n";
        }
    }
    c += "[[channel]]\nname = \"bench\"\nuid = " + std::to_string(::getuid()) + "\nrole = \"admin\"\n";
    return c;
}

}  // namespace

void start_daemon(rig& r, const std::string& db_name, std::int64_t rpm) {
    r.rpm = rpm;
    r.socket = r.dir.file("agentd.sock");
    r.db_path = r.dir.file(db_name);
    auto cfg = r.dir.file("agentd.toml");
    t::write_file(cfg, config_text(r, r.db_path, rpm), 0600);
    r.daemon = t::start_daemon(r.dir, cfg);
    if (!t::wait_for_daemon(r.socket, 30s))
        throw std::runtime_error("agentd did not answer on its socket; see " + r.dir.file("agentd.log"));
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

void run_initial_mirror(rig& r, const daemon_options& o, std::vector<figure>& out) {
    figure wall;
    wall.name = "initial mirror, 300 instances × 1,000 seats: wall time ÷ budget floor";
    wall.unit = "ratio";
    wall.ratio_target = false;
    wall.higher_is_better = false;
    wall.target = 1.2;
    wall.target_text = "≤ 1.2 × floor (budget binds)";
    figure reqs;
    reqs.name = "initial mirror: upstream requests";
    reqs.unit = "requests";
    reqs.informative = true;
    figure secs;
    secs.name = "initial mirror: wall time";
    secs.unit = "s";
    secs.informative = true;
    const std::int64_t rpm = 24000;
    const int reps = o.quick ? 3 : o.reps;
    for (int rep = 0; rep < reps; ++rep) {
        stop_daemon(r);
        auto before = sim_requests(r);
        auto t0 = clock_type::now();
        start_daemon(r, "agentd-" + std::to_string(rep) + ".db", rpm);
        if (!t::wait_until([&] { return initial_complete(r.socket); }, 300s, 20ms))
            throw std::runtime_error("initial mirror did not complete; see " + r.dir.file("agentd.log"));
        double s = seconds_since(t0);
        double n = double(sim_requests(r) - before);
        double floor = n / (double(rpm) / 60.0);
        wall.value.push_back(s / floor);
        reqs.value.push_back(n);
        secs.value.push_back(s);
    }
    wall.note = "budget " + std::to_string(rpm) + " requests/min (" + std::to_string(rpm / 60) +
                "/s), simulator unlimited; floor = requests ÷ budget rate; wall time from process start to "
                "sync.initialComplete, fresh database each repetition";
    out.push_back(std::move(secs));
    out.push_back(std::move(reqs));
    out.push_back(std::move(wall));
}

void run_large_memory(const daemon_options& o, std::vector<figure>& out) {
    figure f;
    f.name = "resident memory, 50 clients / 10M seats mirrored (VmHWM)";
    f.unit = "MiB";
    f.ratio_target = false;
    f.higher_is_better = false;
    f.target = 512;
    f.target_text = "≤ 512 MiB";
    if (o.quick) {
        f.note = "not measured with --quick (the large world takes minutes to mirror)";
        out.push_back(std::move(f));
        return;
    }
    rig r;
    r.sim = t::start_sim(r.dir, {"--size", "large", "--rate", "0"});
    start_daemon(r, "large.db", 100000);
    auto t0 = clock_type::now();
    std::string done = "?", total = "?";
    bool complete = t::wait_until(
        [&] {
            auto a = t::uds_request(r.socket, "GET", "/v1/health", {}, {}, 10s);
            if (!a || a->status != 200) return false;
            done = t::json_get(a->body, "sync.instancesDone").value_or("?");
            total = t::json_get(a->body, "sync.instancesTotal").value_or("?");
            return t::json_get(a->body, "sync.initialComplete") == "true";
        },
        std::chrono::seconds(360), 500ms);
    f.value.push_back(proc_status_mib(r.daemon->pid(), "VmHWM:"));
    f.note = std::string(complete ? "initial mirror complete" : "initial mirror NOT complete within 6 min") + " (" + done +
             "/" + total + " instances, " + std::to_string(int(seconds_since(t0))) + " s); one measurement";
    stop_daemon(r);
    out.push_back(std::move(f));
}

}  // namespace bench
