// store/feed: the change feed (table `feed`) and the `meta` key/value table. Rows are appended
// inside a write job, so a change and its feed entry commit together; readers page through
// them with since(seq). Threading: as the connection or write_txn passed in.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agentd::store {

class connection;
class write_txn;

struct feed_entry {
    std::int64_t seq = 0;  // assigned by append_feed
    std::string at;        // ISO 8601 UTC with 'Z' (core/time format_iso_utc_ms)
    std::string kind;
    std::optional<std::string> client;
    std::optional<std::string> entity;
    std::string payload;  // JSON object text
};

inline constexpr std::size_t k_max_feed_page = 10000;

// Appends one entry in the job's transaction; returns its seq. `at`, `kind` and `payload`
// must be non-empty (errc::invalid_argument).
result<std::int64_t> append_feed(write_txn& t, const feed_entry& e);
// Entries with seq > after_seq, oldest first, at most min(limit, k_max_feed_page).
result<std::vector<feed_entry>> feed_since(connection& c, std::int64_t after_seq, std::size_t limit);
// Highest seq ever assigned (0 when none), counting entries since deleted.
result<std::int64_t> feed_last_seq(connection& c);

result<void> meta_set(write_txn& t, std::string_view key, std::string_view value);
result<std::optional<std::string>> meta_get(connection& c, std::string_view key);

}  // namespace agentd::store
