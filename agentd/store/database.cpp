#include "agentd/store/database.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/pragmas.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace agentd::store {
namespace {

// The database holds every channel's reservations and end customers, and the channels are
// local users: its files are for agentd alone whatever umask it was started with.
constexpr mode_t k_private = 0600;

// Makes an open file private, tightening one an older agentd (or another umask) left readable.
result<void> make_private(int fd, const std::string& path, const std::string& db_path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return fail(errc::io_error, "open database " + db_path + ": cannot stat " + path + ": " + std::strerror(errno));
    if ((st.st_mode & 07777) == k_private) return {};
    if (::fchmod(fd, k_private) != 0)
        return fail(errc::io_error, "open database " + db_path + ": cannot make " + path + " private (chmod 600): " +
                                        std::strerror(errno));
    if (st.st_size > 0) {
        char old[8];
        std::snprintf(old, sizeof old, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        log::warn("store", "open", "database file had a wider mode; made it private (0600)",
                  {{"path", path}, {"old_mode", old}});
    }
    return {};
}

// Creates the database file 0600 before SQLite opens it: SQLite creates a new file 0644 less
// the umask, and gives the -wal and -shm files it creates the main file's mode, so a private
// main file makes all three private. A -wal or -shm that already exists keeps its mode in
// SQLite, so those are tightened here too.
result<void> prepare_files(const std::string& db_path) {
    for (const std::string suffix : {"", "-wal", "-shm"}) {
        const std::string path = db_path + suffix;
        const int create = suffix.empty() ? O_CREAT : 0;
        int fd = ::open(path.c_str(), O_RDWR | create | O_CLOEXEC | O_NOCTTY, k_private);
        if (fd < 0) {
            if (!create && errno == ENOENT) continue;
            return fail(errc::io_error, "open database " + db_path + ": cannot open " + path + ": " + std::strerror(errno));
        }
        auto r = make_private(fd, path, db_path);
        ::close(fd);
        if (!r) return r;
    }
    return {};
}

// Takes an exclusive, non-blocking flock on "<db>.lock" and records our pid in it. The kernel
// drops the lock when the process dies, so a crash never leaves a stale lock behind.
result<int> take_lock(const std::string& db_path) {
    const std::string path = db_path + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, k_private);
    if (fd < 0) return fail(errc::io_error, "open database " + db_path + ": cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = {};
        auto n = ::pread(fd, buf, sizeof buf - 1, 0);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
            while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
            return fail(errc::conflict, "database " + db_path + " is in use by another agentd (pid " + pid + ")");
        }
        return fail(errc::io_error, "open database " + db_path + ": cannot lock " + path + ": " + std::strerror(err));
    }
    if (auto r = make_private(fd, path, db_path); !r) {
        ::close(fd);
        return r.error();
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        int err = errno;
        ::close(fd);
        return fail(errc::io_error, "open database " + db_path + ": cannot write " + path + ": " + std::strerror(err));
    }
    return fd;
}

std::uint64_t nanoseconds_since(std::chrono::steady_clock::time_point t) {
    auto d = std::chrono::steady_clock::now() - t;
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
}

// Index into k_commit_size_labels.
std::size_t size_bucket(std::size_t jobs) {
    if (jobs <= 1) return 0;
    if (jobs < 4) return 1;
    if (jobs < 8) return 2;
    if (jobs < 16) return 3;
    if (jobs < 64) return 4;
    return 5;
}

}  // namespace

result<std::unique_ptr<database>> database::open(database_options o) {
    if (o.path.empty()) return fail(errc::invalid_argument, "open database: empty path");
    if (o.queue_limit == 0 || o.max_batch == 0) return fail(errc::invalid_argument, "open database: zero queue_limit or max_batch");
    std::unique_ptr<database> db(new database(std::move(o)));
    db->display_ = redact_database(db->opts_.path);
    // PostgreSQL: many nodes share the database; there is no file to lock or protect.
    // Each writing job takes a subtransaction (its savepoint); past 64 in one transaction
    // PostgreSQL's per-backend cache overflows and every other session's snapshots slow down.
    if (is_postgresql_url(db->opts_.path)) {
        db->opts_.max_batch = std::min<std::size_t>(db->opts_.max_batch, 64);
    } else {
        auto fd = take_lock(db->opts_.path);
        if (!fd) return fd.error();
        db->lock_fd_ = *fd;  // released by the destructor on every failure path below
        // Under the lock: the -wal and -shm files belong to no other process now.
        if (auto r = prepare_files(db->opts_.path); !r) return r.error();
    }

    auto c = connection::open(db->opts_.path, connection::open_mode::read_write_create);
    if (!c) return c.error();
    db->conn_ = std::move(*c);
    pragma_options p{db->opts_.busy_timeout, db->opts_.cache_size_kib};
    if (auto r = apply_pragmas(db->conn_, connection_role::writer, p); !r) return r.error().wrap("open database");
    auto applied = migrate(db->conn_);
    if (!applied) return applied.error();
    db->migrations_applied_ = *applied;
    db->thread_ = std::thread([raw = db.get()] {
        // Named, so `top -H` and the benchmark's per-thread CPU tell the writer from the rest.
        ::pthread_setname_np(::pthread_self(), "agentd-writer");
        raw->run_loop();
    });
    db->writer_id_ = db->thread_.get_id();
    log::info("store", "open", "database open",
              {{"path", db->display_},
               {"engine", db->conn_.is_postgresql() ? "postgresql" : "sqlite"},
               {"schema_version", binary_schema_version()},
               {"migrations_applied", *applied}});
    return db;
}

