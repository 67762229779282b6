// The queue worker: drives each reservation through its upstream steps (placing, confirming,
// releasing) and the expiry loop. See reservation_service.hpp.
#include "agentd/app/reservations/worker_support.hpp"

#include "agentd/log/log.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

namespace agentd::app {
namespace asio = boost::asio;
using domain::reservation_state;
using domain::upstream_failure;
using sc = std::chrono::steady_clock;

using namespace worker_support;

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
            if (row->rec.state == reservation_state::queued && !from_queue) {
                // Back in queued after a transient failure: wait a little, then queue again.
                requeue = !row->rec.cancel_pending;
                if (requeue) co_await defer([&] { return pause(std::chrono::milliseconds(50 * row->rec.place_attempts)); });
            }
            if (auto f = domain::follow_up(row->rec)) {
                requeue = false;
                auto a = co_await defer([&] { return apply(id, *f); });
                if (a && a->row.rec.state == reservation_state::cancelled)
                    queue.erase_if([&](const auto& e) { return e.item == id; });
                continue;
            }
            if (row->rec.state == reservation_state::queued && from_queue) {
                from_queue = false;
                commit_wait.erase(id);
                const auto start = sc::now();
                auto a = co_await defer([&] { return apply(id, domain::ev::place_started{}); });
                if (!a) break;
                upstream_stopwatch sw;
                co_await defer([&] { return place(std::move(a->row), sw); });
                const auto spent = sc::now() - start - sw.upstream;
                place_timing.add(std::chrono::duration<double, std::micro>(spent).count());
                place_cpu_timing.add(std::chrono::duration<double, std::micro>(spent - commit_wait[id]).count());
                commit_wait.erase(id);
            } else if (row->rec.state == reservation_state::placing) {
                upstream_stopwatch sw;
                co_await defer([&] { return place(std::move(*row), sw); });
            } else if (row->rec.state == reservation_state::confirming) {
                commit_wait.erase(id);
                const auto start = sc::now();
                upstream_stopwatch sw;
                co_await defer([&] { return confirm_upstream(std::move(*row), sw); });
                const auto spent = sc::now() - start - sw.upstream;
                confirm_timing.add(std::chrono::duration<double, std::micro>(spent).count());
                confirm_cpu_timing.add(std::chrono::duration<double, std::micro>(spent - commit_wait[id]).count());
                commit_wait.erase(id);
            } else if (row->rec.state == reservation_state::releasing) {
                co_await defer([&] { return clear_upstream(std::move(*row)); });
                if (!again.contains(id)) break;
            } else if (!again.contains(id)) {
                break;
            }
            if (co_await cancelled()) break;
        }
    } catch (const std::exception& e) {
        log::warn("reservations", "drive", "reservation drive ended early", {{"id", id}, {"cause", e.what()}});
    }
    busy.erase(id);
    commit_wait.erase(id);
    --in_flight;
    if (queued_client) queue.done(*queued_client);
    if (requeue) {
        if (auto row = load(id); row && row->rec.state == reservation_state::queued) enqueue(*row);
    }
    if (queued_client) wake();
}

// Holds the seats the basket now carries.
static std::pair<std::vector<domain::held_seat>, std::vector<store::ticket_detail>> seats_of(
    const std::vector<upstream::ticket>& tickets) {
    std::vector<domain::held_seat> seats;
    std::vector<store::ticket_detail> details;
    for (const auto& t : tickets) {
        domain::held_seat h;
        h.seat = t.seat_id.value_or(t.plan_id);
        h.ticket_type = t.type_id;
        h.ticket_id = t.id;
        h.price = t.price;
        seats.push_back(std::move(h));
        details.push_back({t.seat_name, t.plan_id, t.band_id});
    }
    return {std::move(seats), std::move(details)};
}

