#include "agentd/net/task_group.hpp"
#include "agentd/log/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

namespace agentd::net {

namespace asio = boost::asio;

struct task_group::entry {
    asio::cancellation_signal signal;
    std::string name;
};

task_group::task_group(asio::any_io_executor ex) : ex_(ex) {}

task_group::~task_group() = default;

void task_group::spawn(asio::awaitable<void> task, std::string name) {
    tasks_.emplace_front();
    auto it = tasks_.begin();
    it->name = std::move(name);
    asio::co_spawn(ex_, std::move(task),
                   asio::bind_cancellation_slot(it->signal.slot(), [this, it](std::exception_ptr ep) {
                       if (ep) {
                           try {
                               std::rethrow_exception(ep);
                           } catch (const boost::system::system_error& e) {
                               if (e.code() != asio::error::operation_aborted)
                                   log::error("net", "task", "task failed", {{"task", it->name}, {"error", e.what()}});
                           } catch (const std::exception& e) {
                               log::error("net", "task", "task failed", {{"task", it->name}, {"error", e.what()}});
                           }
                       }
                       finished(it);
                   }));
}

void task_group::finished(std::list<entry>::iterator it) {
    tasks_.erase(it);
    if (tasks_.empty())
        for (auto* t : waiters_) t->cancel();
}

void task_group::cancel(asio::cancellation_type type) {
    // Emitting may complete a task synchronously only via a posted handler, so iteration is safe.
    for (auto& e : tasks_) e.signal.emit(type);
}

asio::awaitable<void> task_group::wait() {
    co_await wait_until(asio::steady_timer::time_point::max());
}

asio::awaitable<bool> task_group::wait_until(asio::steady_timer::time_point deadline) {
    asio::steady_timer timer(ex_);
    while (!tasks_.empty()) {
        timer.expires_at(deadline);
        waiters_.push_back(&timer);
        auto it = std::prev(waiters_.end());
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        waiters_.erase(it);
        if (!ec) break;  // deadline passed
        auto cs = co_await asio::this_coro::cancellation_state;
        if (cs.cancelled() != asio::cancellation_type::none) break;
    }
    co_return tasks_.empty();
}

}  // namespace agentd::net
