#include "bench/baselines.hpp"
#include "bench/daemon_figures.hpp"

#include "agentd/store/reader.hpp"

#include <array>
#include <dirent.h>
#include <fstream>
#include <map>
#include <sstream>
#include <atomic>
#include <cstdio>
#include <csignal>
#include <mutex>
#include <set>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

// CPU seconds so far of each of the daemon's threads by name (threads of one name summed), and
// of the whole machine: busy and total, from /proc/stat.
struct cpu_sample {
    std::map<std::string, double> threads;
    double machine_busy = 0, machine_total = 0;
};

cpu_sample sample_cpu(int pid) {
    cpu_sample c;
    const double tick = double(::sysconf(_SC_CLK_TCK));
    const std::string task = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = ::opendir(task.c_str())) {
        while (auto* e = ::readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::ifstream f(task + "/" + e->d_name + "/stat");
            std::string line;
            std::getline(f, line);
            const auto open = line.find('('), close = line.rfind(')');
            if (open == std::string::npos || close == std::string::npos) continue;
            std::istringstream rest(line.substr(close + 2));
            std::string field;
            double utime = 0, stime = 0;
            // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
            for (int i = 3; i <= 15 && rest >> field; ++i) {
                if (i == 14) utime = std::stod(field);
                if (i == 15) stime = std::stod(field);
            }
            c.threads[line.substr(open + 1, close - open - 1)] += (utime + stime) / tick;
        }
        ::closedir(d);
    }
    std::ifstream st("/proc/stat");
    std::string cpu;
    st >> cpu;
    double v[8] = {};
    for (double& x : v) st >> x;
    for (int i = 0; i < 8; ++i) c.machine_total += v[i];
    c.machine_busy = c.machine_total - v[3] - v[4];  // idle and iowait
    c.machine_busy /= tick;
    c.machine_total /= tick;
    return c;
}

}  // namespace