asio::awaitable<void> reservation_service::impl::place(store::reservation_row row, upstream_stopwatch& sw) {
    const std::string id = row.id;
    auto* up = client_for(row);
    const bool best = row.request.best_available.has_value();
    const auto form = best ? domain::request_form::best_available : domain::request_form::specific_seats;
    const int wanted = best ? row.request.best_available->quantity : static_cast<int>(row.request.tickets.size());

    auto reject = [&](std::string code, std::string reason) -> asio::awaitable<void> {
        co_await defer([&] { return apply(id, domain::ev::place_failed{std::move(reason), false},
                       set_error_code(std::move(code))); });
    };
    auto requeue = [&](std::string reason) -> asio::awaitable<void> {
        if (row.rec.place_attempts >= k_max_place_attempts) {
            // An add whose answer was lost may have filled the basket: empty it before giving up.
            if (!row.rec.basket_id.empty())
                for (int i = 0; i < k_max_write_retries; ++i)
                    if (co_await defer([&] { return timed(sw, up->clear_basket(row.rec.basket_id, write_options(true))); })) break;
            co_await defer([&] { return reject("upstream_unavailable", "place reservation: upstream kept failing (" + reason + ")"); });
            co_return;
        }
        co_await defer([&] { return apply(id, domain::ev::place_failed{std::move(reason), true}); });
    };
    auto hold_tickets = [&](const std::vector<upstream::ticket>& tickets) -> asio::awaitable<void> {
        auto held = seats_of(tickets);
        const auto now = clock.now();
        auto deadline = domain::local_deadline(row.rec.created_at, now, hold);
        auto a = co_await defer([&] { return apply(id, domain::ev::placed{std::move(held.first), deadline}, set_details(std::move(held.second))); });
        if (!a) log::warn("reservations", "place", "record hold failed", {{"id", id}, {"cause", a.error().message}});
    };

    if (!up) {
        co_await defer([&] { return reject("refused", "place reservation: no upstream account for client " + row.client); });
        co_return;
    }

    if (row.rec.basket_id.empty()) {
        auto b = co_await defer([&] { return timed(sw, up->create_basket(write_options(false))); });
        if (!b) {
            auto d = domain::classify_failure(domain::upstream_step::create_basket, map_failure(b.error(), true),
                                              b.error().error_code, form);
            if (d.kind == domain::decision_kind::reject) co_await defer([&] { return reject(reject_code(d.reason), b.error().message); });
            else co_await defer([&] { return requeue(b.error().message); });
            co_return;
        }
        // Stored before any ticket is added: a crash from here on is resolved from this basket.
        auto a = co_await defer([&] { return apply(id, domain::ev::basket_created{b->id}); });
        if (!a) co_return;
        row = std::move(a->row);
    } else {
        // Resumed (crash, ambiguous add, requeue): the basket says what happened.
        auto rb = co_await defer([&] { return timed(sw, up->get_basket(row.rec.basket_id, read_options())); });
        if (!rb && rb.error().cls != upstream::error_class::not_found) {
            co_await defer([&] { return requeue(rb.error().message); });
            co_return;
        }
        domain::place_read_back r{rb.has_value(), rb ? static_cast<int>(rb->tickets.size()) : 0, wanted};
        switch (domain::decide_after_place_read_back(r)) {
        case domain::place_resume::hold_as_is: co_await defer([&] { return hold_tickets(rb->tickets); }); co_return;
        case domain::place_resume::reject_gone:
            co_await defer([&] { return reject("basket_gone", "place reservation: basket " + row.rec.basket_id + " expired upstream"); });
            co_return;
        case domain::place_resume::clear_and_retry:
            if (auto c = co_await defer([&] { return timed(sw, up->clear_basket(row.rec.basket_id, write_options(true))); }); !c) {
                co_await defer([&] { return requeue(c.error().message); });
                co_return;
            }
            break;
        case domain::place_resume::add_tickets: break;
        }
    }

    const auto* facts = catalogue.find_instance(row.client, row.instance);
    for (int attempt = 1;; ++attempt) {
        std::vector<upstream::new_ticket> nts;
        if (best) {
            const auto& b = *row.request.best_available;
            auto seats = co_await defer([&] { return timed(
                sw, up->best_available(row.instance, b.quantity,
                                       b.price_band.empty() ? std::nullopt : std::optional<std::string>(b.price_band),
                                       b.area.empty() ? std::nullopt : std::optional<std::string>(b.area), read_options())); });
            if (!seats) {
                const auto f = map_failure(seats.error(), false);
                if (f == upstream_failure::conflict || f == upstream_failure::not_found || f == upstream_failure::permanent) {
                    auto d = domain::classify_failure(domain::upstream_step::add_tickets, f, seats.error().error_code, form);
                    co_await defer([&] { return reject(reject_code(d.reason), seats.error().message); });
                } else {
                    co_await defer([&] { return requeue(seats.error().message); });
                }
                co_return;
            }
            if (static_cast<int>(seats->size()) != b.quantity) {
                co_await defer([&] { return reject("unavailable", "place reservation: only " + std::to_string(seats->size()) + " of " +
                                                   std::to_string(b.quantity) + " seats available"); });
                co_return;
            }
            for (const auto& s : *seats) nts.push_back({row.instance, s.id, std::nullopt, b.ticket_type});
        } else {
            for (const auto& t : row.request.tickets) {
                upstream::new_ticket nt{row.instance, std::nullopt, std::nullopt, t.ticket_type};
                if (facts && !facts->seats.contains(t.seat) && facts->areas.contains(t.seat)) nt.area_id = t.seat;
                else nt.seat_id = t.seat;
                nts.push_back(std::move(nt));
            }
        }
        auto added = co_await defer([&] { return timed(sw, up->add_tickets(row.rec.basket_id, std::move(nts), write_options(false))); });
        if (added) {
            co_await defer([&] { return hold_tickets(*added); });
            co_return;
        }
        const auto f = map_failure(added.error(), true);
        auto d = domain::classify_failure(domain::upstream_step::add_tickets, f, added.error().error_code, form);
        if (d.kind == domain::decision_kind::retry && f == upstream_failure::conflict) {
            d = domain::after_seat_taken(attempt, retry_policy);
            if (d.kind == domain::decision_kind::retry) continue;  // taken in between: ask again
        }
        switch (d.kind) {
        case domain::decision_kind::reject:
            co_await defer([&] { return reject(reject_code(d.reason), added.error().message); });
            co_return;
        case domain::decision_kind::resolve_by_reading_back:
            // The add may have been applied: the next round reads the basket back first.
            co_await defer([&] { return requeue(added.error().message); });
            co_return;
        default:
            co_await defer([&] { return requeue(added.error().message); });
            co_return;
        }
    }
}

