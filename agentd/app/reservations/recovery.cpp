// Start-up recovery: every reservation left where an upstream call may have been in flight is
// resolved from its basket before READY. See reservation_service.hpp.
#include "agentd/app/reservations/service_impl.hpp"

#include "agentd/log/log.hpp"

namespace agentd::app {
namespace asio = boost::asio;
using domain::reservation_state;

asio::awaitable<result<void>> reservation_service::impl::recover() {
    auto c = reader();
    if (!c) co_return c.error();
    const reservation_state in_flight_states[] = {reservation_state::placing, reservation_state::confirming,
                                                  reservation_state::releasing};
    auto ids = store::reservation_ids_in_states(**c, in_flight_states);
    if (!ids) co_return ids.error();
    recovering = true;
    std::size_t resolved = 0;
    for (const auto& id : *ids) {
        if (busy.contains(id)) continue;
        busy.insert(id);
        co_await defer([&] { return drive(id, std::nullopt); });  // clears busy
        ++resolved;
    }
    // A release acknowledged while the reservation was still placing is kept as cancel_pending
    // and runs once the hold lands; a crash between the hold and that release leaves it `held`
    // with the flag set. Drive those now, or the acknowledged release would wait for expiry.
    const reservation_state held_state[] = {reservation_state::held};
    auto held = store::reservation_ids_in_states(**c, held_state);
    if (!held) co_return held.error();
    for (const auto& id : *held) {
        auto row = load(id);
        if (!row || !row->rec.cancel_pending || busy.contains(id)) continue;
        busy.insert(id);
        co_await defer([&] { return drive(id, std::nullopt); });  // clears busy
        ++resolved;
    }
    recovering = false;
    const reservation_state queued_state[] = {reservation_state::queued};
    auto queued = store::reservation_ids_in_states(**c, queued_state);
    if (!queued) co_return queued.error();
    for (const auto& id : *queued) {
        auto row = load(id);
        if (row && !busy.contains(id)) enqueue(*row);
    }
    log::info("reservations", "recover", "recovered reservations",
              {{"resolved", static_cast<std::int64_t>(resolved)}, {"requeued", static_cast<std::int64_t>(queued->size())}});
    co_return result<void>{};
}

asio::awaitable<result<void>> reservation_service::recover() { return impl_->recover(); }
asio::awaitable<void> reservation_service::run() { return impl_->worker_loop(); }
asio::awaitable<std::size_t> reservation_service::expire_due() { return impl_->expire_pass(); }

}  // namespace agentd::app
