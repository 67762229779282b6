// store/notify: wake-ups between nodes sharing a PostgreSQL database (LISTEN/NOTIFY). A write
// job calls notify(); the notification is delivered to every listener when the job's batch
// commits (never for a batch that rolled back). A listener is its own connection; its fd()
// becomes readable when notifications may be waiting, and drain() collects them without
// blocking. Wake-ups only: a lost connection loses notifications, so whoever listens keeps a
// periodic rescan as the safety net.
// On SQLite (one node) notify() does nothing and a listener never fires (fd() is -1).
// Threading: notify() on the writer thread (inside a job); a listener belongs to one thread.
#pragma once

#include "agentd/core/error.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store {

class write_txn;

// channel: a plain identifier (letters, digits, '_'), e.g. "agentd_work".
result<void> notify(write_txn& t, std::string_view channel, std::string_view payload = {});

struct notification {
    std::string channel;
    std::string payload;
};

class listener {
public:
    // Opens a connection to `database` and LISTENs on every channel. On a SQLite path it
    // succeeds with a listener that never fires.
    static result<listener> open(const std::string& database, const std::vector<std::string>& channels);
    listener(listener&&) noexcept;
    listener& operator=(listener&&) noexcept;
    ~listener();

    // The connection's socket, to wait on for readability; -1 on SQLite. It changes after a
    // reconnect (drain() reconnects a lost connection and says so with errc::unavailable once).
    int fd() const noexcept;
    // Reads what arrived, without blocking.
    result<std::vector<notification>> drain();

    struct impl;

private:
    listener() = default;
    std::unique_ptr<impl> impl_;
};

}  // namespace agentd::store
