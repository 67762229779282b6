// cluster/ownership against an in-memory lease table with a stepped clock: two nodes never
// both believe they own a venue, a dead or paused owner's venues are taken over after the ttl,
// a lease taken over or fenced is dropped at once, a failing database keeps a lease only
// while the local view lasts, and a stop hands the venues over.
#include "agentd/cluster/ownership.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>

#include <map>

using namespace agentd;
using namespace agentd::cluster;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// The database: lease rows with expiry on the shared (stepped) clock, as the store keeps them.
struct fake_db {
    mono::time_point t{};
    struct row {
        std::string node;
        std::int64_t epoch = 0;
        mono::time_point expires{};
    };
    std::map<std::string, row> rows;
    bool down = false;
    int calls = 0;
};

class fake_table final : public lease_table {
public:
    fake_table(fake_db& db, std::string node, std::chrono::milliseconds ttl) : db_(db), node_(std::move(node)), ttl_(ttl) {}
    asio::awaitable<result<std::optional<std::int64_t>>> acquire(std::string client) override {
        ++db_.calls;
        if (db_.down) co_return fail(errc::unavailable, "database unreachable");
        auto& r = db_.rows[client];
        if (!r.node.empty() && r.node != node_ && r.expires > db_.t) co_return std::optional<std::int64_t>{};
        r.node = node_;
        ++r.epoch;
        r.expires = db_.t + ttl_;
        co_return std::optional<std::int64_t>{r.epoch};
    }
    asio::awaitable<result<bool>> renew(std::string client, std::int64_t epoch) override {
        ++db_.calls;
        if (db_.down) co_return fail(errc::unavailable, "database unreachable");
        auto& r = db_.rows[client];
        if (r.node != node_ || r.epoch != epoch) co_return false;
        r.expires = db_.t + ttl_;
        co_return true;
    }
    asio::awaitable<result<void>> release(std::string client, std::int64_t epoch) override {
        auto& r = db_.rows[client];
        if (r.node == node_ && r.epoch == epoch) r.expires = db_.t;
        co_return result<void>{};
    }

private:
    fake_db& db_;
    std::string node_;
    std::chrono::milliseconds ttl_;
};

void run_pass(ownership& o) {
    asio::io_context ioc;
    asio::co_spawn(ioc, o.pass(), asio::detached);
    ioc.run();
}

struct node {
    node(fake_db& db, std::string name, std::vector<std::string> clients, std::chrono::milliseconds ttl = 15s)
        : table(db, name, ttl), own(table, {name, ttl, 1s}, std::move(clients), [&db] { return db.t; }) {
        own.on_change([this](const std::string& c, bool gained) { (gained ? gains : losses).push_back(c); });
    }
    fake_table table;
    ownership own;
    std::vector<std::string> gains, losses;
};

}  // namespace

TEST_CASE("one node without leases owns every client and never loses one") {
    ownership o({"a", "b"}, "solo");
    CHECK_FALSE(o.clustered());
    CHECK(o.owns("a"));
    CHECK(o.owns("b"));
    CHECK_FALSE(o.owns("c"));
    o.lost("a");
    CHECK(o.owns("a"));
    run_pass(o);
    CHECK(o.owns("b"));
}

TEST_CASE("the first node takes every free venue; a second node takes none while the first renews") {
    fake_db db;
    node a(db, "a", {"v1", "v2"}), b(db, "b", {"v1", "v2"});
    run_pass(a.own);
    run_pass(b.own);
    CHECK(a.own.owns("v1"));
    CHECK(a.own.owns("v2"));
    CHECK_FALSE(b.own.owns("v1"));
    CHECK(a.gains == std::vector<std::string>{"v1", "v2"});
    CHECK(b.gains.empty());
    // An hour of passes a second apart: a keeps renewing, b never gets in.
    for (int i = 0; i < 3600; ++i) {
        db.t += 1s;
        run_pass(a.own);
        run_pass(b.own);
        REQUIRE(a.own.owns("v1"));
        REQUIRE_FALSE(b.own.owns("v1"));
    }
    CHECK(a.losses.empty());
    CHECK(a.own.epoch("v1") == std::optional<std::int64_t>{1});
}

