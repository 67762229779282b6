// store/lease: venue ownership between agentd nodes sharing one database (table venue_lease).
// A node holds a client (venue) while its lease row names it and has not expired; every
// acquisition raises the row's epoch, so a write job that checks (client, node, epoch) in its
// own transaction (check_fence) cannot commit after another node took the venue over. All
// times are the database's clock (PostgreSQL now(); SQLite's 'now'), never the node's, so
// clock skew between nodes does not matter. On SQLite there is one node: the same functions
// work and that node simply always wins.
// Threading: as the write_txn or connection passed in (the writer thread, a reader's thread).
#pragma once

#include "agentd/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store {

class connection;
class write_txn;

struct lease_row {
    std::string client;
    std::string node;
    std::int64_t epoch = 0;
    std::string expires_at;  // ISO 8601 UTC with 'Z', millisecond precision, database clock
    bool live = false;       // expires_at is still in the future (database clock, at the read)
};

// Takes `client` for `node` when the lease is free, expired or already node's own; returns the
// new epoch (raised on every successful acquisition, renewal of one's own included), or
// nullopt when another node holds a live lease. Commits with synchronous_commit on
// (PostgreSQL), whatever the job's options, so a granted lease survives a failover.
result<std::optional<std::int64_t>> acquire_lease(write_txn& t, std::string_view client, std::string_view node,
                                                  std::chrono::milliseconds ttl);
// Extends node's lease of `client` at `epoch` to now + ttl. false: the lease is no longer
// node's at that epoch (taken over, or expired and re-acquired by someone): stop driving.
// A lease that expired but that nobody took is renewed (true).
result<bool> renew_lease(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch,
                         std::chrono::milliseconds ttl);
// Gives the lease up (expires it now) if node still holds it at epoch; no error otherwise.
result<void> release_lease(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch);
// Every lease row, by client (agentctl status).
result<std::vector<lease_row>> list_leases(connection& c);
// Fencing: succeeds when node holds a live lease of client at epoch, in this transaction
// (PostgreSQL: FOR SHARE, so a concurrent takeover waits for this commit). Otherwise an
// errc::conflict error saying "fenced: node ..." (is_fenced() tells it apart, wrapped or not).
result<void> check_fence(write_txn& t, std::string_view client, std::string_view node, std::int64_t epoch);
bool is_fenced(const error& e) noexcept;

}  // namespace agentd::store
