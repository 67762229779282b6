// Seat locks of one client: the generated agency allocations and the /_sim/locks control
// (see state.hpp). A lock outlives a basket holding its seat, so a released seat returns to it.
#include "sim/state.hpp"

#include <algorithm>

namespace agentd::sim {

void client_state::generate_agency_locks(lock_plan agency) {
    seat_lock lock{k_agency_lock, 0};
    for (std::uint32_t a = 0; a < agency.accounts && a < c_->accounts.size() && a < 64; ++a) lock.accounts |= 1ULL << a;
    // One block per instance at the back of the first reserved area, where a venue puts an
    // agency's allocation; its position along the row comes from the seed.
    for (std::uint32_t i = 0; i < c_->instances.size(); ++i) {
        auto& p = c_->plans[c_->instances[i].plan];
        auto a = std::find_if(p.areas.begin(), p.areas.end(), [](const area& x) { return x.kind == area_kind::reserved; });
        if (a == p.areas.end() || a->capacity() == 0) continue;
        std::uint32_t width = 0;
        for (std::uint32_t s = a->slot_end; s > a->slot_begin && p.slots[s - 1].row == p.slots[a->slot_end - 1].row; --s) ++width;
        const std::uint32_t n = std::min(agency.seats, a->capacity());
        rng r(salt_ ^ (std::uint64_t(i) << 24) ^ 0xa6e1c7);
        const std::uint32_t off = n < width ? std::uint32_t(r.below(width - n + 1)) : 0;
        for (std::uint32_t s = a->slot_end - off - n; s < a->slot_end - off; ++s) {
            if (state(i, s) != seat_state::available) continue;
            at(i, s) = std::uint8_t(seat_state::locked);
            locks_[key(i, s)] = lock;
        }
    }
}

std::optional<seat_lock> client_state::lock_of(std::uint32_t inst, std::uint32_t slot) const {
    auto it = locks_.find(key(inst, slot));
    if (it == locks_.end()) return std::nullopt;
    return it->second;
}

bool client_state::locked_for(std::uint32_t inst, std::uint32_t slot, int account) const {
    if (account < 0 || account >= 64 || state(inst, slot) != seat_state::locked) return false;
    auto l = lock_of(inst, slot);
    return l && (l->accounts >> account & 1U);
}

outcome<void> client_state::lock_seats(std::uint32_t inst, const std::vector<std::uint32_t>& slots, seat_lock lock) {
    auto& p = c_->plans[c_->instances[inst].plan];
    for (auto s : slots) {
        auto st = state(inst, s);
        if (st != seat_state::available && st != seat_state::locked)
            return api_fail(409, 20, "Seat " + seat_name(p, s) + " is " + std::string(to_string(st)) + ".");
    }
    for (auto s : slots) {
        at(inst, s) = std::uint8_t(seat_state::locked);
        locks_[key(inst, s)] = lock;
    }
    return {};
}

outcome<void> client_state::unlock_seats(std::uint32_t inst, const std::vector<std::uint32_t>& slots) {
    auto& p = c_->plans[c_->instances[inst].plan];
    for (auto s : slots)
        if (state(inst, s) != seat_state::locked) return api_fail(409, 0, "Seat " + seat_name(p, s) + " is not locked.");
    for (auto s : slots) {
        at(inst, s) = std::uint8_t(seat_state::available);
        locks_.erase(key(inst, s));
    }
    return {};
}

}  // namespace agentd::sim
