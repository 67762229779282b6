// store/pragmas: internal to store. The one place connection settings are chosen, so the
// writer, readers and tools cannot drift apart. Threading: call on the connection's thread.
#pragma once

#include "agentd/core/error.hpp"

#include <chrono>
#include <cstdint>

namespace agentd::store {

class connection;

enum class connection_role { writer, reader };

struct pragma_options {
    std::chrono::milliseconds busy_timeout{5000};
    std::int64_t cache_size_kib = 64 * 1024;  // the mirror is read hot; SQLite's default is 2 MiB
};

// PostgreSQL: nothing to set (see store/postgres.cpp); the writer refuses a server older than 15
// and a database whose collation is not C. SQLite writer: journal_mode=WAL (verified), synchronous=NORMAL (FULL is set per durable batch),
// foreign_keys=ON, busy_timeout, cache_size. reader: busy_timeout, cache_size, foreign_keys=ON,
// query_only=ON.
result<void> apply_pragmas(connection& c, connection_role role, const pragma_options& o);

}  // namespace agentd::store
