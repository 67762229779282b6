// bench/baselines: the physical limits each figure is compared with, measured in the same run —
// a bare Beast HTTP server on a Unix socket, SQLite durable single-row commits, SQLite batched
// seat-status upserts, RapidJSON DOM parsing. Threading: beast_baseline runs its own thread;
// the functions block the caller.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace bench {

// One-thread Beast server answering every request with the same 1 KB JSON body, keep-alive.
class beast_baseline {
public:
    explicit beast_baseline(std::string socket_path);
    ~beast_baseline();
    const std::string& socket_path() const noexcept { return path_; }

private:
    struct impl;
    std::string path_;
    std::unique_ptr<impl> impl_;
};

// Single-row INSERT transactions with WAL + synchronous=FULL in `dir` for `seconds`: commits/s.
double sqlite_durable_commits_per_second(const std::string& dir, double seconds);

// Batched upserts of seat-status rows (WAL + NORMAL, `batch` rows per transaction) that change
// every row each round: rows written per second. `instances` × `seats` rows, `rounds` rounds.
double sqlite_seat_upserts_per_second(const std::string& dir, int instances, int seats, int rounds);

// RapidJSON DOM parse of the documents, MB/s (over `passes` passes).
double rapidjson_mb_per_second(const std::vector<std::string>& docs, int passes);

}  // namespace bench
