// store/await_job: the one way a coroutine awaits a writer job. The job runs on the writer
// thread (store::database::submit); its outcome is posted back to the awaiting coroutine's
// executor, which is kept from running out of work meanwhile. A job cannot be cancelled once
// submitted (it commits or fails on its own), so the await always completes; a refused submit
// (writer stopped, queue full) completes it with that error.
// Header-only and the only Asio user of store/: database.hpp stays callback-based, and only the
// services that already run on Asio include this.
// Threading: await from the executor's thread; the job itself runs on the writer thread.
#pragma once

#include "agentd/store/database.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>

namespace agentd::store {

template <class R>
boost::asio::awaitable<result<R>> await_job(database& db, std::function<result<R>(write_txn&)> job,
                                            job_options opts = {}) {
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    auto initiate = [&db, &job, opts, ex](auto handler) {
        using handler_t = decltype(handler);
        auto h = std::make_shared<handler_t>(std::move(handler));
        auto work = asio::prefer(ex, asio::execution::outstanding_work.tracked);
        auto deliver = [h, work](result<R> v) {
            asio::post(work, [h, v = std::move(v)]() mutable { (*h)(std::move(v)); });
        };
        auto submitted = db.template submit<R>(std::move(job), deliver, opts);
        if (!submitted) deliver(result<R>(submitted.error()));
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(result<R>)>(std::move(initiate),
                                                                                            asio::use_awaitable);
}

}  // namespace agentd::store