database::~database() { close(); }

void database::close() {
    {
        std::lock_guard lk(mu_);
        closing_ = true;
    }
    cv_.notify_all();
    // From a completion the writer cannot join itself: it stops after draining, and the owner
    // (on another thread) joins it. Decided before close_mu_, which that owner may be holding
    // while it joins this very thread.
    if (on_writer_thread()) return;
    std::lock_guard close_lock(close_mu_);
    if (thread_.joinable()) thread_.join();
    conn_.close();
    if (lock_fd_ >= 0) {
        ::close(lock_fd_);
        lock_fd_ = -1;
    }
}

result<void> database::enqueue(job j) {
    {
        std::lock_guard lk(mu_);
        if (closing_)
            return fail(errc::unavailable, "submit to database " + display_ + ": closing");
        if (queue_.size() >= opts_.queue_limit)
            return fail(errc::unavailable, "submit to database " + display_ + ": write queue full (" +
                                               std::to_string(opts_.queue_limit) + " jobs)");
        j.submitted = std::chrono::steady_clock::now();
        queue_.push_back(std::move(j));
    }
    cv_.notify_one();
    return {};
}

writer_stats database::stats() const {
    writer_stats s;
    s.jobs = jobs_.load();
    s.failed_jobs = failed_jobs_.load();
    s.commits = commits_.load();
    s.durable_commits = durable_commits_.load();
    s.failed_commits = failed_commits_.load();
    s.housekeeping_passes = housekeeping_passes_.load();
    s.pruned_rows = pruned_rows_.load();
    s.committed_jobs = committed_jobs_.load();
    for (std::size_t i = 0; i < k_commit_size_buckets; ++i) s.commits_by_size[i] = commits_by_size_[i].load();
    s.commit_seconds = double(commit_ns_.load()) / 1e9;
    s.durable_waits = durable_waits_.load();
    s.durable_wait_seconds = double(durable_wait_ns_.load()) / 1e9;
    std::lock_guard lk(mu_);
    s.queued = queue_.size();
    return s;
}

void database::run_loop() {
    using steady = std::chrono::steady_clock;
    const bool housekeeping = opts_.housekeeping.enabled();
    // The first pass comes soon after start, so a daemon that restarts often still prunes.
    auto next_pass = steady::now() + opts_.housekeeping.backlog_pause;
    std::deque<job> batch;
    for (;;) {
        bool pass_due = false;
        {
            std::unique_lock lk(mu_);
            auto ready = [&] { return !queue_.empty() || closing_; };
            if (housekeeping) pass_due = !cv_.wait_until(lk, next_pass, ready) || steady::now() >= next_pass;
            else cv_.wait(lk, ready);
            if (closing_ && queue_.empty()) return;  // closing and drained
            // A due pass runs before the next batch: it is small, and it must not starve
            // under a steady stream of jobs.
            if (!pass_due) {
                while (!queue_.empty() && batch.size() < opts_.max_batch) {
                    batch.push_back(std::move(queue_.front()));
                    queue_.pop_front();
                }
            }
        }
        if (pass_due) {
            next_pass = run_housekeeping();
            continue;
        }
        run_batch(batch);
        batch.clear();
    }
}

std::chrono::steady_clock::time_point database::run_housekeeping() {
    const auto& o = opts_.housekeeping;
    const agentd::clock& clk = o.clock ? *o.clock : system_clock::instance();
    std::optional<result<housekeeping_report>> outcome;
    std::deque<job> one;
    job j;
    j.run = [&](write_txn& t) -> result<void> {
        outcome.emplace(housekeeping_pass(t, clk.now(), o));
        if (!*outcome) return outcome->error();
        return {};
    };
    j.complete = [&](const error* batch_error) {
        if (batch_error) outcome.emplace(*batch_error);
    };
    one.push_back(std::move(j));
    run_batch(one);
    ++housekeeping_passes_;
    if (!outcome || !*outcome) {
        log::warn("store", "housekeeping", "retention pass failed",
                  {{"error", outcome ? outcome->error().message : std::string("not run")}});
        return std::chrono::steady_clock::now() + o.interval;
    }
    const auto& rep = outcome->value();
    pruned_rows_ += rep.feed_rows + rep.history_rows;
    if (rep.feed_rows + rep.history_rows > 0)
        log::debug("store", "housekeeping", "pruned",
                   {{"feed_rows", rep.feed_rows}, {"history_rows", rep.history_rows}, {"more", rep.more}});
    return std::chrono::steady_clock::now() + (rep.more ? o.backlog_pause : o.interval);
}

