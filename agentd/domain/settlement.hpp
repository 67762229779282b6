// domain/settlement: the rules of confirming a hold, which decide what the agent is invoiced
// for. Before the confirm is sent the basket is proven to hold exactly the held tickets (extras
// removed, missing ones end the attempt); after it is sent every failure is read as "may have
// sold" until proven otherwise; the order that comes back is compared with the hold and a
// difference is recorded, never hidden. Also the small placing rules (seat or area, all or
// nothing). Pure functions; thread-safe.
#pragma once

#include "agentd/core/money.hpp"
#include "agentd/domain/placement.hpp"
#include "agentd/domain/reservation.hpp"
#include "agentd/domain/reservation_request.hpp"

#include <string>
#include <vector>

namespace agentd::domain {

// Bounds of the driver's retry loops; the delays come from core/backoff.
struct drive_limits {
    int max_place_attempts = 5;      // placements (requeues after transient failures), then rejected
    int max_unsent_retries = 6;      // provably unsent calls of one step, then the step is left for a later drive
};

// A ticket as a basket or an order shows it.
struct basket_ticket {
    std::string ticket_id;
    std::string seat;  // seat id, or the area id of an unreserved place
    money price;
};

struct basket_proof {
    bool exact = false;                        // exactly the held tickets, nothing else
    std::vector<std::string> extra_ticket_ids;  // in the basket, not held: remove before confirming
    int missing = 0;                           // held tickets no longer in the basket
};

// Compares the basket with the hold by ticket id (by seat when the hold has no ticket ids).
basket_proof prove_basket(const std::vector<held_seat>& held, const std::vector<basket_ticket>& basket);

// How an order differs from its hold: "" when the tickets (count and seats) and the total
// match, else a short description ("order has 3 tickets, hold has 2; total 105.00 vs 70.00").
std::string compare_order(const std::vector<held_seat>& held, money held_total, const std::vector<basket_ticket>& order,
                          money order_total);

// What the driver does after a confirm that was (maybe) sent failed.
enum class sent_confirm_next {
    send_again,       // nothing was applied, or it may have been: confirming the same basket again is safe
    proven_sold,      // 409 errorCode 100: the basket became an order
    proven_not_sold,  // 409 errorCode 101: the basket is empty, no order came of it
    unknown,          // cannot be proven: confirm_unknown, settled by an operator
};
std::string_view to_string(sent_confirm_next n) noexcept;

// `basket_alive`: the basket's lifetime (from the last applied touch) has not run out, so
// confirming it again still proves the outcome either way; once it may have expired a 404 can
// no longer tell "expired" from "confirmed" and ambiguity becomes confirm_unknown.
sent_confirm_next after_sent_confirm_failure(upstream_failure f, int error_code, bool basket_alive) noexcept;

// Specific seats: a requested id that the plan knows as an unreserved area (and not as a
// seat) is added as an area ticket; everything else as a seat.
bool add_as_area(const instance_facts* facts, const std::string& requested);

// Best available is all or nothing: anything but exactly `wanted` seats offered is refused.
bool best_available_complete(std::size_t offered, int wanted) noexcept;

}  // namespace agentd::domain
