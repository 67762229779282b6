// reservations/settings: what the reservation service is told at construction, in its own
// vocabulary (domain rules and durations). The composition root maps the config file onto it;
// nothing in reservations/ reads config. Plain values.
#pragma once

#include "agentd/core/backoff.hpp"
#include "agentd/domain/fair_queue.hpp"
#include "agentd/domain/hold.hpp"
#include "agentd/domain/placement.hpp"
#include "agentd/domain/reservation_request.hpp"
#include "agentd/domain/settlement.hpp"

#include <chrono>

namespace agentd::reservations {

// How a best-available hold gets its seats from a venue ([[client]] basket_best_available):
// GET instances/{id}/best-available then add those seats (never), POST baskets/{id}/tickets/
// best-available (always), or the basket form only while another hold of ours for the same
// instance is being placed (automatic). See docs/reservations.md.
enum class best_available_form { automatic, always, never };

struct settings {
    domain::hold_settings hold;            // basket lifetime, its mode, expiry margin, max hold
    domain::request_limits limits;         // seats per request
    domain::placement_retry_policy retry;  // best-available attempts when a seat is taken between
    domain::fair_queue_settings queue;     // bounds and channel weights
    domain::drive_limits drive;            // attempts per step
    backoff_policy backoff{std::chrono::milliseconds(100), std::chrono::milliseconds(5'000), 4};  // delays of every retry loop
    std::chrono::milliseconds call_timeout{30'000};       // one upstream call, retries included
    std::chrono::seconds extend_min_interval{10};         // per reservation
    std::chrono::milliseconds rescan_interval{5'000};     // re-drive rows missing from memory
    std::chrono::milliseconds drain_timeout{10'000};      // on stop: let confirms already sent finish
    // A write whose answer was lost may still be applied after the basket was cleared (a late
    // add): such a basket is cleared once more this long after its release.
    std::chrono::milliseconds sweep_after{30'000};
    // At start, how long readiness waits for the drives of reservations left in flight.
    std::chrono::milliseconds recovery_wait{10'000};
    // A placement is answered `unavailable` without an upstream request when a seat picture
    // younger than this (the mirror's seat status, or upstream's own answer to an earlier
    // request) proves nothing is left that agentd does not already hold. 0 disables.
    std::chrono::milliseconds local_sold_out_max_age{10'000};
    // Best-available seats are picked from that picture and added directly (one upstream
    // request fewer); a seat taken meanwhile (409) falls back to upstream's best available.
    bool choose_seats_from_mirror = false;
    // A hold that would end inside a coming do-not-transact window ends this long before it
    // starts instead, so its release is sent while writes still go.
    std::chrono::seconds window_release_lead{5};
};

}  // namespace agentd::reservations
