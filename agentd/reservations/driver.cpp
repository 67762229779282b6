// The driver: the worker loop that takes queued reservations, the drive of one reservation
// through its upstream steps, the expiry and rescan loops, and start-up recovery. The steps
// themselves are in place.cpp and settle.cpp. See service_impl.hpp.
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace driver_support;

reservation_service::impl::impl(asio::any_io_executor ex_, store::database& db_, std::string db_path_, settings s,
                                std::vector<res_client> clients_, const domain::catalogue_view& catalogue_,
                                const agentd::clock& clock_, std::function<void(std::uint64_t)> on_feed_,
                                std::function<void(std::string_view, std::string_view)> on_activity_)
    : ex(ex_), db(db_), db_path(std::move(db_path_)), cfg(std::move(s)), clients(std::move(clients_)),
      catalogue(catalogue_), clock(clock_), on_feed(std::move(on_feed_)), on_activity(std::move(on_activity_)),
      rd(db_path, "open reservations reader"), queue(cfg.queue), children(ex_), wake_timer(ex_), pool_timer(ex_) {
    local.started = clock.now();
    pool_hold = cfg.hold;
    pool_hold.max_hold = std::chrono::hours(24 * 3650);
}

const res_client* reservation_service::impl::client_named(std::string_view name) const {
    for (const auto& c : clients)
        if (c.name == name) return &c;
    return nullptr;
}

bool reservation_service::impl::total_is_net_for(const store::reservation_row& row) const {
    const auto* c = client_named(row.client);
    return c && c->order_total_is_net;
}

upstream::client* reservation_service::impl::client_for(const store::reservation_row& row) const {
    const auto* c = client_named(row.client);
    if (!c) return nullptr;
    for (const auto& [account, up] : c->accounts)
        if (account == row.account) return up;
    return c->accounts.empty() ? nullptr : c->accounts.front().second;
}

upstream::call_options reservation_service::impl::write_options(bool retry_safe) const {
    upstream::call_options o;
    o.prio = upstream::priority::reservation;
    o.retry_safe = retry_safe;
    o.deadline = cfg.call_timeout;
    return o;
}

upstream::call_options reservation_service::impl::read_options() const {
    upstream::call_options o;
    o.prio = upstream::priority::reservation;
    o.retry_safe = true;
    o.deadline = cfg.call_timeout;
    return o;
}

void reservation_service::impl::enqueue(const store::reservation_row& row) {
    // Acknowledged here for a venue another node drives: that node picks it up from the database.
    if (!owned(row.client)) return;
    if (queue.contains(row.id)) return;
    queue.readmit(row.channel, row.client, row.id);
    wake();
}

void reservation_service::impl::drive_if_orphaned(const store::reservation_row& row) {
    // As the rescan would, sooner: a row waiting in the queue or being driven is left alone.
    if (stopping || row.rec.state != reservation_state::queued || busy.contains(row.id)) return;
    enqueue(row);
}

void reservation_service::impl::wake() {
    wake_pending = true;
    wake_timer.cancel();
}

void reservation_service::impl::note_deadline(const store::reservation_row& row, std::optional<sent_at> sent) {
    if (row.rec.state != reservation_state::held || !row.rec.expires_at) {
        hold_deadlines.erase(row.id);
        return;
    }
    // Measured from the call itself, so a wall-clock step after it changes nothing.
    if (sent) {
        hold_deadlines[row.id] = sent->mono + std::chrono::duration_cast<sc::duration>(*row.rec.expires_at - sent->wall);
        return;
    }
    if (hold_deadlines.contains(row.id)) return;
    // First seen after a start: converted once, then only the monotonic clock counts down.
    hold_deadlines[row.id] = sc::now() + std::chrono::duration_cast<sc::duration>(*row.rec.expires_at - clock.now());
}

bool reservation_service::impl::deadline_passed(const store::reservation_row& row) const {
    auto it = hold_deadlines.find(row.id);
    if (it != hold_deadlines.end()) return sc::now() >= it->second;
    return row.rec.expires_at && domain::expiry_due(*row.rec.expires_at, clock.now());
}

void reservation_service::impl::start_drive(std::string id, std::optional<std::string> queued_client) {
    if (busy.contains(id)) {
        again.insert(id);
        if (queued_client) {
            // Already being driven: give the slot back; the running drive looks again.
            queue.done(*queued_client);
            wake();
        }
        return;
    }
    busy.insert(id);
    children.spawn(drive(std::move(id), std::move(queued_client)), "reservation drive");
}

