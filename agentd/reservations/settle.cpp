// The settling steps. Confirming: prove the basket (exactly the held tickets, the channel's
// customer on it), durably mark the confirm as sent, send it, and settle every answer by proof;
// the order is compared with the hold. Releasing: clear the basket, backing off between tries.
// See service_impl.hpp and docs/reservations.md.
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using domain::upstream_failure;
using namespace driver_support;

namespace {

upstream::agent_customer customer_of(const domain::reservation& r) {
    if (!r.customer) return {};
    return {r.customer->first_name, r.customer->last_name, r.customer->address_line1, r.customer->reference};
}

bool same_customer(const std::optional<upstream::agent_customer>& on_basket, const upstream::agent_customer& want) {
    return on_basket && on_basket->first_name == want.first_name && on_basket->last_name == want.last_name &&
           on_basket->address_line1 == want.address_line1 && on_basket->reference == want.reference;
}

money face_value(const std::vector<upstream::ticket>& ts) {
    money sum{};
    for (const auto& t : ts) sum = sum + t.price;
    return sum;
}

// The order's tickets for the ledger, as upstream answered them. The decoder refused any
// agentDiscount above its ticket's total, so net is never negative.
std::vector<domain::order_line> order_lines(const std::vector<upstream::ticket>& ts, bool total_is_net) {
    std::vector<domain::order_line> out;
    out.reserve(ts.size());
    for (const auto& t : ts)
        out.push_back({t.id, t.seat_id.value_or(t.plan_id), t.type_id, t.price, t.agent_discount,
                       domain::net_owed(t.total, t.agent_discount, total_is_net)});
    return out;
}

// Counts the drives past "confirm sent", which a graceful stop lets finish.
struct sent_guard {
    std::int64_t& n;
    explicit sent_guard(std::int64_t& c) : n(c) { ++n; }
    ~sent_guard() { --n; }
    sent_guard(const sent_guard&) = delete;
    sent_guard& operator=(const sent_guard&) = delete;
};

}  // namespace

