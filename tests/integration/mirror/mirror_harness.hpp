// Integration harness: a running agentd-sim (process) and, in this process, the daemon side of
// the mirror — real Spektrix clients over HTTP, a real SQLite file, the sync service on its own
// io_context thread — plus helpers to read the simulator. The test thread reads the mirror
// through mirror_view (its own reader) and the service's thread-safe progress()/counters().
#pragma once

#include "agentd/mirror/view.hpp"
#include "agentd/mirror/service.hpp"
#include "agentd/store/database.hpp"
#include "agentd/upstream/spektrix_client.hpp"
#include "tests/support/sim_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_database.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace mirror_it {

using namespace std::chrono_literals;

inline agentd::mirror::settings tight_settings() {
    agentd::mirror::settings s;
    s.catalogue_interval = std::chrono::hours(1);
    s.catalogue_days_ahead = 180;
    s.tier_24h = 1s;
    s.tier_7d = 1s;
    s.tier_30d = 1s;
    s.tier_later = 2s;
    s.hot_window = 10min;
    s.tombstone_after = 3;
    s.max_removal_share = 0.25;
    s.seat_status = true;
    s.max_parallel_per_client = 2;
    return s;
}

inline rapidjson::Document json(const sim_test::reply& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    REQUIRE_MESSAGE((r.status == 200 && !d.HasParseError()), "bad answer " << r.status << ": " << r.body.substr(0, 300));
    return d;
}

// The daemon side; start() and stop() from the test thread.
class daemon_side {
public:
    // max_connections > 0 sets each client's connection pool size (and so the sync's reads in
    // flight); 0 keeps the upstream default pool and max_parallel_per_client alone.
    daemon_side(const sim_test::sim_process& sim, std::string db_path, agentd::mirror::settings s = tight_settings(),
                int max_connections = 0)
        : db_path_(std::move(db_path)) {
        agentd::store::database_options o;
        o.path = db_path_;
        auto db = agentd::store::database::open(o);
        REQUIRE_MESSAGE(db.has_value(), (db ? "" : db.error().message));
        db_ = std::move(*db);
        std::vector<agentd::mirror::sync_client> clients;
        for (const auto& [name, accounts] : sim.clients) {
            agentd::upstream::client_settings cs;
            cs.base_url = sim.base_url;
            cs.client_name = name;
            cs.requests_per_minute = 600000;
            cs.burst = 10000;
            if (max_connections > 0) cs.max_connections = max_connections;
            auto ctx = agentd::upstream::client_context::make(io_.get_executor(), cs);
            REQUIRE(ctx.has_value());
            auto c = agentd::upstream::make_spektrix_client(
                **ctx, agentd::upstream::account_settings{accounts.front().login, agentd::secret(accounts.front().secret)});
            REQUIRE(c.has_value());
            clients.push_back({name, {{accounts.front().login, c->get()}}, max_connections});
            ctxs_.push_back(std::move(*ctx));
            ups_.push_back(std::move(*c));
        }
        svc_ = std::make_unique<agentd::mirror::sync_service>(io_.get_executor(), *db_, db_path_, s, std::move(clients),
                                                           agentd::system_clock::instance(),
                                                           [this](std::uint64_t seq) { last_feed_ = seq; });
        boost::asio::co_spawn(io_, svc_->run(),
                              boost::asio::bind_cancellation_slot(stop_.slot(), [this](std::exception_ptr) {
                                  done_ = true;
                                  io_.stop();
                              }));
        thread_ = std::thread([this] { io_.run(); });
    }
    ~daemon_side() { stop(); }

    void stop() {
        if (!thread_.joinable()) return;
        boost::asio::post(io_, [this] { stop_.emit(boost::asio::cancellation_type::terminal); });
        thread_.join();
        svc_.reset();
        ups_.clear();
        ctxs_.clear();
        db_->close();
    }

    agentd::mirror::sync_service& service() { return *svc_; }
    // request_sync must run on the service's io thread.
    void request_sync(std::string client) {
        boost::asio::post(io_, [this, client] { svc_->request_sync(client, std::nullopt); });
    }
    agentd::store::database& db() { return *db_; }
    std::uint64_t last_feed() const { return last_feed_; }
    bool done() const { return done_; }

private:
    std::string db_path_;
    boost::asio::io_context io_;
    std::unique_ptr<agentd::store::database> db_;
    std::vector<std::unique_ptr<agentd::upstream::client_context>> ctxs_;
    std::vector<std::unique_ptr<agentd::upstream::client>> ups_;
    std::unique_ptr<agentd::mirror::sync_service> svc_;
    boost::asio::cancellation_signal stop_;
    std::thread thread_;
    std::atomic<std::uint64_t> last_feed_{0};
    std::atomic<bool> done_{false};
};

// Requests the simulator answered for one endpoint key (all statuses).
inline std::uint64_t sim_requests(const sim_test::sim_process& sim, const std::string& endpoint) {
    auto d = json(sim.control("GET", "stats"));
    std::uint64_t n = 0;
    for (const auto& r : d["requests"].GetArray())
        if (endpoint == r["endpoint"].GetString()) n += r["count"].GetUint64();
    return n;
}

// Reserved seats the simulator reports Available (unreserved places have no seat rows).
inline std::int64_t sim_seats_available(sim_test::sim_client& c, const std::string& inst) {
    auto st = json(c.get("instances/" + inst + "/status/seats"));
    std::int64_t n = 0;
    for (const auto& s : st.GetArray()) n += std::string_view(s["status"].GetString()) == "Available" ? 1 : 0;
    return n;
}

inline std::int64_t mirror_seats_available(agentd::mirror::mirror_view& view, const std::string& client, const std::string& inst) {
    auto seats = view.seats(client, inst);
    REQUIRE(seats.has_value());
    std::int64_t n = 0;
    for (const auto& s : seats->seats) n += s.status == "available" ? 1 : 0;
    return n;
}

inline long rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

}  // namespace mirror_it
