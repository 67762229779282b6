// bench/daemon_figures: figures measured against agentd and agentd-sim running as processes in
// a temp directory (daemon_rig.cpp: processes, initial mirror; daemon_memory.cpp: memory; daemon_figures.cpp: reads,
// steady-state sync, rush, placement/confirm daemon time; daemon_acks.cpp: durable acks).
// Blocking; the caller's thread owns the rig (worker threads are joined before returning).
#pragma once

#include "bench/support.hpp"
#include "tests/support/harness.hpp"

#include <rapidjson/document.h>

#include <cstddef>
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
    std::string client_extra;            // more lines in every [[client]]
    std::string extra;                   // appended to the config ([[pool]] blocks)
};

// Writes the daemon's config for `r.sim` and starts it on a fresh database named `db_name` (a file
// in the rig's directory, or a "postgresql://" URL used as it is).
// fast_tiers: every availability tier 2 s (steady-state figures); else the defaults.
void start_daemon(rig& r, const std::string& db_name, std::int64_t rpm, bool fast_tiers);
void stop_daemon(rig& r);
// Rewrites the running daemon's config (r.extra included) and reloads it (SIGHUP).
void start_daemon_reload(rig& r);
void wait_initial_mirror(rig& r);
std::string sim_control(const rig& r, const std::string& method, const std::string& what, const std::string& body = {});
// VmHWM / VmRSS of a process in MiB.
double proc_status_mib(int pid, const char* field);

// Shared by the daemon figures.
// An answer body as a document (one parser for every bench file; callers check the status first).
rapidjson::Document parse_json(const std::string& s);
std::string get_metrics(const rig& r);
// Fills r.instances (on-sale, as agentd lists them) and r.ticket_type once; throws if fewer
// than at_least are on sale (the venue300 world has 20, a small venue fewer).
void load_instances(rig& r, std::size_t at_least = 20);
std::string best_available_body(const rig& r, const std::string& instance, const std::string& ticket_type);
std::string ticket_type_of(const rig& r, const std::string& instance);

using seat_map = std::map<std::string, std::string>;
// Seat id -> status as agentd serves it (reserved seats only), and the simulator's truth for them.
seat_map agentd_seats(const rig& r, const std::string& id);
seat_map sim_seats(const rig& r, const std::string& id, const seat_map& plan);

// The rush, shared by both rush figures (rush_clients.cpp). leave_on_sale: all of `inst` sold
// to the public, then returned until `seats` seats are on sale; returns how many are.
struct rush_outcome {
    std::string id, state, why, seat, msg;  // why: the error code; msg: its message
    double ms = 0;                          // to a definite answer
    bool local = false;                     // answered locally (no seats left)
};
struct rush_tally {
    int held = 0, doubles = 0;
    double p50_ms = 0, p99_ms = 0;
};
int leave_on_sale(const rig& r, const std::string& inst, int seats);
// `connections` connections at once ask for best available x1 (Idempotency-Key key_prefix + n)
// and long-poll to a definite state.
std::vector<rush_outcome> rush_clients(const rig& r, const std::string& inst, const std::string& ticket_type,
                                       int connections, const std::string& key_prefix);
// Held, seats held twice, answer-time percentiles; adds each outcome to `states`.
rush_tally tally(const std::vector<rush_outcome>& res, std::map<std::string, int>& states);

void run_initial_mirror(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_reads(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_steady_sync(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_rush(rig& r, const daemon_options& o, std::vector<figure>& out);
void run_acks(rig& r, const daemon_options& o, std::vector<figure>& out);
// VmHWM of the venue300 daemon now, with where its pages are and the answer cache's size and cap
// in the note (daemon_memory.cpp); print_mappings lists the `top` largest mappings to stderr.
figure venue_memory(const rig& r);
void print_mappings(int pid, int top);
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
// Allocation pools at 30 ms upstream latency: time to held from a pool vs the normal path, and
// the share of an on-sale rush's seats secured with and without a grab (daemon_pools.cpp).
void run_pools(const daemon_options& o, std::vector<figure>& out);

}  // namespace bench