result<void> database::control(std::string_view name, std::string_view sql) {
    // PostgreSQL: a round trip per statement either way; its parse is not what costs there.
    if (conn_.is_postgresql()) return conn_.exec(sql, name);
    auto st = conn_.prepare(name, sql);
    if (!st) return st.error();
    return st->run();
}

void database::run_batch(std::deque<job>& batch) {
    bool durable = false;
    for (const auto& j : batch) durable = durable || j.durable;

    // Per job: nullopt = its own outcome stands; otherwise the error it is completed with.
    std::vector<std::optional<error>> instead(batch.size());
    std::vector<bool> ok(batch.size(), false);

    std::optional<error> batch_error;
    const bool pg = conn_.is_postgresql();
    if (pg) {
        // synchronous_commit per transaction: on waits for the WAL flush (and for the
        // synchronous standby the cluster names, if any); off returns at once, like SQLite's
        // synchronous=NORMAL, and a later durable commit flushes it too.
        const char* begin = durable ? "BEGIN; SET LOCAL synchronous_commit = on" : "BEGIN; SET LOCAL synchronous_commit = off";
        if (auto r = conn_.exec(begin, "begin batch"); !r) batch_error = r.error();
    } else if (durable != synchronous_full_) {
        // synchronous cannot change inside a transaction; it is chosen per batch.
        auto r = durable ? control("writer.synchronous_full", "PRAGMA synchronous = FULL")
                         : control("writer.synchronous_normal", "PRAGMA synchronous = NORMAL");
        if (!r) batch_error = r.error();
        else synchronous_full_ = durable;
    }
    if (!batch_error && !pg)
        if (auto r = control("writer.begin", "BEGIN IMMEDIATE"); !r) batch_error = r.error();

    if (!batch_error) {
        write_txn txn(conn_, durable);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (auto r = control("writer.savepoint", "SAVEPOINT job"); !r) {
                batch_error = r.error();
                break;
            }
            result<void> outcome = fail(errc::internal, "write job: not run");
            try {
                outcome = batch[i].run(txn);
            } catch (const std::exception& e) {
                instead[i] = fail(errc::internal, std::string("write job: threw: ") + e.what());
                outcome = *instead[i];
            } catch (...) {
                instead[i] = fail(errc::internal, "write job: threw a non-standard exception");
                outcome = *instead[i];
            }
            if (!conn_.in_transaction()) {
                // SQLite rolled the whole transaction back (disk full, I/O error): nothing of
                // this batch survives, including earlier jobs' work.
                batch_error = fail(errc::unavailable, "write batch on " + display_ + ": transaction aborted" +
                                                          (outcome ? std::string() : ": " + outcome.error().message));
                break;
            }
            if (outcome) {
                ok[i] = true;
                if (auto r = control("writer.release", "RELEASE job"); !r) {
                    batch_error = r.error();
                    break;
                }
            } else if (auto r = control("writer.rollback_to", "ROLLBACK TO job"); !r) {
                batch_error = r.error();
                break;
            } else if (auto r2 = control("writer.release", "RELEASE job"); !r2) {
                batch_error = r2.error();
                break;
            }
        }
    }
    if (!batch_error) {
        const auto commit_start = std::chrono::steady_clock::now();
        if (auto r = control("writer.commit", "COMMIT"); !r) batch_error = r.error();
        commit_ns_ += nanoseconds_since(commit_start);
    }
    if (batch_error) {
        if (conn_.in_transaction()) (void)conn_.exec("ROLLBACK", "rollback batch");
        ++failed_commits_;
        log::error("store", "commit", "write batch failed", {{"jobs", batch.size()}, {"error", batch_error->message}});
        // Jobs never reached keep no outcome of their own; every job gets the batch error.
        for (std::size_t i = 0; i < batch.size(); ++i) instead[i] = *batch_error;
    } else {
        ++commits_;
        if (durable) ++durable_commits_;
        committed_jobs_ += batch.size();
        ++commits_by_size_[size_bucket(batch.size())];
    }

    for (std::size_t i = 0; i < batch.size(); ++i) {
        ++jobs_;
        if (instead[i] || !ok[i]) ++failed_jobs_;
        if (batch[i].durable) {
            ++durable_waits_;
            durable_wait_ns_ += nanoseconds_since(batch[i].submitted);
        }
        try {
            batch[i].complete(instead[i] ? &*instead[i] : nullptr);
        } catch (const std::exception& e) {
            log::error("store", "complete", "write completion threw", {{"error", e.what()}});
        } catch (...) {
            log::error("store", "complete", "write completion threw", {});
        }
    }
}

}  // namespace agentd::store
