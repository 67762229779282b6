// store/reader: a read-only connection (query_only) for one thread. Cheap to open; under WAL
// a reader never blocks the writer and sees the last committed state at each statement.
// Refuses a database whose schema is newer than this binary.
// Threading: one reader per thread; not thread-safe itself.
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/store/sqlite.hpp"

#include <chrono>
#include <string>

namespace agentd::store {

struct reader_options {
    std::chrono::milliseconds busy_timeout{5000};
    // SQLite's own default. A reader's page cache is dropped whenever another connection has
    // committed since its last read, which the sync does with every poll, so a larger one
    // buys little (the answer cache keeps repeated answers) but holds on to memory: at 16 MiB
    // each, the readers' caches added ~11 MiB to venue300's peak while every seat plan was read.
    std::int64_t cache_size_kib = 2 * 1024;
};

class reader {
public:
    static result<reader> open(const std::string& path, reader_options o = {});

    connection& conn() noexcept { return conn_; }
    result<statement> prepare(std::string_view name, std::string_view sql) { return conn_.prepare(name, sql); }
    // The database's schema version at open.
    int schema_version() const noexcept { return schema_version_; }

private:
    connection conn_;
    int schema_version_ = 0;
};

}  // namespace agentd::store
