// store/database: the database's single writer. SQLite: opening takes an exclusive lock on
// "<path>.lock" (one agentd per database), makes the database, -wal, -shm and lock files
// private (0600, whatever the umask), sets the PRAGMAs, runs the migrations and starts the
// writer thread, which owns the only write connection. Callers submit jobs; the writer drains
// what is queued, runs each job inside its own SAVEPOINT (a failing job rolls back only
// itself), commits the batch once (group commit) and then completes every job on the writer
// thread. Every job submitted while a batch commits joins the next one, so under concurrent
// load one fsync carries many jobs (writer_stats counts commits by jobs carried). A batch commits with synchronous=FULL when any of its jobs is durable, else NORMAL.
// PostgreSQL ("postgresql://" path): no lock file (many nodes share the database); one writer
// connection per process; BEGIN, SAVEPOINT per job, COMMIT as above, with synchronous_commit on
// for a durable batch and off otherwise.
// With housekeeping enabled the writer also runs bounded retention passes by itself
// (store/housekeeping.hpp), each in its own small transaction between batches.
// The store does not depend on Asio: completions are plain callbacks; a coroutine awaits a job
// through store/await_job.hpp, which posts the outcome back to its executor.
// Threading: submit/submit_wait/stats/close are thread-safe. Jobs and completions run on the
// writer thread and must not block on other jobs (submit_wait from a job is refused).
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/store/housekeeping.hpp"
#include "agentd/store/sqlite.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace agentd::store {

struct database_options {
    std::string path;  // a SQLite file, or a "postgresql://" URL (store/sqlite.hpp is_postgresql_url)
    std::size_t queue_limit = 10000;  // jobs waiting; beyond it submit fails with errc::unavailable
    std::size_t max_batch = 512;      // jobs per commit at most
    std::chrono::milliseconds busy_timeout{5000};
    std::int64_t cache_size_kib = 64 * 1024;
    housekeeping_options housekeeping{};  // off unless a retention is set
};

struct job_options {
    bool durable = false;  // commit with synchronous=FULL (acknowledged reservation transitions)
};

// The write transaction a job runs in; valid only during the job.
class write_txn {
public:
    connection& conn() noexcept { return conn_; }
    result<statement> prepare(std::string_view name, std::string_view sql) { return conn_.prepare(name, sql); }
    result<void> exec(std::string_view sql, std::string_view name) { return conn_.exec(sql, name); }
    bool durable() const noexcept { return durable_; }

private:
    friend class database;
    write_txn(connection& c, bool durable) : conn_(c), durable_(durable) {}
    connection& conn_;
    bool durable_;
};

// Commits by the number of jobs they carried: 1, 2-3, 4-7, 8-15, 16-63, 64 or more.
inline constexpr std::size_t k_commit_size_buckets = 6;
inline constexpr std::array<const char*, k_commit_size_buckets> k_commit_size_labels{"1", "2-3", "4-7", "8-15", "16-63", "64+"};

struct writer_stats {
    std::uint64_t jobs = 0;             // completed jobs (ok or failed)
    std::uint64_t failed_jobs = 0;      // jobs whose outcome was an error
    std::uint64_t commits = 0;          // successful batch commits
    std::uint64_t durable_commits = 0;  // of which with synchronous=FULL
    std::uint64_t failed_commits = 0;
    std::uint64_t committed_jobs = 0;   // jobs carried by successful commits
    std::array<std::uint64_t, k_commit_size_buckets> commits_by_size{};  // see k_commit_size_labels
    double commit_seconds = 0;          // summed time in COMMIT itself (the fsync of a durable batch)
    // Durable jobs, from submit to the moment their outcome is delivered: queueing behind the
    // batch in flight, their own batch and its commit. What an acknowledgement waits for.
    std::uint64_t durable_waits = 0;
    double durable_wait_seconds = 0;
    std::uint64_t housekeeping_passes = 0;  // retention passes run (each one transaction)
    std::uint64_t pruned_rows = 0;          // feed and history rows they deleted
    std::size_t queued = 0;             // waiting right now
};

