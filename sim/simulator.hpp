// The request handler of agentd-sim: routes /{client}/api/v3/... and /_sim/..., checks
// signatures and rate limits, applies configured faults and answers from the world and its
// state. Transport-free: the server turns bytes into http_request and back.
// Threading: handle() and tick() may be called from any thread; one mutex guards all state.
#pragma once

#include "agentd/core/token_bucket.hpp"
#include "sim/nodes.hpp"
#include "sim/config.hpp"
#include "sim/signature.hpp"
#include "sim/state.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace agentd::sim {

struct http_request {
    std::string method;
    std::string target;  // origin-form: /path?query
    std::string host;    // Host header
    std::string date;
    std::string authorization;
    std::string body;
    bool loopback = true;
    bool tls = false;
    std::string node = {};  // X-Agentd-Node: which agentd node sent it (several nodes on one database)
};

enum class transport_fault { none, reset, truncate, drop };

struct http_response {
    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    transport_fault fault = transport_fault::none;
    std::chrono::milliseconds delay{0};
};

// Simulated time: wall time at start, running time_scale times faster, plus manual advances.
class sim_clock {
public:
    explicit sim_clock(double scale);
    sys_time now() const noexcept;
    void advance(std::chrono::seconds s) noexcept { offset_ += s.count(); }

private:
    sys_time start_wall_;
    std::chrono::steady_clock::time_point start_steady_;
    double scale_;
    std::atomic<std::int64_t> offset_{0};
};

class simulator {
public:
    simulator(world w, const settings& s);
    simulator(const simulator&) = delete;
    simulator& operator=(const simulator&) = delete;

    http_response handle(const http_request& r);
    // The server brackets every API request (not /_sim/) from parse to the end of its answer,
    // latency included, so /_sim/stats can report how many were in flight at once at most.
    // Thread-safe.
    void request_started();
    void request_finished();
    // Background work: basket expiry, competing public sales and late writes that are due.
    // Call every ~100 ms, and at next_late_due() when that is sooner.
    void tick();
    // Applies the late writes (fault late_apply) due by `now`; tick() calls it with the present.
    void run_late(std::chrono::steady_clock::time_point now);
    std::optional<std::chrono::steady_clock::time_point> next_late_due() const;
    std::string ready_line(const std::string& base_url) const;
    const world& catalogue() const noexcept { return world_; }
    sim_clock& clock() noexcept { return clock_; }

    // For tests of pure logic.
    client_state& state_of(std::size_t client) { return *states_[client]; }

    struct call;  // one API request being answered (simulator.cpp)

private:
    http_response api(const http_request& r, std::string_view path, std::string_view query);
    http_response control(const http_request& r, std::string_view path, std::string_view query);
    http_response dispatch(call& c);
    // /_sim/locks (api_locks.cpp); the caller holds mu_.
    http_response control_locks(const http_request& r, const std::map<std::string, std::string>& q);
    // catalogue (api_catalogue.cpp)
    http_response get_events(call& c);
    http_response get_event(call& c);
    http_response get_event_instances(call& c);
    http_response get_instance(call& c);
    http_response get_price_list(call& c);
    http_response get_plan(call& c);
    http_response get_status(call& c, bool one_area);
    http_response get_seat_status(call& c);
    http_response get_best_available(call& c);
    // baskets and orders (api_baskets.cpp)
    outcome<basket*> open_basket(call& c);
    http_response create_basket(call& c);
    http_response get_basket(call& c);
    http_response patch_basket(call& c);
    http_response add_tickets(call& c);
    http_response add_best_available(call& c);
    http_response remove_tickets(call& c);
    http_response clear_basket(call& c);
    http_response confirm(call& c);
    http_response get_order(call& c);

    // faults and late writes (faults.cpp)
    struct fault_choice;
    // A write answered with a fault now and applied later (fault late_apply).
    struct late_write {
        std::uint64_t seq = 0;
        std::uint32_t client_index = 0;
        int account = 0;
        std::string method, endpoint, query, body;
        std::vector<std::string> seg;  // path segments after /{client}/api/v3/
        std::chrono::steady_clock::time_point due;
        sys_time received{}, applied{};
        bool done = false;
        int status = 0;        // the apply's own answer, which no client sees
        std::string basket;    // the basket it addressed or created
        std::string message;   // the apply's error message, if it failed
    };
    fault_choice choose_fault(std::string_view client, const call& c, std::string_view method);
    http_response answer(call& c, const http_request& r, std::string_view query);
    void run_late_locked(std::chrono::steady_clock::time_point now);
    http_response late_audit() const;
    void count(std::string_view endpoint, int status);

    world world_;
    settings settings_;
    sim_clock clock_;
    basket_policy policy_;
    signature_policy sig_policy_;
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<client_state>> states_;
    std::map<std::string, token_bucket> buckets_;  // by client/login
    std::vector<fault_rule> faults_;
    std::deque<late_write> late_;  // pending first-come first-served, then a bounded history
    std::uint64_t late_seq_ = 0;
    std::map<std::pair<std::string, int>, std::uint64_t> stats_;
    node_log nodes_;
    // Maintenance mode per client (/_sim/maintenance): every API request answered 503, counted.
    struct maintenance {
        bool on = false;
        std::uint64_t refused_reads = 0, refused_writes = 0;
    };
    std::map<std::string, maintenance> maintenance_;  // by client name
    std::atomic<int> in_flight_{0};
    std::atomic<int> in_flight_max_{0};
    rng rng_;
    double public_rate_;
    std::vector<double> public_budget_;
    std::chrono::steady_clock::time_point last_tick_;
};

// Spektrix-style error body.
http_response error_response(const api_error& e);

}  // namespace agentd::sim