asio::awaitable<void> reservation_service::impl::confirm_upstream(store::reservation_row row, upstream_stopwatch& sw) {
    const std::string id = row.id;
    auto* up = client_for(row);
    const std::string basket = row.rec.basket_id;

    // Nothing can have been sold yet: the hold stands, the channel sees why.
    auto refuse = [&](std::string reason) -> asio::awaitable<void> {
        domain::event refused = domain::ev::confirm_failed_permanent{std::move(reason)};
        co_await record(id, std::move(refused), set_error_code("confirm_refused"));
    };
    auto gone = [&](std::string reason) -> asio::awaitable<void> {
        note_freed(row);  // upstream's lifetime ended first: its seats are back on sale
        domain::event lost = domain::ev::basket_gone{std::move(reason)};
        co_await record(id, std::move(lost), set_error_code("basket_gone"));
    };
    auto abandon = [&](std::string code, std::string reason) -> asio::awaitable<void> {
        domain::event abandoned = domain::ev::confirm_abandoned{std::move(reason)};
        co_await record(id, std::move(abandoned), set_error_code(std::move(code)));
    };

    if (!up || basket.empty()) {
        if (!row.rec.confirm_sent_at) {
            co_await abandon("confirm_refused", "confirm reservation: no upstream basket to confirm");
            co_return;
        }
        domain::event unknown = domain::ev::confirm_ambiguous{"confirm reservation: no upstream account to settle it with"};
        co_await record(id, std::move(unknown), set_error_code("confirm_unknown"));
        co_return;
    }

    if (!row.rec.confirm_sent_at) {
        // Prove the basket: exactly the held tickets (a late add can leave extras), and the
        // channel's customer on it, whatever path brought us here.
        const auto want = customer_of(row.rec);
        std::optional<upstream::basket> b;
        for (int round = 0;; ++round) {
            b.reset();
            for (int attempt = 1; !b; ++attempt) {
                auto got = co_await timed(sw, up->get_basket(basket, read_options()));
                if (got) {
                    b = std::move(*got);
                    break;
                }
                const auto f = map_failure(got.error(), false);
                if (f == upstream_failure::not_found) {
                    co_await gone("confirm reservation: basket " + basket + " expired upstream before the confirm");
                    co_return;
                }
                if (f == upstream_failure::permanent) {
                    co_await refuse("confirm reservation: " + got.error().message);
                    co_return;
                }
                if (attempt >= cfg.drive.max_unsent_retries || co_await cancelled()) co_return;  // the rescan tries again
                co_await pause(sw, backoff_delay(attempt));
            }
            const auto proof = domain::prove_basket(row.rec.seats, tickets_of(b->tickets));
            if (proof.missing > 0) {
                log::warn("reservations", "confirm", "basket lost held tickets; releasing instead of confirming",
                          {{"id", id}, {"missing", static_cast<std::int64_t>(proof.missing)}});
                co_await abandon("basket_changed", "confirm reservation: basket " + basket + " no longer holds " +
                                                    std::to_string(proof.missing) + " of the held tickets");
                co_return;
            }
            if (proof.exact) break;
            if (round >= 2) {
                co_await abandon("basket_changed", "confirm reservation: basket " + basket +
                                                    " keeps tickets that were not held");
                co_return;
            }
            log::warn("reservations", "confirm", "basket holds tickets that were not held; removing them",
                      {{"id", id}, {"extra", static_cast<std::int64_t>(proof.extra_ticket_ids.size())}});
            auto removed = co_await timed(sw, up->remove_tickets(basket, proof.extra_ticket_ids, write_options(true)));
            note_freed(row);
            if (!removed) {
                if (removed.error().cls == upstream::error_class::not_found) {
                    co_await gone("confirm reservation: basket " + basket + " expired upstream before the confirm");
                }
                co_return;  // anything else: the rescan proves the basket again
            }
        }
        if (!same_customer(b->customer, want)) {
            for (int attempt = 1;; ++attempt) {
                // Setting the customer is idempotent; nothing is sold until confirm.
                auto r = co_await timed(sw, up->set_agent_customer(basket, want, write_options(true)));
                if (r) break;
                const auto f = map_failure(r.error(), true);
                if (f == upstream_failure::not_found) {
                    co_await gone("confirm reservation: basket " + basket + " expired upstream before the confirm");
                    co_return;
                }
                if (f == upstream_failure::permanent || f == upstream_failure::conflict) {
                    co_await refuse("confirm reservation: " + r.error().message);
                    co_return;
                }
                if (attempt >= cfg.drive.max_unsent_retries || co_await cancelled()) co_return;  // the rescan tries again
                co_await pause(sw, backoff_delay(attempt));
            }
        }
        // Durable before the first byte of the confirm leaves: from here on the sale may exist.
        auto marked = co_await apply(id, domain::ev::confirm_sending{});
        if (!marked) co_return;  // nothing sent; the rescan tries again
        row = std::move(marked->row);
    }

    sent_guard guard(confirms_sent_in_flight);
    int ambiguous = 0, unsent = 0;
    for (;;) {
        auto o = co_await timed(sw, up->confirm_basket(basket, write_options(false)));
        if (o) {
            std::vector<std::string> barcodes;
            for (const auto& s : row.rec.seats) {
                std::string code;
                for (const auto& t : o->tickets)
                    if ((!s.ticket_id.empty() && t.id == s.ticket_id) || (t.seat_id && *t.seat_id == s.seat)) {
                        code = t.barcode.value_or("");
                        break;
                    }
                barcodes.push_back(std::move(code));
            }
            std::string mismatch = domain::compare_order(row.rec.seats, row.rec.total, tickets_of(o->tickets), face_value(o->tickets));
            if (o->customer && !same_customer(o->customer, customer_of(row.rec)))
                mismatch += std::string(mismatch.empty() ? "" : "; ") + "order carries another customer";
            if (!mismatch.empty())
                log::warn("reservations", "confirm", "order differs from the hold", {{"id", id}, {"order", o->id}, {"difference", mismatch}});
            domain::ev::confirmed order{o->id, std::move(barcodes), "upstream_order", mismatch};
            order.lines = order_lines(o->tickets, total_is_net_for(row));
            domain::event sold = std::move(order);
            auto a = co_await record(id, std::move(sold));
            if (!a) log::error("reservations", "confirm", "order could not be recorded", {{"id", id}, {"order", o->id}, {"cause", a.error().message}});
            co_return;
        }
        const auto f = map_failure(o.error(), true);
        if (f == upstream_failure::not_sent) {
            // Provably not sent (no budget token, refused connection, 429): not unknown.
            if (++unsent > cfg.drive.max_unsent_retries || co_await cancelled()) co_return;  // rescan / recovery resends
            co_await pause(sw, backoff_delay(unsent));
            continue;
        }
        if (f == upstream_failure::transient || f == upstream_failure::timeout || f == upstream_failure::ambiguous) ++ambiguous;
        const auto anchor = domain::lifetime_anchor(row.rec.basket_created_at, row.rec.last_upstream_touch,
                                                    *row.rec.confirm_sent_at, cfg.hold);
        const bool alive = clock.now() < domain::upstream_expiry(anchor, cfg.hold);
        switch (domain::after_sent_confirm_failure(f, o.error().error_code, alive)) {
        case domain::sent_confirm_next::send_again:
            if (co_await cancelled()) co_return;  // recovery resends
            co_await pause(sw, backoff_delay(ambiguous));
            continue;
        case domain::sent_confirm_next::proven_sold: {
            domain::event sold = domain::ev::confirmed{"", {}, "already_confirmed", ""};
            co_await record(id, std::move(sold));
            co_return;
        }
        case domain::sent_confirm_next::proven_not_sold:
            co_await abandon("confirm_not_sold", "confirm reservation: upstream found the basket empty; no order was made (" +
                                                o.error().message + ")");
            co_return;
        case domain::sent_confirm_next::unknown: {
            domain::event unknown = domain::ev::confirm_ambiguous{"confirm reservation: outcome not provable: " + o.error().message};
            co_await record(id, std::move(unknown), set_error_code("confirm_unknown"));
            co_return;
        }
        }
    }
}

