// mirror/service: the mirror's sync service. One set of worker coroutines per venue client
// keeps that client's catalogue (slow cadence) and each instance's availability (tiered by start
// time and heat, domain/sync_policy) in the store. A client has one worker per request slot:
// max(its max_connections, max_parallel_per_client) reads in flight (slots.hpp), so the sync
// fills the client's connections when the budget allows. Clients are independent: each has its
// own workers, budget and backoff, so one venue that is down or rate-limited never delays
// another. Writes are diffs committed by the store's writer with their feed entries; reads do
// not wait for them. on_feed(last seq) is called after each commit (io_context thread).
// Its parts: service.cpp (lifecycle, state loading, progress), schedule.cpp (the workers' loop and
// what is due next), fetch_catalogue.cpp and fetch_availability.cpp (the upstream reads; fan_out.hpp
// runs a pass's reads side by side), jobs.cpp (the writer jobs they submit) and write.cpp (what a
// job writes).
// Threading: construct, run(), request_sync(), mark_hot() on the io_context thread; progress()
// and counters() are thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/mirror/settings.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/store/database.hpp"
#include "agentd/upstream/client.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::mirror {

struct sync_client {
    std::string name;
    // Sync reads through the first account. Accounts may see different catalogues (agent
    // visibility is per account upstream); the mirror does not reconcile that yet.
    std::vector<std::pair<std::string /*account*/, upstream::client*>> accounts;
    // The client's connection pool size: the sync keeps up to max(this, max_parallel_per_client)
    // reads in flight for the client (0: max_parallel_per_client alone).
    int max_connections = 0;
};

struct client_progress {
    std::string name;
    std::string state = "syncing";  // "syncing" | "ok" | "degraded" | "failing"
    std::optional<sys_time> last_success;
    std::optional<std::string> last_error;
    double lag_seconds = 0;  // how overdue the most overdue availability poll is
    bool initial_done = false;
    std::int64_t instances_total = 0, instances_done = 0;
    bool seat_status = false;
};

struct sync_progress {
    bool initial_complete = false;
    std::int64_t clients_done = 0, clients_total = 0;
    std::int64_t instances_done = 0, instances_total = 0;
    double requests_per_second = 0;  // since run() started
    std::vector<client_progress> clients;
};

// Write-path counters for benchmarks and tests; monotonically increasing.
struct sync_counters {
    std::uint64_t requests = 0;            // upstream calls made
    std::uint64_t request_failures = 0;
    std::uint64_t seat_rows_offered = 0;   // seat-status upserts executed
    std::uint64_t seat_rows_changed = 0;   // seat-status rows actually written
    std::uint64_t status_rows_changed = 0; // instance/area count rows written
    std::uint64_t catalogue_rows_written = 0;
    std::uint64_t sync_state_rows_written = 0;
    std::uint64_t feed_rows = 0;
    std::uint64_t availability_polls = 0;
    std::uint64_t unchanged_polls = 0;     // answers identical to the last (nothing but state written)
    std::uint64_t refused_removals = 0;
    std::uint64_t catalogue_downloads = 0; // price lists and plans fetched
};

class sync_service {
public:
    sync_service(boost::asio::any_io_executor ex, store::database& db, std::string db_path,
                 mirror::settings settings, std::vector<sync_client> clients, const agentd::clock& clk,
                 std::function<void(std::uint64_t feed_seq)> on_feed);
    ~sync_service();
    sync_service(const sync_service&) = delete;
    sync_service& operator=(const sync_service&) = delete;

    // Loads sync state, then syncs until cancelled (cancelling it cancels and awaits the workers).
    boost::asio::awaitable<void> run();
    // Workers still alive; non-zero after run() returned means one outlived its 10 s bound.
    std::size_t tasks_left() const noexcept;

    // Admin "sync now": the client's catalogue (no instance) or one instance's availability.
    void request_sync(std::string client, std::optional<std::string> instance);
    // A read or reservation touched the instance: poll it one tier faster for a while.
    void mark_hot(std::string_view client, std::string_view instance);

    // Several nodes on one database (docs/scale-out.md): only clients `owns` accepts are synced
    // here; `fence` runs in every write job's transaction (writer thread) and fails it once this
    // node no longer holds the venue. Unset: every client is synced, nothing fenced. Before run().
    void set_ownership(std::function<bool(std::string_view client)> owns,
                       std::function<result<void>(store::write_txn&, std::string_view client)> fence);
    // This node just took the client over: what it remembered of the client may be stale (another
    // node synced meanwhile), so it is read again from the store before the next write.
    void client_gained(std::string_view client);

    sync_progress progress() const;
    sync_counters counters() const;

    // Whether a client's upstream reads are paused now (a do-not-transact window with reads
    // blocked), and until when. Its workers then start no reads and the mirror keeps serving
    // what it has, with its age. Set before run(); unset: never paused.
    using read_pause = std::function<std::optional<sys_time>(std::string_view client, sys_time now)>;
    void set_read_pause(read_pause p) { read_pause_ = std::move(p); }

    struct client_state;  // per client: schedule, caches, wake timer (sync_service.cpp)

private:
    boost::asio::awaitable<void> client_main(client_state& cs);
    boost::asio::awaitable<void> worker(client_state& cs, int index);
    boost::asio::awaitable<void> load_state(client_state& cs);
    boost::asio::awaitable<void> sync_catalogue(client_state& cs);
    boost::asio::awaitable<void> sync_reference_data(client_state& cs, sys_time now, bool& all_ok);
    // One lane step of the catalogue pass's fan-outs (fetch_catalogue.cpp); the shared state is
    // owned by the lanes, so a lane may outlive an abandoned pass until shutdown cancels it.
    struct instance_listing;
    struct reference_work;
    boost::asio::awaitable<void> list_instances_of(client_state& cs, std::shared_ptr<instance_listing> l, std::size_t i,
                                                   std::string from, std::string to);
    boost::asio::awaitable<void> fetch_reference(client_state& cs, std::shared_ptr<reference_work> work, std::size_t i,
                                                 sys_time now);
    boost::asio::awaitable<void> sync_availability(client_state& cs, std::string id);
    // The writer half of an availability poll, spawned so the next poll need not wait for it.
    struct availability_write;
    boost::asio::awaitable<void> finish_availability(client_state& cs, std::shared_ptr<availability_write> w);
    void end_poll(client_state& cs, const std::string& id, bool ok, sys_time now);
    void wake(client_state& cs);
    void note_failure(client_state& cs, std::string_view what, const std::string& message);
    void note_success(client_state& cs);
    void count_request(bool ok);
    void feed(std::int64_t seq);
    void log_progress(sys_time now);
    client_state* find(std::string_view client);

    boost::asio::any_io_executor ex_;
    store::database& db_;
    std::string db_path_;
    mirror::settings settings_;
    const agentd::clock& clock_;
    std::function<void(std::uint64_t)> on_feed_;
    std::function<bool(std::string_view)> owns_;
    std::function<result<void>(store::write_txn&, std::string_view)> fence_;
    std::vector<std::unique_ptr<client_state>> clients_;
    net::task_group tasks_;
    sys_time started_{};
    sys_time last_progress_log_{};
    bool initial_logged_ = false;
    mutable std::mutex stats_mu_;
    sync_counters counters_;
    read_pause read_pause_;
};

}  // namespace agentd::mirror