asio::awaitable<void> reservation_service::impl::drive(std::string id, std::optional<std::string> queued_client) {
    co_await asio::this_coro::throw_if_cancelled(false);
    ++in_flight;
    bool from_queue = queued_client.has_value();
    bool requeue = false;
    try {
        for (int round = 0; round < 8; ++round) {
            again.erase(id);
            auto row = load(id);
            if (!row) break;
            if (!owned(row->client)) break;  // lost meanwhile: the new owner drives it
            // The one wait for do-not-transact windows: every upstream step of a drive starts
            // below, so none starts while a window is in force (the client's gate stops any
            // call already under way).
            if (windows && goes_upstream(row->rec)) {
                if (!co_await wait_out_window(row->client)) break;
                row = load(id);
                if (!row) break;
            }
            if (row->rec.state == reservation_state::queued && !from_queue) {
                // Back in queued after a transient failure: wait (backing off), then queue again.
                requeue = !row->rec.cancel_pending;
                if (requeue) co_await pause(backoff_delay(row->rec.place_attempts));
            }
            if (auto f = domain::follow_up(row->rec)) {
                requeue = false;
                auto a = co_await record(id, *f);
                if (a && a->row.rec.state != reservation_state::queued)
                    queue.erase_if([&](const auto& e) { return e.item == id; });
                continue;
            }
            if (row->rec.state == reservation_state::queued && from_queue) {
                from_queue = false;
                // Upstream requests go only to placements that can still win (local_answer.hpp).
                // A reservation with a basket goes upstream: only the basket says what it holds.
                const auto verdict = row->rec.basket_id.empty() ? judge_locally(*row) : domain::local_verdict::go_upstream;
                if (verdict == domain::local_verdict::wait) {
                    park(*row);
                    break;
                }
                if (verdict == domain::local_verdict::sold_out) {
                    co_await answer_sold_out(id, false);
                    continue;
                }
                note_placing(*row);
                commit_wait.erase(id);
                const auto start = sc::now();
                auto a = co_await apply(id, domain::ev::place_started{});
                if (!a) {
                    placing_done(id, *row);
                    break;  // the rescan drives it again
                }
                upstream_stopwatch sw;
                co_await place(std::move(a->row), sw);
                placing_done(id, *row);
                const auto spent = sc::now() - start - sw.upstream - sw.backoff;
                place_timing.add(std::chrono::duration<double, std::micro>(spent).count());
                place_cpu_timing.add(std::chrono::duration<double, std::micro>(spent - commit_wait[id]).count());
                commit_wait.erase(id);
            } else if (row->rec.state == reservation_state::placing) {
                upstream_stopwatch sw;
                note_placing(*row);
                const auto placed_row = *row;
                co_await place(std::move(*row), sw);
                placing_done(id, placed_row);
            } else if (row->rec.state == reservation_state::confirming) {
                commit_wait.erase(id);
                const auto start = sc::now();
                upstream_stopwatch sw;
                co_await confirm_upstream(std::move(*row), sw);
                const auto spent = sc::now() - start - sw.upstream - sw.backoff;
                confirm_timing.add(std::chrono::duration<double, std::micro>(spent).count());
                confirm_cpu_timing.add(std::chrono::duration<double, std::micro>(spent - commit_wait[id]).count());
                commit_wait.erase(id);
            } else if (row->rec.state == reservation_state::releasing) {
                auto nb = release_not_before.find(id);
                if (nb != release_not_before.end() && sc::now() < nb->second) break;  // backing off
                co_await clear_upstream(std::move(*row));
                if (!again.contains(id)) break;
            } else {
                if (row->rec.state == reservation_state::held) note_deadline(*row);
                if (!again.contains(id)) break;
            }
            if (co_await cancelled()) break;
        }
    } catch (const std::exception& e) {
        log::warn("reservations", "drive", "reservation drive ended early", {{"id", id}, {"cause", e.what()}});
    }
    busy.erase(id);
    local.stop_placing(id);
    commit_wait.erase(id);
    --in_flight;
    if (queued_client) queue.done(*queued_client);
    if (requeue) {
        if (auto row = load(id); row && row->rec.state == reservation_state::queued) enqueue(*row);
    }
    if (queued_client) wake();
    // Asked again after the last look (an extend finished, a release arrived): look again.
    if (again.erase(id) && !stopping) start_drive(id);
}