asio::awaitable<void> reservation_service::impl::clear_upstream(store::reservation_row row) {
    const std::string id = row.id;
    auto* up = client_for(row);
    auto done = [&](domain::event ev) -> asio::awaitable<void> {
        auto a = co_await record(id, std::move(ev));
        if (a) {
            release_attempts.erase(id);
            release_not_before.erase(id);
            // A late add may land after this clear and hold seats for a whole lifetime.
            if (ambiguous_baskets.erase(row.rec.basket_id))
                sweeps.push_back({id, row.rec.basket_id, sc::now() + cfg.sweep_after});
        }
    };
    if (row.rec.basket_id.empty() || !up) {
        co_await done(domain::ev::released{});
        co_return;
    }
    auto r = co_await up->clear_basket(row.rec.basket_id, write_options(true));
    note_freed(row);
    if (r) {
        co_await done(domain::ev::released{});
        co_return;
    }
    auto d = domain::classify_failure(domain::upstream_step::release, map_failure(r.error(), true), r.error().error_code,
                                      domain::request_form::specific_seats);
    if (d.kind == domain::decision_kind::already_done) {
        co_await done(domain::ev::expired{});
        co_return;
    }
    if (d.kind == domain::decision_kind::wait_for_upstream_expiry) {
        const auto anchor = domain::lifetime_anchor(row.rec.basket_created_at, row.rec.last_upstream_touch, row.rec.updated_at, cfg.hold);
        if (clock.now() >= domain::upstream_expiry(anchor, cfg.hold)) {
            note_freed(row);
            co_await done(domain::ev::expired{});
            co_return;
        }
    }
    // Backs off across drives: the expiry pass starts one every 250 ms, the drive waits.
    const int n = ++release_attempts[id];
    release_not_before[id] = sc::now() + backoff_delay(n);
}

asio::awaitable<void> reservation_service::impl::run_sweeps() {
    const auto now = sc::now();
    std::vector<sweep> due;
    std::erase_if(sweeps, [&](const sweep& s) {
        if (s.due > now) return false;
        due.push_back(s);
        return true;
    });
    for (const auto& s : due) {
        auto row = load(s.id);
        if (!row) continue;
        auto* up = client_for(*row);
        if (!up) continue;
        // Best effort: a basket already gone (404) is what we want; anything else expires.
        auto r = co_await up->clear_basket(s.basket, write_options(true));
        note_freed(*row);
        log::info("reservations", "sweep", "released basket cleared again after an ambiguous write",
                  {{"id", s.id}, {"basket", s.basket}, {"outcome", r ? std::string("cleared") : r.error().message}});
    }
}

}  // namespace agentd::reservations
