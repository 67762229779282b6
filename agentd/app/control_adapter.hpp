// app/control_adapter: the daemon's implementation of control::backend. Thin: reads go to the mirror
// view and the reservation service, writes to the reservation service, and health/metrics are
// assembled from the services' snapshots and the upstream clients' counters.
// Threading: called on the io_context thread only (the server's); owns one store reader.
#pragma once

#include "agentd/control/backend.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/store/lazy_reader.hpp"
#include "agentd/store/ledger.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace agentd::upstream {
class client_context;
}
namespace agentd::mirror {
class answer_cache;
class mirror_view;
class sync_service;
}
namespace agentd::reservations {
class reservation_service;
}
namespace agentd::store {
class database;
}
namespace agentd::cluster {
class ownership;
}

namespace agentd::app {

class window_board;

// A client's books as configured (currency, time zone, statement columns); see ledger_books.cpp.
struct ledger_client {
    std::string name;
    store::client_books books;
    api::statement_columns columns;
};

struct adapter_parts {
    mirror::mirror_view* mirror = nullptr;
    mirror::sync_service* sync = nullptr;
    agentd::reservations::reservation_service* reservations = nullptr;
    std::vector<std::pair<std::string, upstream::client_context*>> upstreams;  // by client name
    std::string db_path;
    std::string version;
    const agentd::clock* clock = nullptr;
    const store::database* db = nullptr;  // writer figures for /metrics; its commit count keeps the answer cache current
    std::size_t answer_cache_bytes = 0;   // 0: answers are not cached
    std::vector<ledger_client> ledger{};  // by client; a client not listed gets GBP, Europe/London
    const cluster::ownership* ownership = nullptr;  // venue leases, shown in health when clustered
    const window_board* windows = nullptr;  // do-not-transact windows shown per client
};

class control_adapter final : public control::backend {
public:
    explicit control_adapter(adapter_parts parts);
    ~control_adapter() override;

    void set_ready(bool ready) noexcept { ready_.store(ready); }
    bool ready() const noexcept { return ready_.load(); }

    result<api::health> health() override;
    result<std::vector<api::client_state>> clients() override;
    result<std::vector<api::event>> events(const api::event_query& q) override;
    result<std::vector<api::instance_summary>> instances(const api::instance_query& q) override;
    result<api::instance> instance(std::string_view client, std::string_view id) override;
    result<api::seat_plan> seats(std::string_view client, std::string_view id) override;
    result<std::string> events_json(const api::event_query& q) override;
    result<std::string> instances_json(const api::instance_query& q) override;
    result<std::string> instance_json(std::string_view client, std::string_view id) override;
    result<std::string> seats_json(std::string_view client, std::string_view id) override;

    boost::asio::awaitable<result<control::created_reservation>> create_reservation(
        std::string channel, std::string idempotency_key, api::reservation_request req) override;
    result<api::reservation> reservation(std::string_view id) override;
    std::optional<std::int64_t> reservation_version(std::string_view id) override;
    result<std::vector<api::reservation>> reservations(const api::reservation_filter& f) override;
    result<std::vector<api::history_entry>> reservation_history(std::string_view id) override;
    boost::asio::awaitable<result<api::reservation>> confirm_reservation(std::string id, api::confirm_request req) override;
    boost::asio::awaitable<result<api::reservation>> extend_reservation(std::string id, api::extend_request req) override;
    boost::asio::awaitable<result<api::reservation>> release_reservation(std::string id) override;

    result<std::vector<api::feed_event>> feed_since(std::uint64_t seq, std::size_t limit) override;
    result<api::metrics_snapshot> metrics() override;

    boost::asio::awaitable<result<api::admin_sync_answer>> request_sync(api::admin_sync_request req) override;
    result<api::reconcile_report> reconcile() override;
    result<api::pool_report> pools() override;
    boost::asio::awaitable<result<api::reservation>> resolve_reservation(std::string id, api::resolve_request req) override;
    // ledger_adapter.cpp
    result<api::ledger_report> ledger(const api::ledger_query& q) override;
    result<api::ledger_entries> ledger_entries(const api::ledger_query& q) override;

private:
    const ledger_client& ledger_client_of(std::string_view client) const;
    result<store::ledger_gaps> ledger_gaps();

    void add_budget(std::vector<api::client_state>& clients);

    adapter_parts parts_;
    store::lazy_reader feed_reader_;
    std::unique_ptr<mirror::answer_cache> cache_;
    store::lazy_reader ledger_reader_;
    store::lazy_reader lease_reader_;
    ledger_client default_books_;
    std::atomic<bool> ready_{false};
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace agentd::app
