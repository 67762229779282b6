// bench_agentd: runs every benchmark of bench/README.md and prints one table (and JSON with
// --json FILE). Usage: bench_agentd [--quick] [--reps N] [--json FILE] [--only micro|acks|latency|reads|rush-budget|engines|pools|memory];
// --only runs one group (engines: reads and acks on SQLite and on PostgreSQL side by side): the in-process micro figures, the acknowledgement or the read figures on
// a fresh daemon, or the latency-bound mirror. AGENTD_BIN_DIR names the directory holding agentd and agentd-sim (scripts/bench sets it).
#include "bench/daemon_figures.hpp"
#include "bench/micro.hpp"
#include "bench/support.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

void stage(const char* what) {
    std::fprintf(stderr, "bench: %s\n", what);
}

// The one-group runs (reads, memory, acks) start on the full run's second daemon: venue300,
// 2 s availability tiers, the initial mirror done.
void start_venue300(bench::rig& r) {
    stage("starting agentd-sim --size venue300");
    r.sim = agentd::test::start_sim(r.dir, {"--size", "venue300", "--rate", "0"});
    r.client = r.sim.clients.at(0).name;
    stage("starting agentd with 2 s availability tiers");
    bench::start_daemon(r, "agentd.db", 100000, true);
    bench::wait_initial_mirror(r);
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    int reps = 5;
    std::string json, only;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--quick") quick = true;
        else if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--json" && i + 1 < argc) json = argv[++i];
        else if (a == "--only" && i + 1 < argc &&
                 (std::strcmp(argv[i + 1], "micro") == 0 || std::strcmp(argv[i + 1], "acks") == 0 ||
                  std::strcmp(argv[i + 1], "latency") == 0 || std::strcmp(argv[i + 1], "reads") == 0 ||
                  std::strcmp(argv[i + 1], "rush-budget") == 0 || std::strcmp(argv[i + 1], "engines") == 0 ||
                  std::strcmp(argv[i + 1], "pools") == 0 || std::strcmp(argv[i + 1], "memory") == 0))
            only = argv[++i];
        else {
            std::fprintf(stderr, "usage: bench_agentd [--quick] [--reps N] [--json FILE] [--only micro|acks|latency|reads|rush-budget|engines|pools|memory]\n");
            return 2;
        }
    }
    std::vector<bench::figure> figs;
    auto t0 = bench::clock_type::now();
    if (only == "engines") {
        try {
            bench::run_engines(bench::daemon_options{reps, quick}, figs);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench: stopped: %s\n", e.what());
            bench::print_table(figs);
            return 1;
        }
        std::printf("\nagentd on SQLite and on PostgreSQL (%d repetitions, %.0f s)\n", reps, bench::seconds_since(t0));
        int missed = bench::print_table(figs);
        if (!json.empty()) bench::write_json(json, figs, quick);
        std::printf("\n%d target(s) missed\n", missed);
        return 0;
    }
    if (only == "rush-budget" || only == "pools") {
        try {
            stage(only == "pools" ? "allocation pools at 30 ms upstream latency" : "rush with the budget at the simulator's default limit");
            if (only == "pools") bench::run_pools(bench::daemon_options{reps, quick}, figs);
            else bench::run_rush_budget(bench::daemon_options{reps, quick}, figs);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench: stopped: %s\n", e.what());
            bench::print_table(figs);
            return 1;
        }
        int missed = bench::print_table(figs);
        if (!json.empty()) bench::write_json(json, figs, quick);
        std::printf("\n%d target(s) missed\n", missed);
        return 0;
    }
    try {
        if (only == "latency") {
            stage("latency-bound initial mirror");
            bench::run_latency_mirror(bench::daemon_options{reps, quick}, figs);
            std::printf("\nagentd benchmarks (latency-bound mirror only, %d repetitions, %.0f s)\n", reps,
                        bench::seconds_since(t0));
            const int missed = bench::print_table(figs);
            if (!json.empty()) bench::write_json(json, figs, quick);
            std::printf("\n%d target(s) missed\n", missed);
            return 0;
        }
        bench::rig r;
        if (only == "reads") {
            // The read figures alone, on the same world and daemon settings as the full run.
            bench::daemon_options o{reps, quick};
            start_venue300(r);
            stage("availability reads");
            bench::run_reads(r, o, figs);
            bench::stop_daemon(r);
            int missed = bench::print_table(figs);
            if (!json.empty()) bench::write_json(json, figs, quick);
            std::printf("\n%d target(s) missed (reads only)\n", missed);
            return 0;
        }
        if (only == "memory") {
            // The venue300 memory figure alone, after the same work as in the full run (the
            // timed figures of that work are run but not printed: only memory is read here).
            bench::daemon_options o{reps, quick};
            std::vector<bench::figure> load;
            start_venue300(r);
            // The peak so far after each step, which tells the step that raised it.
            auto peak = [&](const char* after) {
                std::fprintf(stderr, "bench: after %s: VmHWM %.1f MiB, VmRSS %.1f MiB\n", after,
                             bench::proc_status_mib(r.daemon->pid(), "VmHWM:"), bench::proc_status_mib(r.daemon->pid(), "VmRSS:"));
            };
            peak("the initial mirror");
            stage("availability reads, steady-state sync, rush (untimed here)");
            bench::run_reads(r, o, load);
            peak("the reads");
            bench::run_steady_sync(r, o, load);
            peak("the steady-state sync");
            bench::run_rush(r, o, load);
            peak("the rush");
            for (const auto& f : load)  // what the work did, not figures (the machine may be busy)
                if (!f.value.empty())
                    std::fprintf(stderr, "bench:   %s: %g %s\n", f.name.c_str(), bench::percentile(f.value, 0.5), f.unit.c_str());
            figs.push_back(bench::venue_memory(r));
            bench::print_mappings(r.daemon->pid(), 15);
            bench::stop_daemon(r);
            int missed = bench::print_table(figs);
            if (!json.empty()) bench::write_json(json, figs, quick);
            std::printf("\n%d target(s) missed (memory only)\n", missed);
            return 0;
        }
        bench::micro_options mo{r.dir.path(), reps, quick};
        bench::daemon_options o{reps, quick};
        if (only == "acks") {
            start_venue300(r);
            stage("acknowledgements");
            bench::run_acks(r, o, figs);
            bench::stop_daemon(r);
        }
        if (!only.empty()) {
            if (only == "micro") {
                stage("upstream JSON decode");
                bench::run_decode(mo, figs);
                stage("mirror apply");
                bench::run_mirror_apply(mo, figs);
            }
            int missed = bench::print_table(figs);
            if (!json.empty()) bench::write_json(json, figs, quick);
            std::printf("\n%d target(s) missed\n", missed);
            return 0;
        }
        stage("upstream JSON decode");
        bench::run_decode(mo, figs);
        stage("mirror apply");
        bench::run_mirror_apply(mo, figs);
        stage("starting agentd-sim --size venue300");
        r.sim = agentd::test::start_sim(r.dir, {"--size", "venue300", "--rate", "0"});
        r.client = r.sim.clients.at(0).name;
        stage("initial mirror");
        bench::run_initial_mirror(r, o, figs);
        stage("restarting agentd with 2 s availability tiers");
        bench::stop_daemon(r);
        bench::start_daemon(r, "agentd.db", 100000, true);
        bench::wait_initial_mirror(r);
        stage("availability reads");
        bench::run_reads(r, o, figs);
        stage("steady-state sync");
        bench::run_steady_sync(r, o, figs);
        stage("rush");
        bench::run_rush(r, o, figs);
        figs.push_back(bench::venue_memory(r));
        stage("rush with the budget at the simulator's default limit");
        bench::run_rush_budget(o, figs);
        stage("acknowledgements");
        bench::run_acks(r, o, figs);
        bench::stop_daemon(r);
        stage("large world memory");
        bench::run_large_memory(o, figs);
        stage("latency-bound initial mirror");
        bench::run_latency_mirror(o, figs);
        stage("allocation pools at 30 ms upstream latency");
        bench::run_pools(o, figs);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: stopped: %s\n", e.what());
        bench::print_table(figs);
        if (!json.empty()) bench::write_json(json, figs, quick);
        return 1;
    }
    std::printf("\nagentd benchmarks (%s, %d repetitions, %.0f s)\n", quick ? "--quick" : "full", reps,
                bench::seconds_since(t0));
    int missed = bench::print_table(figs);
    if (!json.empty()) bench::write_json(json, figs, quick);
    std::printf("\n%d target(s) missed\n", missed);
    return 0;
}