asio::awaitable<std::size_t> reservation_service::impl::expire_pass() {
    auto c = reader();
    if (!c) co_return 0;
    // A clear that failed earlier is driven again (the drive honours its backoff).
    const reservation_state releasing_state[] = {reservation_state::releasing};
    if (auto releasing = store::reservation_ids_in_states(**c, releasing_state))
        for (const auto& id : *releasing)
            if (!busy.contains(id)) start_drive(id);
    const reservation_state held_state[] = {reservation_state::held};
    auto ids = store::reservation_ids_in_states(**c, held_state);
    if (!ids) co_return 0;
    std::size_t n = 0;
    const auto mono_now = sc::now();
    const sys_time wall_now = clock.now();
    // A hold ending after this moment may have to be clipped before a do-not-transact window
    // (clip_for_window), so its row is read even while its countdown runs.
    std::optional<sys_time> clip_horizon;
    if (windows)
        for (const auto& rc : clients) {
            const auto st = window_now(rc.name);
            if (st.inside || !st.next) continue;
            const sys_time from = st.next->start - cfg.window_release_lead;
            if (!clip_horizon || from < *clip_horizon) clip_horizon = from;
        }
    for (const auto& id : *ids) {
        if (busy.contains(id)) continue;
        // Runs four times a second over every hold: a hold whose countdown is known, still
        // running and ending before any window could clip it is skipped without reading its row.
        if (auto d = hold_deadlines.find(id); d != hold_deadlines.end() && mono_now < d->second) {
            const sys_time ends = wall_now + std::chrono::duration_cast<sys_time::duration>(d->second - mono_now);
            if (!clip_horizon || ends < *clip_horizon) continue;
        }
        auto row = load(id);
        if (!row || row->rec.state != reservation_state::held || !owned(row->client)) continue;
        if (!hold_deadlines.contains(id)) note_deadline(*row);
        if (windows) {
            co_await clip_for_window(*row);
            if (busy.contains(id)) continue;
        }
        if (!deadline_passed(*row)) continue;
        // Measured on the monotonic clock: a wall clock stepped back must not keep the hold
        // past upstream's lifetime, which runs on upstream's own clock.
        auto a = co_await apply(id, domain::ev::expiry_due{true});
        if (!a) continue;
        hold_deadlines.erase(id);
        ++n;
        start_drive(id);
    }
    co_return n;
}

asio::awaitable<void> reservation_service::impl::expiry_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    while (!co_await cancelled()) {
        co_await pause(std::chrono::milliseconds(250));
        if (co_await cancelled()) break;
        try {
            co_await expire_pass();
        } catch (const std::exception& e) {
            log::warn("reservations", "expire", "expiry pass failed", {{"cause", e.what()}});
        }
    }
}

asio::awaitable<void> reservation_service::impl::rescan_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    const reservation_state states[] = {reservation_state::queued, reservation_state::placing,
                                        reservation_state::confirming};
    while (!co_await cancelled()) {
        co_await pause(cfg.rescan_interval);
        if (co_await cancelled()) break;
        co_await run_sweeps();
        // Every acknowledged reservation is driven again without a restart: a row whose drive
        // ended early (a failed local write, a step left for later) is picked up here.
        auto c = reader();
        if (!c) continue;
        auto ids = store::reservation_ids_in_states(**c, states);
        if (!ids) continue;
        for (const auto& id : *ids) {
            // Waiting in the queue already: nothing to load (a deep queue is thousands of rows).
            if (busy.contains(id) || queue.contains(id)) continue;
            auto row = load(id);
            if (!row || !owned(row->client)) continue;
            if (row->rec.state == reservation_state::queued) enqueue(*row);
            else start_drive(id);
        }
    }
}

void reservation_service::pick_up(std::string_view id) {
    auto& m = *impl_;
    if (m.stopping || m.busy.contains(id)) return;
    auto row = m.load(id);
    if (!row || !m.owned(row->client)) return;
    switch (row->rec.state) {
    case reservation_state::queued: m.enqueue(*row); break;
    case reservation_state::placing:
    case reservation_state::confirming:
    case reservation_state::releasing: m.start_drive(std::string(id)); break;
    case reservation_state::held:
        m.note_deadline(*row);
        if (row->rec.cancel_pending) m.start_drive(std::string(id));
        break;
    default: break;
    }
}

