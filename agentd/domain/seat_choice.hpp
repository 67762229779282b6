// domain/seat_choice: what agentd can decide about a placement without asking upstream. From
// a recent picture of an instance's seats (the mirror's seat status, or upstream's own "no
// seats" answer to an earlier request) minus the seats agentd itself holds, it proves that a
// request cannot be served (answer it at once), that it can win only if an earlier placement
// still running fails (let it wait without spending upstream requests), or that it may win
// (go upstream); and it picks seats from that picture for the placement to add directly.
// Correctness rests on one rule: the picture may only ever over-state what is free. It is
// refused when older than the configured age, when agentd freed seats of the instance after
// (or around) the moment it was taken, and seats of unknown status count as free.
// Pure functions; thread-safe. The seat status view is read-only during a call.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/domain/reservation_request.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <memory>
#include <string_view>
#include <vector>

namespace agentd::domain {

struct free_seat {
    std::string id;
    std::string area;
    std::string price_band;
};

// A seat upstream showed Locked with a known lock type (an allocation, house seats, ...).
struct locked_seat {
    std::string id;
    std::string area;
    std::string price_band;
    std::string row;
    std::int64_t number = 0;
    std::string lock_type;
};

// Seats of one instance that were free (or of unknown status) at `as_of`, in plan order, and
// the seats that were locked with a known lock type.
struct seat_snapshot {
    sys_time as_of{};  // no later than the moment upstream's state was read
    std::vector<free_seat> free;
    std::vector<locked_seat> locked;
};

// The mirror's seat status as the reservation service sees it (store-backed in the daemon).
class seat_status_view {
public:
    virtual ~seat_status_view() = default;
    // Null when the instance's seats are not known seat by seat (no reserved plan, the venue
    // offers no seat status, never synced). Shared, not copied: a placement looks at the
    // picture several times and an instance has up to thousands of seats.
    virtual std::shared_ptr<const seat_snapshot> seats_of(std::string_view client, std::string_view instance) const = 0;
};

// Upstream answered a best-available request of `quantity` with fewer seats (or "impossible")
// in this band/area: fewer than `quantity` were free there at `sent` (the request's send time).
struct scarcity_proof {
    sys_time sent{};
    int quantity = 0;
    std::string price_band, area;
};

enum class local_verdict {
    go_upstream,  // may win (or nothing can be proven): spend upstream requests on it
    wait,         // wins only if an earlier placement fails: spend nothing yet, look again
    sold_out,     // provably nothing for it: answer `unavailable` at once
};
std::string_view to_string(local_verdict v) noexcept;

struct local_settings {
    std::chrono::milliseconds max_age{10'000};  // 0: never answer locally
};

// What agentd knows about the instance besides the picture.
struct local_claims {
    std::set<std::string> held;  // seats agentd's live holds (held, confirming, sold) occupy
    // Seats wanted by earlier placements still running (best available: count only).
    int placing_quantity = 0;
    std::set<std::string> placing_seats;  // seats those placements chose or asked for
    // Latest moment agentd freed seats of this instance (a basket cleared, expired, tickets
    // removed, or the service started): a picture taken before it proves nothing.
    sys_time freed_at{};
};

// The request's seats that count: best available filtered by band/area; for specific seats
// only the requested seats (each must be free).
local_verdict judge_locally(const reservation_request& r, const local_claims& claims,
                            const seat_snapshot* snapshot,
                            const std::vector<scarcity_proof>& proofs, sys_time now, const local_settings& s);

// Picks `quantity` seats for a best-available request from a usable picture (same freshness
// rules as judge_locally), skipping held and placing seats. Empty when it cannot.
std::vector<std::string> choose_seats(const best_available_request& b, const local_claims& claims,
                                      const seat_snapshot* snapshot, sys_time now,
                                      const local_settings& s);

// Picks `quantity` adjacent seats (one area and row, consecutive numbers) among the picture's
// locked seats of `lock_types` that match the band/area, skipping held and placing seats:
// the seats of a locked_only pool's fill (docs/pools.md). No freshness rule: a picture that
// is behind costs a refused add (the fill fails and backs off), never a seat that is not the
// allocation's, and an allocation seat agentd holds is in claims.held. Empty when none.
std::vector<std::string> choose_locked_seats(const best_available_request& b, const std::vector<std::string>& lock_types,
                                             const local_claims& claims, const seat_snapshot* snapshot);

}  // namespace agentd::domain
