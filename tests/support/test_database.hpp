// Which store engine a test suite runs on, and a fresh database for each test. A suite runs on
// PostgreSQL when AGENTD_TEST_PG_URL names a cluster (ctest sets it for the *_pg suites, whose
// fixture starts one with tests/support/pg_cluster); each database is then a new schema of it,
// so tests share the cluster but never each other's tables. Otherwise a SQLite file.
// Header-only; the including test links agentd::store. Threading: any thread (a mutex guards
// the memo).
#pragma once

#include "agentd/store/sqlite.hpp"

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace agentd::test {

inline std::string pg_cluster_url() {
    const char* u = std::getenv("AGENTD_TEST_PG_URL");
    return u ? std::string(u) : std::string();
}

inline bool on_postgresql() { return !pg_cluster_url().empty(); }

// The database for `file` (a SQLite path): the path itself on SQLite; on PostgreSQL the URL
// of a schema made for it on first use (the same URL for the same path after that).
inline std::string database_for(const std::string& file) {
    const std::string cluster = pg_cluster_url();
    if (cluster.empty()) return file;
    static std::mutex mu;
    static std::map<std::string, std::string> made;
    static std::atomic<int> next{0};
    std::lock_guard lk(mu);
    if (auto it = made.find(file); it != made.end()) return it->second;
    const std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(next++);
    // Thrown, not asserted: the harness (also built into bench_agentd) has no doctest; a test
    // reports the exception as its failure.
    auto c = store::connection::open(cluster, store::connection::open_mode::read_write);
    if (!c) throw std::runtime_error("test database: " + c.error().message);
    auto r = c->exec("CREATE SCHEMA " + schema, "create test schema");
    if (!r) throw std::runtime_error("test database: " + r.error().message);
    std::string url = cluster + (cluster.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
    made.emplace(file, url);
    return url;
}

}  // namespace agentd::test
