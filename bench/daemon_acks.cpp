#include "bench/baselines.hpp"
#include "bench/daemon_figures.hpp"

#include "agentd/store/reader.hpp"

#include <array>
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
    for (int rep = 0; rep < o.reps; ++rep) {
        f.value.push_back(load(rep, seconds));
        f.baseline.push_back(sqlite_durable_commits_per_second(r.dir.path(), seconds));
    }
    const auto w1 = writer();
    const double commits = w1[0] - w0[0], jobs = w1[1] - w0[1], waits = w1[3] - w0[3];
    char writer_note[512];
    std::snprintf(writer_note, sizeof writer_note, "; writer: %.0f commits carried %.0f jobs (%.1f per commit), mean commit wait %.2f ms",
                  commits, jobs, commits > 0 ? jobs / commits : 0.0, waits > 0 ? (w1[2] - w0[2]) / waits * 1e3 : 0.0);
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
             writer_note;
    out.push_back(std::move(f));
    out.push_back(std::move(durable));
}

}  // namespace bench
