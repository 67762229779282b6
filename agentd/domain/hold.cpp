#include "agentd/domain/hold.hpp"

#include <algorithm>

namespace agentd::domain {

result<void> validate(const hold_settings& s) {
    if (s.basket_lifetime <= seconds{0}) return fail(errc::config_error, "check hold settings: basket_lifetime must be positive");
    if (s.expiry_margin < seconds{0} || s.expiry_margin >= s.basket_lifetime)
        return fail(errc::config_error, "check hold settings: expiry_margin must be in [0, basket_lifetime)");
    if (s.max_hold <= seconds{0}) return fail(errc::config_error, "check hold settings: max_hold must be positive");
    return {};
}

sys_time lifetime_anchor(std::optional<sys_time> basket_created, std::optional<sys_time> last_touch, sys_time fallback,
                         const hold_settings& s) {
    if (s.mode == lifetime_mode::absolute) return basket_created.value_or(last_touch.value_or(fallback));
    return last_touch.value_or(basket_created.value_or(fallback));
}

sys_time upstream_expiry(sys_time anchor, const hold_settings& s) { return anchor + s.basket_lifetime; }

sys_time local_deadline(sys_time created_at, sys_time last_upstream_touch, const hold_settings& s) {
    return std::min(last_upstream_touch + s.basket_lifetime - s.expiry_margin, created_at + s.max_hold);
}

bool expiry_due(sys_time deadline, sys_time now) noexcept { return now >= deadline; }

std::string_view to_string(lifetime_mode m) noexcept { return m == lifetime_mode::absolute ? "absolute" : "sliding"; }

result<lifetime_mode> parse_lifetime_mode(std::string_view text) {
    if (text == "sliding") return lifetime_mode::sliding;
    if (text == "absolute") return lifetime_mode::absolute;
    return fail(errc::invalid_argument, "parse basket lifetime mode: expected sliding or absolute");
}

result<void> check_extension(sys_time created_at, sys_time current_deadline, sys_time now, const hold_settings& s) {
    if (s.mode == lifetime_mode::absolute)
        return fail(errc::conflict, "extend hold: the upstream basket lifetime is absolute; nothing can extend it");
    if (now >= current_deadline) return fail(errc::conflict, "extend hold: deadline has passed");
    if (current_deadline >= created_at + s.max_hold)
        return fail(errc::conflict, "extend hold: already at the maximum hold time");
    return {};
}

result<sys_time> extended_deadline(sys_time created_at, sys_time current_deadline, sys_time touched_at,
                                   const hold_settings& s) {
    if (auto ok = check_extension(created_at, current_deadline, touched_at, s); !ok) return ok.error();
    // Never shorten a hold: a touch can only move the deadline later.
    return std::max(current_deadline, local_deadline(created_at, touched_at, s));
}

}  // namespace agentd::domain
