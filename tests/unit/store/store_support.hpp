// Helpers shared by the store unit tests. Single-threaded use unless noted. The suite runs
// twice: unit_store on SQLite, unit_store_pg on PostgreSQL (tests/support/test_database.hpp);
// cases about SQLite itself are in test suite "sqlite", which unit_store_pg leaves out.
#pragma once

#include "agentd/store/database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_database.hpp"

#include <doctest/doctest.h>

#include <future>

namespace agentd::store::test_support {

inline std::unique_ptr<database> open_db(const std::string& path, std::size_t queue_limit = 10000) {
    database_options o;
    o.path = path;
    o.queue_limit = queue_limit;
    auto db = database::open(o);
    REQUIRE_MESSAGE(db.has_value(), (db.has_value() ? "" : db.error().message));
    return std::move(*db);
}

// Holds the writer inside a job until open() is called, so the test can queue more jobs and
// know they will form the next batch. Thread-safe.
struct gate {
    std::promise<void> release;
    std::shared_future<void> opened = release.get_future().share();
    std::atomic<bool> entered{false};

    void submit_to(database& db) {
        auto r = db.submit<int>([this](write_txn&) -> result<int> {
            entered = true;
            opened.wait();  // the test releases it once its jobs are queued
            return 0;
        }, [](result<int>) {});
        REQUIRE(r.has_value());
        REQUIRE(test::wait_until([&] { return entered.load(); }, std::chrono::seconds(10)));
    }
    void open() { release.set_value(); }
};

}  // namespace agentd::store::test_support
