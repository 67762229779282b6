// store/admin: read-only inspection for `agentctl db stats` and `agentctl db check`. Both open
// their own read-only connection, so they are safe to run next to a live agentd.
// Threading: plain functions, any thread.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace agentd::store {

struct db_stats {
    int user_version = 0;
    int binary_version = 0;  // what this binary would migrate to
    std::int64_t page_size = 0;
    std::int64_t page_count = 0;
    std::int64_t freelist_count = 0;
    std::uint64_t file_bytes = 0;  // main database file
    std::uint64_t wal_bytes = 0;   // "-wal" file, 0 when absent
    std::vector<std::pair<std::string, std::int64_t>> tables;  // row count per table, by name
};

result<db_stats> stats(const std::string& path);

struct integrity_report {
    bool ok = false;
    std::vector<std::string> problems;  // from PRAGMA integrity_check and foreign_key_check
};

result<integrity_report> integrity_check(const std::string& path);

}  // namespace agentd::store
