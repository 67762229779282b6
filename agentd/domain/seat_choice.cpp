#include "agentd/domain/seat_choice.hpp"

#include <algorithm>
#include <map>

namespace agentd::domain {

namespace {

// A picture may serve as proof only while young, and only if taken after agentd last freed
// seats of the instance (a picture from before would miss those seats).
bool usable(sys_time taken, sys_time freed_at, sys_time now, const local_settings& s) {
    if (s.max_age <= std::chrono::milliseconds::zero()) return false;
    if (taken > now) return false;  // a stepped clock: prove nothing
    if (now - taken > s.max_age) return false;
    return taken > freed_at;
}

bool matches(const free_seat& seat, const best_available_request& b) {
    if (!b.price_band.empty() && seat.price_band != b.price_band) return false;
    if (!b.area.empty() && seat.area != b.area) return false;
    return true;
}

}  // namespace

std::string_view to_string(local_verdict v) noexcept {
    switch (v) {
    case local_verdict::go_upstream: return "go_upstream";
    case local_verdict::wait: return "wait";
    case local_verdict::sold_out: return "sold_out";
    }
    return "unknown";
}

local_verdict judge_locally(const reservation_request& r, const local_claims& claims,
                            const seat_snapshot* snapshot, const std::vector<scarcity_proof>& proofs,
                            sys_time now, const local_settings& s) {
    if (r.best_available) {
        const auto& b = *r.best_available;
        // Upstream's own recent "not enough here", for this band/area or for the whole instance.
        for (const auto& p : proofs) {
            if (!usable(p.sent, claims.freed_at, now, s)) continue;
            const bool same_place = (p.price_band.empty() || p.price_band == b.price_band) &&
                                    (p.area.empty() || p.area == b.area);
            if (same_place && b.quantity >= p.quantity) return local_verdict::sold_out;
        }
        if (!snapshot || !usable(snapshot->as_of, claims.freed_at, now, s)) return local_verdict::go_upstream;
        int free = 0;
        int free_unclaimed = 0;
        for (const auto& seat : snapshot->free) {
            if (!matches(seat, b) || claims.held.contains(seat.id)) continue;
            ++free;
            if (!claims.placing_seats.contains(seat.id)) ++free_unclaimed;
        }
        if (free < b.quantity) return local_verdict::sold_out;
        // Earlier placements come first; this one wins only if one of them fails, so it waits
        // (a placement that fails frees its seats for the next in line).
        if (free_unclaimed - claims.placing_quantity < b.quantity) return local_verdict::wait;
        return local_verdict::go_upstream;
    }
    if (!snapshot || !usable(snapshot->as_of, claims.freed_at, now, s) || r.tickets.empty())
        return local_verdict::go_upstream;
    std::set<std::string_view> free_ids;
    for (const auto& seat : snapshot->free) free_ids.insert(seat.id);
    bool waits = false;
    for (const auto& t : r.tickets) {
        // Not a seat of the picture at all (an unreserved area, a seat the mirror lacks): only
        // upstream knows.
        if (!free_ids.contains(t.seat)) {
            if (claims.held.contains(t.seat)) return local_verdict::sold_out;
            return local_verdict::go_upstream;
        }
        if (claims.held.contains(t.seat)) return local_verdict::sold_out;
        if (claims.placing_seats.contains(t.seat)) waits = true;
    }
    return waits ? local_verdict::wait : local_verdict::go_upstream;
}

std::vector<std::string> choose_seats(const best_available_request& b, const local_claims& claims,
                                      const seat_snapshot* snapshot, sys_time now,
                                      const local_settings& s) {
    std::vector<std::string> out;
    if (!snapshot || b.quantity <= 0 || !usable(snapshot->as_of, claims.freed_at, now, s)) return out;
    for (const auto& seat : snapshot->free) {
        if (!matches(seat, b) || claims.held.contains(seat.id) || claims.placing_seats.contains(seat.id)) continue;
        out.push_back(seat.id);
        if (static_cast<int>(out.size()) == b.quantity) return out;
    }
    out.clear();
    return out;
}

std::vector<std::string> choose_locked_seats(const best_available_request& b, const std::vector<std::string>& lock_types,
                                             const local_claims& claims, const seat_snapshot* snapshot) {
    std::vector<std::string> out;
    if (!snapshot || b.quantity <= 0 || lock_types.empty()) return out;
    // Candidates by (area, row), ordered by seat number.
    std::map<std::pair<std::string_view, std::string_view>, std::vector<const locked_seat*>> rows;
    for (const auto& seat : snapshot->locked) {
        if (std::find(lock_types.begin(), lock_types.end(), seat.lock_type) == lock_types.end()) continue;
        if (!b.price_band.empty() && seat.price_band != b.price_band) continue;
        if (!b.area.empty() && seat.area != b.area) continue;
        if (claims.held.contains(seat.id) || claims.placing_seats.contains(seat.id)) continue;
        rows[{seat.area, seat.row}].push_back(&seat);
    }
    for (auto& [where, seats] : rows) {
        std::sort(seats.begin(), seats.end(), [](const locked_seat* x, const locked_seat* y) { return x->number < y->number; });
        std::size_t run = 0;  // start of the current run of consecutive numbers
        for (std::size_t i = 0; i < seats.size(); ++i) {
            if (i > run && seats[i]->number != seats[i - 1]->number + 1) run = i;
            if (static_cast<int>(i - run + 1) == b.quantity) {
                for (std::size_t k = run; k <= i; ++k) out.push_back(seats[k]->id);
                return out;
            }
        }
    }
    return out;
}

}  // namespace agentd::domain
