// bench/daemon_figures: figures measured against agentd and agentd-sim running as processes in
// a temp directory (daemon_rig.cpp: processes, initial mirror, memory; daemon_figures.cpp: reads,
// steady-state sync, rush, placement/confirm daemon time; daemon_acks.cpp: durable acks).
// Blocking; the caller's thread owns the rig (worker threads are joined before returning).
#pragma once

#include "bench/support.hpp"
#include "tests/support/harness.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace bench {

struct daemon_options {
    int reps = 5;
    bool quick = false;
};

// As root, the config maps uids bench_channel_uid0 .. +bench_channels-1 to sales channels.
inline constexpr int bench_channels = 16;
inline constexpr int bench_channel_uid0 = 61000;

struct rig {
    agentd::test::temp_dir dir;
    agentd::test::sim_process sim;
    std::unique_ptr<agentd::test::child_process> daemon;
    std::string socket, client, db_path;
    std::int64_t rpm = 24000;
    int max_connections = 4;             // per upstream client, written into the config
    std::vector<std::string> instances;  // on-sale, in listing order
    std::string ticket_type;             // of instances[0]
    std::int64_t request_burst = 0;      // [[client]] request_burst (0: agentd's default)
    std::string reservations_extra;      // more [reservations] lines
};

// Writes the daemon's config for `r.sim` and starts it on a fresh database named `db_name` (a file
// in the rig's directory, or a "postgresql://" URL used as it is).
// fast_tiers: every availability tier 2 s (steady-state figures); else the defaults.
void start_daemon(rig& r, const std::string& db_name, std::int64_t rpm, bool fast_tiers);
void stop_daemon(rig& r);
void wait_initial_mirror(rig& r);
std::string sim_control(const rig& r, const std::string& method, const std::string& what, const std::string& body = {});
// VmHWM / VmRSS of a process in MiB.
double proc_status_mib(int pid, const char* field);

// Shared by the daemon figures.
std::string get_metrics(const rig& r);
// Fills r.instances (on-sale, as agentd lists them) and r.ticket_type once.
void load_instances(rig& r);
std::string best_available_body(const rig& r, const std::string& instance, const std::string& ticket_type);
std::string ticket_type_of(const rig& r, const std::string& instance);

using seat_map = std::map<std::string, std::string>;
// Seat id -> status as agentd serves it (reserved seats only), and the simulator's truth for them.
seat_map agentd_seats(const rig& r, const std::string& id);
seat_map sim_seats(const rig& r, const std::string& id, const seat_map& plan);

void run_initial_mirror(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_reads(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_steady_sync(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_rush(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_acks(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_large_memory(const daemon_options& o, std::vector<figure>& out);
// Its own simulator with 30 ms latency: initial mirror at 4 and 16 connections against the
// latency floor and against a sequential signed client (latency_mirror.cpp).
void run_latency_mirror(const daemon_options& o, std::vector<figure>& out);
// 200 for the last 50 seats with agentd's budget at the simulator's default limit (10/s per
// account): its own rig (daemon_rush_budget.cpp).
void run_rush_budget(const daemon_options& o, std::vector<figure>& out);
// Reads and durable acks of one node on SQLite, then on a throwaway PostgreSQL cluster, each on
// its own rig (engines.cpp).
void run_engines(const daemon_options& o, std::vector<figure>& out);

}  // namespace bench
