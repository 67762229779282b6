// app/sync/db_job: awaits a store writer job from a coroutine. The job runs on the writer
// thread; its outcome is posted back to the awaiting coroutine's executor. Not cancellable
// once submitted (the job commits or fails on its own), so awaiting it always completes.
// Threading: await from the io_context thread; the job itself runs on the writer thread.
#pragma once

#include "agentd/store/database.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>

namespace agentd::app::sync {

template <class R>
boost::asio::awaitable<result<R>> run_job(store::database& db, std::function<result<R>(store::write_txn&)> fn) {
    auto ex = co_await boost::asio::this_coro::executor;
    auto init = [&db, &fn, ex](auto handler) {
        using handler_t = decltype(handler);
        auto h = std::make_shared<handler_t>(std::move(handler));
        auto submitted = db.template submit<R>(std::move(fn), [h, ex](result<R> v) {
            boost::asio::post(ex, [h, v = std::move(v)]() mutable { (*h)(std::move(v)); });
        });
        if (!submitted) {
            auto e = submitted.error();
            boost::asio::post(ex, [h, e]() mutable { (*h)(result<R>(e)); });
        }
    };
    co_return co_await boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(result<R>)>(
        init, boost::asio::use_awaitable);
}

}  // namespace agentd::app::sync