TEST_CASE("a crashed or paused owner's venues move within ttl + one pass, and the two views never overlap") {
    fake_db db;
    node a(db, "a", {"v"}), b(db, "b", {"v"});
    run_pass(a.own);
    REQUIRE(a.own.owns("v"));
    const auto stopped = db.t;
    bool both = false;
    std::optional<mono::duration> takeover;
    // a stops passing (SIGKILL or SIGSTOP); b passes every second.
    for (int ms = 0; ms < 40'000; ms += 100) {
        db.t += 100ms;
        if (ms % 1000 == 0) run_pass(b.own);
        both = both || (a.own.owns("v") && b.own.owns("v"));
        if (!takeover && b.own.owns("v")) takeover = db.t - stopped;
    }
    CHECK_FALSE(both);
    REQUIRE(takeover);
    CHECK(*takeover <= 15s + 1s + 100ms);
    CHECK(*takeover >= 15s);
    CHECK(b.gains == std::vector<std::string>{"v"});
    // a wakes up (SIGCONT): its view had already run out, so it sends nothing; its pass drops
    // the venue and cannot take it back.
    CHECK_FALSE(a.own.owns("v"));
    CHECK_FALSE(a.own.epoch("v"));
    run_pass(a.own);
    CHECK(a.losses == std::vector<std::string>{"v"});
    CHECK_FALSE(a.own.owns("v"));
    CHECK(b.own.owns("v"));
    CHECK(b.own.epoch("v") == std::optional<std::int64_t>{2});
}

TEST_CASE("a renewal refused because the lease was taken over drops the venue at once") {
    fake_db db;
    node a(db, "a", {"v"});
    run_pass(a.own);
    REQUIRE(a.own.owns("v"));
    // Another node took it (say after the database lost a's renewal in a failover).
    db.rows["v"] = {"b", 7, db.t + 15s};
    db.t += 5s;
    run_pass(a.own);
    CHECK_FALSE(a.own.owns("v"));
    CHECK(a.losses == std::vector<std::string>{"v"});
}

TEST_CASE("an unreachable database keeps the lease only while the local view lasts, then it is retaken") {
    fake_db db;
    node a(db, "a", {"v"});
    run_pass(a.own);
    REQUIRE(a.own.owns("v"));
    db.down = true;
    for (int s = 1; s <= 11; ++s) {
        db.t += 1s;
        run_pass(a.own);
        REQUIRE(a.own.owns("v"));  // 15 s ttl - 3 s margin
    }
    db.t += 1s;
    CHECK_FALSE(a.own.owns("v"));
    run_pass(a.own);
    CHECK(a.losses == std::vector<std::string>{"v"});
    db.down = false;
    db.t += 1s;
    run_pass(a.own);
    CHECK(a.own.owns("v"));
    CHECK(a.own.epoch("v") == std::optional<std::int64_t>{2});
    CHECK(a.gains == std::vector<std::string>{"v", "v"});
}

TEST_CASE("a fenced write drops the venue at once; the next pass takes it with a new epoch") {
    fake_db db;
    node a(db, "a", {"v"});
    run_pass(a.own);
    a.own.lost("v");
    CHECK_FALSE(a.own.owns("v"));
    CHECK(a.losses == std::vector<std::string>{"v"});
    a.own.lost("v");
    CHECK(a.losses.size() == 1);  // dropped once
    run_pass(a.own);
    CHECK(a.own.epoch("v") == std::optional<std::int64_t>{2});
}

TEST_CASE("renewals are sent every ttl/3, not every pass") {
    fake_db db;
    node a(db, "a", {"v"});
    run_pass(a.own);
    const int after_grant = db.calls;
    for (int s = 0; s < 15; ++s) {
        db.t += 1s;
        run_pass(a.own);
    }
    CHECK(db.calls - after_grant == 3);
}

TEST_CASE("stopping the loop hands the venues over without waiting for the ttl") {
    fake_db db;
    node a(db, "a", {"v"}), b(db, "b", {"v"});
    asio::io_context ioc;
    asio::cancellation_signal stop;
    bool done = false;
    asio::co_spawn(ioc, a.own.run(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) { done = true; }));
    asio::steady_timer t(ioc);
    t.expires_after(50ms);
    t.async_wait([&](boost::system::error_code) { stop.emit(asio::cancellation_type::terminal); });
    ioc.run();
    REQUIRE(done);
    CHECK(a.gains == std::vector<std::string>{"v"});
    CHECK(a.losses == std::vector<std::string>{"v"});
    CHECK_FALSE(a.own.owns("v"));
    run_pass(b.own);  // no time has passed on the database clock
    CHECK(b.own.owns("v"));
}
