// Do-not-transact windows in the reservation service: drives wait for a window's end instead
// of sending (so queued work keeps its place and spends no attempts), and holds that would end
// inside a coming window end before it. Creates and extends are checked in intake.cpp. See
// service.hpp (window_query).
#include "agentd/reservations/driver_support.hpp"

#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace driver_support;

void reservation_service::set_windows(window_query q) { impl_->windows = std::move(q); }

domain::window_state reservation_service::impl::window_now(std::string_view client) const {
    if (!windows) return {};
    return windows(client, clock.now());
}

asio::awaitable<bool> reservation_service::impl::wait_out_window(std::string client) {
    bool logged = false;
    for (;;) {
        const auto st = window_now(client);
        if (!st.inside) co_return true;
        if (!logged) {
            log::debug("reservations", "window", "upstream work waits for the end of a do-not-transact window",
                       {{"client", client}, {"window", st.name}, {"until", format_iso_utc(st.ends_at)}});
            logged = true;
        }
        // Looked at again at least every second: a reload may change the windows, and the
        // wall clock may be stepped.
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(st.ends_at - clock.now());
        co_await pause(std::clamp<std::chrono::milliseconds>(left, std::chrono::milliseconds(10), std::chrono::seconds(1)));
        if (co_await cancelled()) co_return false;
    }
}

asio::awaitable<void> reservation_service::impl::clip_for_window(const store::reservation_row& row) {
    if (!windows || row.rec.state != reservation_state::held || !row.rec.expires_at) co_return;
    const auto st = window_now(row.client);
    if (st.inside || !st.next) co_return;
    const auto cut = domain::clipped_deadline(*row.rec.expires_at, *st.next, cfg.window_release_lead);
    if (!cut) co_return;
    const domain::ev::deadline_clipped clipped{*cut, st.next_name};
    domain::event ev = clipped;
    auto a = co_await apply(row.id, std::move(ev));
    if (!a) co_return;
    // The countdown runs on the monotonic clock from here, like every other deadline.
    hold_deadlines[row.id] = sc::now() + std::chrono::duration_cast<sc::duration>(*cut - clock.now());
    log::info("reservations", "window", "hold deadline moved before a do-not-transact window",
              {{"id", row.id}, {"client", row.client}, {"window", st.next_name},
               {"deadline", format_iso_utc(*cut)}, {"window_start", format_iso_utc(st.next->start)}});
}

}  // namespace agentd::reservations
