// domain/hold: hold deadline arithmetic. Upstream baskets live for a sliding lifetime that is
// not exposed in responses (contract §14 #9), so agentd tracks it from its own calls and acts
// a safety margin before it. Pure functions of times passed in; thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <chrono>

namespace agentd::domain {

struct hold_settings {
    seconds basket_lifetime{20 * 60};  // upstream sliding lifetime after each modifying call
    seconds expiry_margin{2 * 60};     // act this long before upstream would expire it
    seconds max_hold{60 * 60};         // no hold outlives created_at + max_hold
};

// Refuses settings where the margin eats the whole lifetime or max_hold is not positive.
result<void> validate(const hold_settings& s);

// When upstream will drop the basket if nothing touches it again.
sys_time upstream_expiry(sys_time last_upstream_touch, const hold_settings& s);

// The local deadline: last touch + lifetime - margin, capped at created_at + max_hold.
sys_time local_deadline(sys_time created_at, sys_time last_upstream_touch, const hold_settings& s);

// Whether the hold's local deadline has been reached (the worker then releases the seats).
bool expiry_due(sys_time deadline, sys_time now) noexcept;

// Whether a request to extend may go upstream: only before the current deadline and while
// there is room below created_at + max_hold. errc::conflict otherwise, with the cause.
result<void> check_extension(sys_time created_at, sys_time current_deadline, sys_time now, const hold_settings& s);

// The deadline after an extension whose upstream touch happened at `touched_at` (the sliding
// lifetime restarted then). Same refusals as check_extension, evaluated at `touched_at`.
result<sys_time> extended_deadline(sys_time created_at, sys_time current_deadline, sys_time touched_at,
                                   const hold_settings& s);

}  // namespace agentd::domain
