// The placing step: one basket per reservation, created and stored before any ticket is added;
// a resumed placement reads that basket back instead of creating another. The hold deadline
// runs from the send time of the last call known to have been applied. See service_impl.hpp.
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace driver_support;

namespace {

// Holds the seats the basket now carries.
std::pair<std::vector<domain::held_seat>, std::vector<store::ticket_detail>> seats_of(
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

}  // namespace

asio::awaitable<void> reservation_service::impl::place(store::reservation_row row, upstream_stopwatch& sw) {
    const std::string id = row.id;
    auto* up = client_for(row);
    // The budget serves the oldest reservation first: its later calls do not queue behind
    // newer reservations' first calls.
    const sys_time arrived = row.rec.created_at;
    auto wopts = [this, arrived](bool retry_safe) {
        auto o = write_options(retry_safe);
        o.arrival = arrived;
        return o;
    };
    auto ropts = [this, arrived] {
        auto o = read_options();
        o.arrival = arrived;
        return o;
    };
    const bool best = row.request.best_available.has_value();
    const auto form = best ? domain::request_form::best_available : domain::request_form::specific_seats;
    const int wanted = best ? row.request.best_available->quantity : static_cast<int>(row.request.tickets.size());

    auto reject = [&](std::string code, std::string reason) -> asio::awaitable<void> {
        domain::event failed = domain::ev::place_failed{std::move(reason), false};
        co_await record(id, std::move(failed), set_error_code(std::move(code)));
    };
    auto requeue = [&](std::string reason) -> asio::awaitable<void> {
        if (row.rec.place_attempts >= cfg.drive.max_place_attempts) {
            // An add whose answer was lost may have filled the basket: empty it before giving up.
            if (!row.rec.basket_id.empty() && ambiguous_baskets.erase(row.rec.basket_id))
                sweeps.push_back({id, row.rec.basket_id, sc::now() + cfg.sweep_after});
            if (!row.rec.basket_id.empty())
                for (int i = 1; i <= cfg.drive.max_unsent_retries; ++i) {
                    const bool cleared = bool(co_await timed(sw, up->clear_basket(row.rec.basket_id, wopts(true))));
                    note_freed(row);
                    if (cleared) break;
                    co_await pause(sw, backoff_delay(i));
                }
            co_await reject("upstream_unavailable", "place reservation: upstream kept failing (" + reason + ")");
            co_return;
        }
        domain::event failed = domain::ev::place_failed{std::move(reason), true};
        co_await record(id, std::move(failed));
    };
    // `touched`: send time of the last call known to have been applied to the basket.
    auto hold_tickets = [&](const std::vector<upstream::ticket>& tickets, sys_time touched,
                            std::optional<sent_at> touched_now) -> asio::awaitable<void> {
        auto held = seats_of(tickets);
        const auto& hold = hold_for(row);
        const auto anchor = domain::lifetime_anchor(row.rec.basket_created_at, touched, touched, hold);
        auto deadline = domain::local_deadline(row.rec.created_at, anchor, hold);
        domain::event placed = domain::ev::placed{std::move(held.first), deadline, touched};
        auto a = co_await record(id, std::move(placed), set_details(std::move(held.second)));
        if (!a) log::warn("reservations", "place", "record hold failed", {{"id", id}, {"cause", a.error().message}});
        else note_deadline(a->row, touched_now);
    };

    if (!up) {
        co_await reject("refused", "place reservation: no upstream account for client " + row.client);
        co_return;
    }

    if (row.rec.basket_id.empty()) {
        // An allocation with no seats free for it fails before anything is sent upstream.
        if (allocation_of(row) && choose_from_mirror(row).empty()) {
            co_await reject("unavailable", "place reservation: no " + std::to_string(wanted) +
                                               " adjacent seats of the agent's allocation free in the mirror");
            co_return;
        }
        // Another placement may have taken the last seats while this one waited for its turn.
        // (Not for a grab's early fill: the mirror shows the house before it opens.)
        if (!grab_opening(row) && judge_locally(row) == domain::local_verdict::sold_out) {
            co_await answer_sold_out(id, true);
            co_return;
        }
        const sys_time sent = clock.now();
        auto b = co_await timed(sw, up->create_basket(wopts(false)));
        if (!b) {
            auto d = domain::classify_failure(domain::upstream_step::create_basket, map_failure(b.error(), true),
                                              b.error().error_code, form);
            if (d.kind == domain::decision_kind::reject) co_await reject(reject_code(d.reason), b.error().message);
            else co_await requeue(b.error().message);
            co_return;
        }
        // Stored before any ticket is added: a crash from here on is resolved from this basket.
        domain::event created = domain::ev::basket_created{b->id, sent};
        auto a = co_await record(id, std::move(created));
        if (!a) co_return;
        row = std::move(a->row);
    } else {
        // Resumed (crash, ambiguous add, requeue): the basket says what happened.
        auto rb = co_await timed(sw, up->get_basket(row.rec.basket_id, ropts()));
        if (!rb && rb.error().cls != upstream::error_class::not_found) {
            co_await requeue(rb.error().message);
            co_return;
        }
        domain::place_read_back r{rb.has_value(), rb ? static_cast<int>(rb->tickets.size()) : 0, wanted};
        switch (domain::decide_after_place_read_back(r)) {
        case domain::place_resume::hold_as_is: {
            // The add was applied at an unknown time after the last touch we know of.
            const sys_time touched = row.rec.last_upstream_touch.value_or(row.rec.basket_created_at.value_or(row.rec.created_at));
            co_await hold_tickets(rb->tickets, touched, std::nullopt);
            co_return;
        }
        case domain::place_resume::reject_gone:
            note_freed(row);
            co_await reject("basket_gone", "place reservation: basket " + row.rec.basket_id + " expired upstream");
            co_return;
        case domain::place_resume::clear_and_retry: {
            auto c = co_await timed(sw, up->clear_basket(row.rec.basket_id, wopts(true)));
            note_freed(row);
            if (!c) {
                co_await requeue(c.error().message);
                co_return;
            }
            break;
        }
        case domain::place_resume::add_tickets: break;
        }
    }

    // A locked_only pool's fill must not fall back to open seats because its pool is no longer
    // known; no pool's fill is worth placing once the pool is gone (it would only be drained).
    if (fill_of_gone_pool(row)) {
        co_await reject("pool_removed", "place reservation: pool " + row.pool + " is no longer configured");
        co_return;
    }
    // An on-sale grab's fill was started grab_lead early so that its basket exists at the
    // opening: seats are asked for at fill_at, not before (docs/pools.md). Waited as a pause,
    // so the daemon-time figures do not count it; a stop meanwhile leaves the row placing with
    // its basket stored, and recovery resumes it here.
    if (auto opens = grab_opening(row)) {
        co_await pause(sw, std::chrono::ceil<std::chrono::milliseconds>(*opens - clock.now()));
        if (co_await cancelled()) co_return;
    }
    const auto* facts = catalogue.find_instance(row.client, row.instance);
    // A locked_only pool's fill adds seats of the allocation or nothing (docs/pools.md).
    const bool allocation = allocation_of(row) != nullptr;
    bool chosen_locally = false, mirror_tried = false;
    std::vector<std::string> proposed;  // seats upstream's best available offered this try
    int own_conflicts = 0;
    bool basket_form_refused_now = false;  // this placement's basket form answered "not possible"
    for (int attempt = 1;; ++attempt) {
        std::vector<upstream::new_ticket> nts;
        bool basket_form = false;
        // First try: seats picked from a young mirror picture, added directly; a seat taken
        // meanwhile (409) sends the next try to upstream's best available.
        std::vector<std::string> chosen;
        if (best && ((attempt == 1 && !mirror_tried) || allocation)) chosen = choose_from_mirror(row);
        if (allocation && chosen.empty()) {
            co_await reject("unavailable", "place reservation: no " + std::to_string(wanted) +
                                               " adjacent seats of the agent's allocation free in the mirror");
            co_return;
        }
        chosen_locally = !chosen.empty();
        mirror_tried = mirror_tried || chosen_locally;
        if (chosen_locally) {
            note_chosen(id, chosen);
            for (const auto& seat : chosen)
                nts.push_back({row.instance, seat, std::nullopt, row.request.best_available->ticket_type});
        } else if (best) {
            if (judge_locally(row) == domain::local_verdict::sold_out) {
                co_await answer_sold_out(id, true);
                co_return;
            }
            // The basket form: upstream picks and adds in one write, so no other placement of
            // ours is offered these seats meanwhile (docs/reservations.md, "Best available").
            basket_form = !basket_form_refused_now && basket_best_available(row);
        }
        if (best && !chosen_locally && !basket_form) {
            const auto& b = *row.request.best_available;
            const sys_time asked = clock.now();
            // Named, not a ?: inside the co_await statement (GCC 12 destroys its result twice).
            std::optional<std::string> band, area;
            if (!b.price_band.empty()) band = b.price_band;
            if (!b.area.empty()) area = b.area;
            auto seats = co_await timed(sw, up->best_available(row.instance, b.quantity, std::move(band), std::move(area), ropts()));
            if (!seats) {
                const auto f = map_failure(seats.error(), false);
                if (f == domain::upstream_failure::conflict &&
                    seats.error().error_code == domain::upstream_code::best_available_impossible)
                    note_scarcity(row, asked);
                if (f == domain::upstream_failure::conflict || f == domain::upstream_failure::not_found ||
                    f == domain::upstream_failure::permanent) {
                    auto d = domain::classify_failure(domain::upstream_step::add_tickets, f, seats.error().error_code, form);
                    co_await reject(reject_code(d.reason), seats.error().message);
                } else {
                    co_await requeue(seats.error().message);
                }
                co_return;
            }
            if (!domain::best_available_complete(seats->size(), b.quantity)) {
                note_scarcity(row, asked);
                co_await reject("unavailable", "place reservation: only " + std::to_string(seats->size()) + " of " +
                                                   std::to_string(b.quantity) + " seats available");
                co_return;
            }
            if (basket_form_refused_now) basket_form_refused(row);
            proposed.clear();
            for (const auto& s : *seats) {
                nts.push_back({row.instance, s.id, std::nullopt, b.ticket_type});
                proposed.push_back(s.id);
            }
            note_chosen(id, proposed);  // concurrent placements of ours see them as taken
        } else if (!best) {
            for (const auto& t : row.request.tickets) {
                upstream::new_ticket nt{row.instance, std::nullopt, std::nullopt, t.ticket_type};
                if (domain::add_as_area(facts, t.seat)) nt.area_id = t.seat;
                else nt.seat_id = t.seat;
                nts.push_back(std::move(nt));
            }
        }
        const sys_time sent = clock.now();
        const sent_at sent_now{sent, sc::now()};
        if (basket_form) proposed.clear();
        auto added = co_await timed(sw, add_seats(*up, row, std::move(nts), basket_form, wopts(false)));
        if (added) {
            co_await hold_tickets(*added, sent, sent_now);
            co_return;
        }
        const auto f = map_failure(added.error(), true);
        if (basket_form && ((f == domain::upstream_failure::conflict &&
                             added.error().error_code == domain::upstream_code::best_available_impossible) ||
                            f == domain::upstream_failure::permanent || f == domain::upstream_failure::not_found)) {
            // Not possible in this form, or no seats at all: the query form tells which.
            basket_form_refused_now = true;
            --attempt;
            continue;
        }
        auto d = domain::classify_failure(domain::upstream_step::add_tickets, f, added.error().error_code, form);
        if (allocation && f == domain::upstream_failure::conflict) {
            // The mirror was behind: fail this fill (it backs off) rather than ask best
            // available, which would offer open seats.
            co_await reject("unavailable", added.error().message);
            co_return;
        }
        if (chosen_locally && f == domain::upstream_failure::conflict &&
            added.error().error_code == domain::upstream_code::seat_unavailable) {
            // The mirror was behind: this try does not count against the best-available tries.
            log::info("reservations", "place", "a seat chosen from the mirror was taken; asking upstream",
                      {{"id", id}});
            --attempt;
            continue;
        }
        if (!chosen_locally && f == domain::upstream_failure::conflict &&
            added.error().error_code == domain::upstream_code::seat_unavailable && own_conflicts < 20) {
            // Upstream offered the same seat to another placement of ours, which added it
            // first: not a seat lost to someone else, so it does not use up a try.
            const auto claims = claims_for(row);
            if (std::any_of(proposed.begin(), proposed.end(), [&](const std::string& seat) {
                    return claims.placing_seats.contains(seat) || claims.held.contains(seat);
                })) {
                ++own_conflicts;
                --attempt;
                co_await pause(sw, backoff_delay(1));
                continue;
            }
        }
        if (d.kind == domain::decision_kind::retry && f == domain::upstream_failure::conflict) {
            d = domain::after_seat_taken(attempt, cfg.retry);
            if (d.kind == domain::decision_kind::retry) continue;  // taken in between: ask again
        }
        if (d.kind == domain::decision_kind::reject) {
            co_await reject(reject_code(d.reason), added.error().message);
            co_return;
        }
        // Retry or resolve by reading back: the next round reads the basket first, so an add
        // that was applied after all is found there, never added twice.
        if (added.error().may_have_applied()) ambiguous_baskets.insert(row.rec.basket_id);
        co_await requeue(added.error().message);
        co_return;
    }
}

upstream::call<std::vector<upstream::ticket>> reservation_service::impl::add_seats(upstream::client& up,
                                                                                const store::reservation_row& row,
                                                                                std::vector<upstream::new_ticket> nts,
                                                                                bool basket_form, upstream::call_options o) {
    if (!basket_form) return up.add_tickets(row.rec.basket_id, std::move(nts), std::move(o));
    const auto& b = *row.request.best_available;
    std::optional<std::string> band;
    if (!b.price_band.empty()) band = b.price_band;
    return up.add_best_available(row.rec.basket_id, row.instance, b.quantity, b.ticket_type, std::move(band), std::move(o));
}

}  // namespace agentd::reservations
