// cluster/ownership: which venues (clients) this node drives. With several nodes on one
// database each venue is held by a lease (store/lease.hpp) that this loop acquires and renews;
// a lease counts locally only until (monotonic time its last grant or renewal was *sent*) +
// ttl - margin, so a node paused past that wakes up no longer owning anything and sends no
// upstream call. Without a lease table (SQLite, one node) every client is owned, always.
// Drivers ask owns() before each step; app subscribes to gains (run the restart recovery for
// that client) and losses (stop driving it at once). See docs/scale-out.md.
// Threading: owns(), epoch(), snapshot() from any thread (a mutex guards the views); run(),
// pass(), lost() and the callbacks on the executor's thread.
#pragma once

#include "agentd/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::cluster {

using mono = std::chrono::steady_clock;

// The shared lease table as the loop needs it (store_leases.hpp over the store; fakes in tests).
class lease_table {
public:
    virtual ~lease_table() = default;
    // The epoch now held, or nullopt when another node holds a live lease.
    virtual boost::asio::awaitable<result<std::optional<std::int64_t>>> acquire(std::string client) = 0;
    // false: no longer ours at that epoch.
    virtual boost::asio::awaitable<result<bool>> renew(std::string client, std::int64_t epoch) = 0;
    virtual boost::asio::awaitable<result<void>> release(std::string client, std::int64_t epoch) = 0;
};

struct ownership_settings {
    std::string node;
    std::chrono::milliseconds ttl{15'000};
    // How often a venue not held is tried (takeover within ttl + pass), and the loop's tick.
    std::chrono::milliseconds pass{1'000};
};

struct lease_view {
    std::string client;
    bool owned = false;
    std::int64_t epoch = 0;
    mono::time_point valid_until{};  // meaningful while owned
};

class ownership {
public:
    using now_fn = std::function<mono::time_point()>;
    using change_fn = std::function<void(const std::string& client, bool gained)>;

    // Several nodes: leases from `table` (must outlive this). `now` is the monotonic clock (tests step it).
    ownership(lease_table& table, ownership_settings s, std::vector<std::string> clients, now_fn now = {});
    // One node: owns every client for good; run() returns at once.
    explicit ownership(std::vector<std::string> clients, std::string node = {});
    ownership(const ownership&) = delete;
    ownership& operator=(const ownership&) = delete;

    bool clustered() const noexcept { return table_ != nullptr; }
    const std::string& node() const noexcept { return cfg_.node; }
    std::chrono::milliseconds ttl() const noexcept { return cfg_.ttl; }
    // Whether this node may drive `client` now (lease held and locally valid).
    bool owns(std::string_view client) const;
    // The epoch to fence writes with, while owned.
    std::optional<std::int64_t> epoch(std::string_view client) const;
    std::vector<lease_view> snapshot() const;

    // Called on the executor's thread when a client is gained or lost. Set before run().
    void on_change(change_fn f) { on_change_ = std::move(f); }
    // A write for `client` was fenced by the database: drop it now (the next pass may take it again).
    void lost(std::string_view client);

    // One pass: renew what is due, drop what ran out, try to take what is not held.
    boost::asio::awaitable<void> pass();
    // Passes every settings.pass until cancelled; then gives up the leases held, so another
    // node takes over without waiting for them to expire.
    boost::asio::awaitable<void> run();

private:
    struct held {
        bool owned = false;
        std::int64_t epoch = 0;
        mono::time_point valid_until{};
        mono::time_point last_sent{};  // when the last successful grant or renewal was sent
    };
    mono::time_point now() const { return now_ ? now_() : mono::now(); }
    std::chrono::milliseconds margin() const { return cfg_.ttl / 5; }
    void set(const std::string& client, const held& h);
    void drop(const std::string& client, std::string_view why);

    lease_table* table_ = nullptr;
    ownership_settings cfg_;
    std::vector<std::string> clients_;
    now_fn now_;
    change_fn on_change_;
    mutable std::mutex mu_;
    std::map<std::string, held, std::less<>> held_;
};

}  // namespace agentd::cluster
