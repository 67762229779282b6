// domain/hold: hold deadline arithmetic. Upstream baskets live for a lifetime that is not
// exposed in responses (docs/upstream-contract.md U9: sliding, restarted by every modifying call; a real
// system may run it from creation instead, so the mode is a setting), so agentd tracks it from
// its own calls and acts a safety margin before it. Every time passed in as a "touch" is the
// SEND time of a call known to have been applied: upstream started its clock no earlier, so a
// deadline derived from it can only be early, never late. Pure functions; thread-safe.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace agentd::domain {

enum class lifetime_mode { sliding, absolute };

struct hold_settings {
    seconds basket_lifetime{20 * 60};  // upstream lifetime (after each modifying call when sliding)
    seconds expiry_margin{2 * 60};     // act this long before upstream would expire it
    seconds max_hold{60 * 60};         // no hold outlives created_at + max_hold
    lifetime_mode mode = lifetime_mode::sliding;
};

// Refuses settings where the margin eats the whole lifetime or max_hold is not positive.
result<void> validate(const hold_settings& s);

// The time the basket's lifetime runs from: the last applied touch when sliding, the basket's
// creation when absolute (a basket never created yet has neither: `fallback`).
sys_time lifetime_anchor(std::optional<sys_time> basket_created, std::optional<sys_time> last_touch, sys_time fallback,
                         const hold_settings& s);

// When upstream will drop the basket if nothing touches it again (`anchor` from lifetime_anchor).
sys_time upstream_expiry(sys_time anchor, const hold_settings& s);

// The local deadline: last touch + lifetime - margin, capped at created_at + max_hold.
sys_time local_deadline(sys_time created_at, sys_time last_upstream_touch, const hold_settings& s);

// Whether the hold's local deadline has been reached (the worker then releases the seats).
bool expiry_due(sys_time deadline, sys_time now) noexcept;

std::string_view to_string(lifetime_mode m) noexcept;
result<lifetime_mode> parse_lifetime_mode(std::string_view text);

// Whether a request to extend may go upstream: only with a sliding lifetime, before the current
// deadline and while there is room below created_at + max_hold. errc::conflict otherwise.
result<void> check_extension(sys_time created_at, sys_time current_deadline, sys_time now, const hold_settings& s);

// The deadline after an extension whose upstream touch happened at `touched_at` (the sliding
// lifetime restarted then). Same refusals as check_extension, evaluated at `touched_at`.
result<sys_time> extended_deadline(sys_time created_at, sys_time current_deadline, sys_time touched_at,
                                   const hold_settings& s);

}  // namespace agentd::domain