asio::awaitable<std::size_t> reservation_service::impl::expire_pass() {
    auto c = reader();
    if (!c) co_return 0;
    const domain::reservation_state states[] = {reservation_state::held, reservation_state::releasing};
    auto ids = store::reservation_ids_in_states(**c, states);
    if (!ids) co_return 0;
    std::size_t n = 0;
    const auto now = clock.now();
    for (const auto& id : *ids) {
        if (busy.contains(id)) continue;
        auto row = load(id);
        if (!row) continue;
        if (row->rec.state == reservation_state::releasing) {
            start_drive(id);  // a clear that failed earlier
            continue;
        }
        if (!row->rec.expires_at || !domain::expiry_due(*row->rec.expires_at, now)) continue;
        auto a = co_await defer([&] { return apply(id, domain::ev::expiry_due{}); });
        if (!a) continue;
        ++n;
        start_drive(id);
    }
    co_return n;
}

asio::awaitable<void> reservation_service::impl::expiry_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    while (!co_await cancelled()) {
        co_await defer([&] { return pause(std::chrono::milliseconds(250)); });
        if (co_await cancelled()) break;
        try {
            co_await defer([&] { return expire_pass(); });
        } catch (const std::exception& e) {
            log::warn("reservations", "expire", "expiry pass failed", {{"cause", e.what()}});
        }
    }
}

asio::awaitable<void> reservation_service::impl::worker_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    children.spawn(expiry_loop(), "reservation expiry");
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
    children.cancel();
    co_await asio::this_coro::reset_cancellation_state();
    co_await children.wait_until(sc::now() + std::chrono::seconds(5));
}

}  // namespace agentd::app
