// The worker's settling steps: confirming a held basket (customer, confirm, read back when
// the answer is lost) and clearing a basket being released. See reservation_service.hpp.
#include "agentd/app/reservations/worker_support.hpp"

#include "agentd/log/log.hpp"

namespace agentd::app {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace worker_support;

asio::awaitable<void> reservation_service::impl::confirm_upstream(store::reservation_row row, upstream_stopwatch& sw) {
    const std::string id = row.id;
    auto* up = client_for(row);
    const auto form = row.request.best_available ? domain::request_form::best_available
                                                 : domain::request_form::specific_seats;
    auto refuse = [&](std::string reason) -> asio::awaitable<void> {
        co_await defer([&] { return apply(id, domain::ev::confirm_failed_permanent{std::move(reason)},
                       set_error_code("confirm_refused")); });
    };
    auto unknown = [&](std::string reason) -> asio::awaitable<void> {
        co_await defer([&] { return apply(id, domain::ev::confirm_ambiguous{std::move(reason)},
                       set_error_code("confirm_unknown")); });
    };
    auto record = [&](const upstream::order& o) -> asio::awaitable<void> {
        std::vector<std::string> barcodes;
        for (const auto& s : row.rec.seats) {
            std::string code;
            for (const auto& t : o.tickets)
                if ((!s.ticket_id.empty() && t.id == s.ticket_id) || (t.seat_id && *t.seat_id == s.seat)) {
                    code = t.barcode.value_or("");
                    break;
                }
            barcodes.push_back(std::move(code));
        }
        auto a = co_await defer([&] { return apply(id, domain::ev::confirmed{o.id, std::move(barcodes)}); });
        if (!a) log::warn("reservations", "confirm", "record order failed", {{"id", id}, {"cause", a.error().message}});
    };
    if (!up || row.rec.basket_id.empty()) {
        co_await defer([&] { return unknown("confirm reservation: no upstream basket to confirm"); });
        co_return;
    }
    const auto& basket = row.rec.basket_id;

    if (!recovering) {
        upstream::agent_customer c;
        if (row.rec.customer)
            c = {row.rec.customer->first_name, row.rec.customer->last_name, row.rec.customer->address_line1,
                 row.rec.customer->reference};
        for (int attempt = 0;; ++attempt) {
            // Setting the customer is idempotent; nothing is sold until confirm.
            auto r = co_await defer([&] { return timed(sw, up->set_agent_customer(basket, c, write_options(true))); });
            if (r) break;
            const auto f = map_failure(r.error(), true);
            if (f == upstream_failure::not_found) {
                co_await defer([&] { return refuse("confirm reservation: basket expired upstream"); });
                co_return;
            }
            if (f == upstream_failure::permanent || f == upstream_failure::conflict || attempt >= k_max_write_retries) {
                co_await defer([&] { return refuse("confirm reservation: " + r.error().message); });
                co_return;
            }
            co_await defer([&] { return pause(std::chrono::milliseconds(50 << attempt)); });
        }
        for (int attempt = 0;; ++attempt) {
            auto o = co_await defer([&] { return timed(sw, up->confirm_basket(basket, write_options(false))); });
            if (o) {
                co_await defer([&] { return record(*o); });
                co_return;
            }
            auto d = domain::classify_failure(domain::upstream_step::confirm, map_failure(o.error(), true),
                                              o.error().error_code, form);
            if (d.kind == domain::decision_kind::retry && attempt < k_max_write_retries) {
                co_await defer([&] { return pause(std::chrono::milliseconds(50 << attempt)); });
                continue;
            }
            if (d.kind == domain::decision_kind::reject || d.kind == domain::decision_kind::retry) {
                co_await defer([&] { return refuse("confirm reservation: " + o.error().message); });
                co_return;
            }
            if (d.kind == domain::decision_kind::confirm_unknown) {
                co_await defer([&] { return unknown("confirm reservation: " + o.error().message); });
                co_return;
            }
            break;  // resolve by reading the basket back
        }
    }

    // The confirm may have been applied. A readable, whole basket is provably unconfirmed (a
    // confirmed basket answers 404): confirm that same basket again. Anything else is unknown.
    for (int attempt = 0;; ++attempt) {
        auto b = co_await defer([&] { return timed(sw, up->get_basket(basket, read_options())); });
        if (!b && b.error().cls != upstream::error_class::not_found && attempt < k_max_write_retries) {
            co_await defer([&] { return pause(std::chrono::milliseconds(50 << attempt)); });
            continue;
        }
        domain::confirm_read_back rb{false, b.has_value(), b ? static_cast<int>(b->tickets.size()) : 0,
                                     static_cast<int>(row.rec.seats.size())};
        switch (domain::decide_after_confirm_read_back(rb)) {
        case domain::confirm_resume::record_confirmed:
        case domain::confirm_resume::mark_unknown:
            co_await defer([&] { return unknown("confirm reservation: outcome not provable (basket " + basket +
                             (b ? " changed" : " no longer readable") + ")"); });
            co_return;
        case domain::confirm_resume::resend_confirm: break;
        }
        break;
    }
    auto o = co_await defer([&] { return timed(sw, up->confirm_basket(basket, write_options(false))); });
    if (o) {
        co_await defer([&] { return record(*o); });
        co_return;
    }
    auto d = domain::classify_failure(domain::upstream_step::confirm, map_failure(o.error(), true), o.error().error_code,
                                      form, true);
    if (d.kind == domain::decision_kind::reject) co_await defer([&] { return refuse("confirm reservation: " + o.error().message); });
    else co_await defer([&] { return unknown("confirm reservation: " + o.error().message); });
}

asio::awaitable<void> reservation_service::impl::clear_upstream(store::reservation_row row) {
    const std::string id = row.id;
    auto* up = client_for(row);
    if (row.rec.basket_id.empty() || !up) {
        co_await defer([&] { return apply(id, domain::ev::released{}); });
        co_return;
    }
    for (int attempt = 0;; ++attempt) {
        auto r = co_await defer([&] { return up->clear_basket(row.rec.basket_id, write_options(true)); });
        if (r) {
            co_await defer([&] { return apply(id, domain::ev::released{}); });
            co_return;
        }
        auto d = domain::classify_failure(domain::upstream_step::release, map_failure(r.error(), true),
                                          r.error().error_code, domain::request_form::specific_seats);
        if (d.kind == domain::decision_kind::already_done) {
            co_await defer([&] { return apply(id, domain::ev::expired{}); });
            co_return;
        }
        if (d.kind == domain::decision_kind::wait_for_upstream_expiry) {
            const auto touch = row.rec.last_upstream_touch.value_or(row.rec.updated_at);
            if (clock.now() >= domain::upstream_expiry(touch, hold)) co_await defer([&] { return apply(id, domain::ev::expired{}); });
            co_return;  // the expiry pass looks again
        }
        if (attempt >= k_max_write_retries || co_await cancelled()) co_return;  // the expiry pass retries
        co_await defer([&] { return pause(std::chrono::milliseconds(50 << attempt)); });
    }
}

}  // namespace agentd::app