void reservation_service::drop_client(std::string_view client) {
    auto& m = *impl_;
    const std::size_t n = m.queue.erase_if([&](const auto& e) { return e.client == client; });
    if (n > 0) log::info("reservations", "ownership", "queued reservations left to the venue's new owner",
                         {{"client", std::string(client)}, {"count", static_cast<std::int64_t>(n)}});
}

asio::awaitable<void> reservation_service::impl::worker_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    children.spawn(expiry_loop(), "reservation expiry");
    children.spawn(rescan_loop(), "reservation rescan");
    children.spawn(pool_loop(), "pool filler");
    for (;;) {
        while (auto e = queue.pop()) start_drive(std::move(e->item), std::move(e->client));
        if (co_await cancelled()) break;
        if (!wake_pending) {
            wake_timer.expires_at(asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await wake_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        wake_pending = false;
        if (co_await cancelled()) break;
    }
    stopping = true;
    co_await asio::this_coro::reset_cancellation_state();
    // A confirm already sent is settled now if it can be, rather than after a restart.
    const auto drain_until = sc::now() + cfg.drain_timeout;
    while (confirms_sent_in_flight > 0 && sc::now() < drain_until)
        co_await pause(std::chrono::milliseconds(20));
    if (confirms_sent_in_flight > 0)
        log::warn("reservations", "stop", "confirms still unsettled at the end of the drain; recovery settles them",
                  {{"count", confirms_sent_in_flight}});
    children.cancel();
    pool_timer.cancel();
    co_await children.wait_until(sc::now() + std::chrono::seconds(5));
}

asio::awaitable<result<void>> reservation_service::impl::recover(std::optional<std::string> client) {
    // Only the clients this node drives (all of them on one node), or the one just taken over.
    auto mine = [&](const store::reservation_row& r) { return owned(r.client) && (!client || r.client == *client); };
    auto c = reader();
    if (!c) co_return c.error();
    const reservation_state in_flight_states[] = {reservation_state::placing, reservation_state::confirming,
                                                  reservation_state::releasing};
    auto ids = store::reservation_ids_in_states(**c, in_flight_states);
    if (!ids) co_return ids.error();
    // Driven as children: a confirm that must be resent while upstream answers 5xx may take
    // as long as its basket lives, and must not hold the start for that long. Readiness waits
    // a bounded time for the rest; they carry on under the same per-reservation lock.
    std::size_t resolved = 0;
    std::vector<std::string> started;
    for (const auto& id : *ids) {
        if (busy.contains(id)) continue;
        auto row = load(id);
        if (!row || !mine(*row)) continue;
        start_drive(id);
        started.push_back(id);
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
        if (!row || !mine(*row)) continue;
        // Taken over: another node may have extended the hold since this one last saw it.
        if (client) hold_deadlines.erase(id);
        note_deadline(*row);
        if (!row->rec.cancel_pending || busy.contains(id)) continue;
        start_drive(id);
        started.push_back(id);
        ++resolved;
    }
    const auto until = sc::now() + cfg.recovery_wait;
    while (sc::now() < until &&
           std::any_of(started.begin(), started.end(), [&](const std::string& id) { return busy.contains(id); }))
        co_await pause(std::chrono::milliseconds(20));
    const reservation_state queued_state[] = {reservation_state::queued};
    auto queued = store::reservation_ids_in_states(**c, queued_state);
    if (!queued) co_return queued.error();
    std::int64_t requeued = 0;
    for (const auto& id : *queued) {
        auto row = load(id);
        if (!row || !mine(*row) || busy.contains(id)) continue;
        enqueue(*row);
        ++requeued;
    }
    log::info("reservations", "recover", "recovered reservations",
              {{"client", client.value_or("*")}, {"resolved", static_cast<std::int64_t>(resolved)}, {"requeued", requeued}});
    co_return result<void>{};
}

asio::awaitable<result<void>> reservation_service::recover() { return impl_->recover(); }
asio::awaitable<result<void>> reservation_service::recover_client(std::string client) {
    return impl_->recover(std::move(client));
}
asio::awaitable<void> reservation_service::run() { return impl_->worker_loop(); }
asio::awaitable<std::size_t> reservation_service::expire_due() { return impl_->expire_pass(); }

}  // namespace agentd::reservations