class database {
public:
    // Locks, opens (creating the file if needed), configures, migrates and starts the writer.
    // Errors: errc::conflict when another agentd holds the lock or the schema is newer than
    // this binary; errc::io_error / errc::corrupt when the file cannot be used.
    static result<std::unique_ptr<database>> open(database_options o);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    // Queues `job`; `done` later receives its outcome on the writer thread: the job's own
    // result if the batch committed, else the commit error. Fails at once with
    // errc::unavailable when the queue is full or the database is closing.
    template <class R>
    result<void> submit(std::function<result<R>(write_txn&)> job, std::function<void(result<R>)> done,
                        job_options opts = {});
    // Blocking convenience for tools and tests: submit and wait for the outcome.
    template <class R>
    result<R> submit_wait(std::function<result<R>(write_txn&)> job, job_options opts = {});

    // Stops accepting jobs, finishes those queued, stops the writer, closes the connection and
    // releases the lock. Idempotent; the destructor calls it. Called from a completion it only
    // stops intake; the database must not be destroyed on the writer thread.
    void close();

    writer_stats stats() const;
    // Batches committed so far: raised after each COMMIT, before the batch's jobs complete, so
    // a reader that sees it unchanged has seen every change. Lock-free, for polling per request.
    std::uint64_t commit_count() const noexcept { return commits_.load(std::memory_order_acquire); }
    const std::string& path() const noexcept { return opts_.path; }
    // Migrations applied by open() (0 when the database was already current).
    int migrations_applied() const noexcept { return migrations_applied_; }

private:
    struct job {
        bool durable = false;
        std::chrono::steady_clock::time_point submitted{};
        std::function<result<void>(write_txn&)> run;
        std::function<void(const error* instead)> complete;  // nullptr: deliver the job's own outcome
    };

    explicit database(database_options o) : opts_(std::move(o)) {}
    result<void> enqueue(job j);
    bool on_writer_thread() const noexcept { return std::this_thread::get_id() == writer_id_; }
    void run_loop();
    void run_batch(std::deque<job>& batch);
    // Runs one of the writer's own statements (BEGIN, SAVEPOINT, RELEASE, COMMIT...). SQLite
    // would parse their text on every sqlite3_exec, several times per job; they are prepared
    // once under `name` instead.
    result<void> control(std::string_view name, std::string_view sql);
    // One retention pass as a batch of its own; returns when the next one is due.
    std::chrono::steady_clock::time_point run_housekeeping();

    database_options opts_;
    std::string display_;  // the path, or the URL without its password, for logs and errors
    int lock_fd_ = -1;
    int migrations_applied_ = 0;
    connection conn_;  // used only by the writer thread once it runs
    bool synchronous_full_ = false;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<job> queue_;
    bool closing_ = false;
    std::thread thread_;
    std::thread::id writer_id_;  // set once in open(), before the database is shared
    std::mutex close_mu_;

    std::atomic<std::uint64_t> jobs_{0}, failed_jobs_{0}, commits_{0}, durable_commits_{0}, failed_commits_{0};
    std::atomic<std::uint64_t> housekeeping_passes_{0}, pruned_rows_{0};
    std::atomic<std::uint64_t> committed_jobs_{0}, commit_ns_{0}, durable_waits_{0}, durable_wait_ns_{0};
    std::array<std::atomic<std::uint64_t>, k_commit_size_buckets> commits_by_size_{};
};

template <class R>
result<void> database::submit(std::function<result<R>(write_txn&)> fn, std::function<void(result<R>)> done,
                              job_options opts) {
    auto out = std::make_shared<std::optional<result<R>>>();
    job j;
    j.durable = opts.durable;
    j.run = [fn = std::move(fn), out](write_txn& t) -> result<void> {
        out->emplace(fn(t));
        if (!out->value().has_value()) return out->value().error();
        return {};
    };
    j.complete = [done = std::move(done), out](const error* batch_error) {
        if (batch_error) done(result<R>(*batch_error));
        else done(std::move(out->value()));
    };
    return enqueue(std::move(j));
}

template <class R>
result<R> database::submit_wait(std::function<result<R>(write_txn&)> fn, job_options opts) {
    if (on_writer_thread()) return fail(errc::internal, "submit_wait: called from the writer thread");
    auto p = std::make_shared<std::promise<result<R>>>();
    auto f = p->get_future();
    auto r = submit<R>(std::move(fn), [p](result<R> v) { p->set_value(std::move(v)); }, opts);
    if (!r) return r.error();
    return f.get();
}

}  // namespace agentd::store