void run_acks(rig& r, const daemon_options& o, std::vector<figure>& out) {
    load_instances(r);
    figure f;
    f.name = "reservation acknowledgements (durable queued), 16 channels";
    f.unit = "acks/s";
    f.baseline_name = "SQLite 1-row FULL commits";
    f.target = 2;
    f.target_text = "≥ 2 × baseline";
    figure durable;
    durable.name = "acknowledged reservations found after kill -9";
    durable.unit = "share";
    durable.ratio_target = false;
    durable.target = 1;
    durable.target_text = "all";
    const double seconds = o.quick ? 1.0 : 2.0;
    const auto& inst = r.instances[1];
    const auto body = best_available_body(r, inst, ticket_type_of(r, inst));
    std::mutex mu;
    std::vector<std::string> acked;
    int refused = 0;
    std::atomic<int> channel_failures{0};
    auto load = [&](int rep, double secs) {
        std::atomic<long> ok{0};
        std::vector<std::thread> th;
        auto t0 = clock_type::now();
        for (int c = 0; c < 16; ++c) {
            th.emplace_back([&, c] {
                // setresuid as a raw syscall changes only this thread's credentials: the
                // connection is made (and SO_PEERCRED read) as channel c's uid.
                const bool as_channel = ::geteuid() == 0;
                if (as_channel) ::syscall(SYS_setresuid, -1, bench_channel_uid0 + c, -1);
                auto conn = http_conn::unix_socket(r.socket);
                auto first = conn.request("GET", "/v1/health");
                if (as_channel) ::syscall(SYS_setresuid, -1, 0, -1);
                if (!first || first->status != 200) ++channel_failures;
                std::vector<std::string> mine;
                int bad = 0;
                for (long i = 0; seconds_since(t0) < secs; ++i) {
                    auto key = "ack-" + std::to_string(rep) + "-" + std::to_string(c) + "-" + std::to_string(i);
                    auto a = conn.request("POST", "/v1/reservations", body, {"Idempotency-Key: " + key});
                    if (!a || a->status != 202) {
                        ++bad;
                        continue;
                    }
                    ++ok;
                    mine.push_back(t::json_get(a->body, "id").value_or(""));
                }
                std::lock_guard l(mu);
                acked.insert(acked.end(), mine.begin(), mine.end());
                refused += bad;
            });
        }
        for (auto& x : th) x.join();
        return double(ok) / seconds_since(t0);
    };
    // Acks never wait on upstream, but each one starts a placement; slow the simulator down so
    // the placements (and the simulator's CPU) do not compete with the acks on two cores.
    sim_control(r, "PUT", "faults", R"({"latency_ms":3000})");
    load(-1, 0.3);  // warm-up
    // The writer's own counters over the measured runs: jobs per commit and commit waits.
    auto writer = [&] {
        auto m = get_metrics(r);
        return std::array<double, 4>{metric(m, "agentd_store_commits_total").value_or(0),
                                     metric(m, "agentd_store_committed_jobs_total").value_or(0),
                                     metric(m, "agentd_commit_wait_seconds_sum").value_or(0),
                                     metric(m, "agentd_commit_wait_seconds_count").value_or(0)};
    };
    const auto w0 = writer();
    double loaded_seconds = 0;
    cpu_sample cpu_total;
    for (int rep = 0; rep < o.reps; ++rep) {
        // Where the CPU goes while acks are measured (not while the baseline runs): the
        // daemon's threads, and the machine, whose rest is the benchmark's clients and the kernel.
        const auto c0 = sample_cpu(r.daemon->pid());
        const auto t0 = clock_type::now();
        f.value.push_back(load(rep, seconds));
        loaded_seconds += seconds_since(t0);
        const auto c1 = sample_cpu(r.daemon->pid());
        for (const auto& [name, s1] : c1.threads) {
            auto was = c0.threads.find(name);
            cpu_total.threads[name] += s1 - (was == c0.threads.end() ? 0.0 : was->second);
        }
        cpu_total.machine_busy += c1.machine_busy - c0.machine_busy;
        cpu_total.machine_total += c1.machine_total - c0.machine_total;
        f.baseline.push_back(sqlite_durable_commits_per_second(r.dir.path(), seconds));
    }
    const auto w1 = writer();
    const double commits = w1[0] - w0[0], jobs = w1[1] - w0[1], waits = w1[3] - w0[3];
    char writer_note[512];
    std::snprintf(writer_note, sizeof writer_note, "; writer: %.0f commits carried %.0f jobs (%.1f per commit), mean commit wait %.2f ms",
                  commits, jobs, commits > 0 ? jobs / commits : 0.0, waits > 0 ? (w1[2] - w0[2]) / waits * 1e3 : 0.0);
    // CPU per thread as a share of one core over the measured load, and the machine's busy share.
    std::string cpu_note = "; CPU while acks were measured (share of one core):";
    double daemon_total = 0;
    for (const auto& [name, secs] : cpu_total.threads) {
        char part[96];
        std::snprintf(part, sizeof part, " %s %.0f%%,", name.c_str(), loaded_seconds > 0 ? secs / loaded_seconds * 100 : 0.0);
        cpu_note += part;
        daemon_total += secs;
    }
    {
        char part[192];
        const double cores = cpu_total.machine_total > 0 && loaded_seconds > 0 ? cpu_total.machine_total / loaded_seconds : 0.0;
        std::snprintf(part, sizeof part, " daemon %.0f%%; machine busy %.0f%% of its %.0f cores (the rest of the busy time: the benchmark's 16 clients, the simulator, the kernel)",
                      loaded_seconds > 0 ? daemon_total / loaded_seconds * 100 : 0.0,
                      cpu_total.machine_total > 0 ? cpu_total.machine_busy / cpu_total.machine_total * 100 : 0.0, cores);
        cpu_note += part;
    }
    sim_control(r, "PUT", "faults", R"({"clear":true})");
    // Every answer was "queued" and claimed durable: kill -9 and look for each one on disk.
    r.daemon->signal(SIGKILL);
    r.daemon->wait(10s);
    r.daemon.reset();
    std::set<std::string> found;
    // Through the store's own reader, so the check works on either engine.
    if (auto rd = agentd::store::reader::open(r.db_path)) {
        if (auto st = rd->prepare("bench.acked_ids", "SELECT id FROM reservations")) {
            for (auto more = st->step(); more && *more; more = st->step()) found.insert(st->column_text(0));
        }
    }
    std::size_t present = 0;
    for (const auto& id : acked) present += found.count(id);
    durable.value.push_back(acked.empty() ? 0 : double(present) / double(acked.size()));
    durable.note = std::to_string(present) + " of " + std::to_string(acked.size()) + " acknowledged ids on disk after SIGKILL";
    f.note = "best available ×1 on one instance, unique Idempotency-Key each, " + std::string(o.quick ? "1" : "2") +
             " s per repetition; " + std::to_string(refused) + " requests not answered 202; upstream answers delayed 3 s meanwhile so placements stay idle; " +
             (::geteuid() == 0 ? "16 channels (one uid per connection)" : "one channel (not root: one uid)") +
             (channel_failures ? ", " + std::to_string(channel_failures.load()) + " connections failed to open" : "") +
             writer_note + cpu_note;
    out.push_back(std::move(f));
    out.push_back(std::move(durable));
}

}  // namespace bench
