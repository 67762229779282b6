// net/task_group: owns long-lived coroutines (sessions, loops). Each spawned task gets its own
// cancellation signal; `cancel()` emits it to every live task and `wait()` completes when the
// group is empty, so shutdown is "cancel, then await with a bound" and nothing is detached.
// An exception escaping a task is logged once (subsystem "net", op "task") and swallowed.
// Threading: use from the executor's single thread only (one io_context thread).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <list>
#include <string>

namespace agentd::net {

class task_group {
public:
    explicit task_group(boost::asio::any_io_executor ex);
    ~task_group();
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;

    // Starts `task` on the group's executor. `name` appears in the log if it throws.
    void spawn(boost::asio::awaitable<void> task, std::string name);

    // Asks every live task to stop (cancellation of its pending operation).
    void cancel(boost::asio::cancellation_type type = boost::asio::cancellation_type::terminal);

    // Completes when no task is left. Cancelling the waiter only stops the wait.
    boost::asio::awaitable<void> wait();
    // Like wait() but gives up at `deadline`; true when the group is empty.
    boost::asio::awaitable<bool> wait_until(boost::asio::steady_timer::time_point deadline);

    std::size_t size() const noexcept { return tasks_.size(); }

private:
    struct entry;
    void finished(std::list<entry>::iterator it);

    boost::asio::any_io_executor ex_;
    std::list<entry> tasks_;
    std::list<boost::asio::steady_timer*> waiters_;
};

}  // namespace agentd::net
