#include "agentd/mirror/seat_diff.hpp"

#include "agentd/domain/diff.hpp"

namespace agentd::mirror {

std::uint8_t seat_state_byte(const upstream::seat_status& s) {
    std::uint8_t tag = 0;
    if (!s.lock_type.empty()) tag = static_cast<std::uint8_t>(1 + domain::fnv1a64(s.lock_type) % 31);
    return static_cast<std::uint8_t>((static_cast<unsigned>(s.status) & 7u) | static_cast<unsigned>(tag) << 3);
}

seat_picture picture_of(const std::vector<upstream::seat_status>& seats) {
    seat_picture p;
    domain::content_hasher ids, locks;
    p.states.reserve(seats.size());
    for (std::size_t i = 0; i < seats.size(); ++i) {
        const auto& s = seats[i];
        ids.field(s.id);
        p.states.push_back(seat_state_byte(s));
        if (!s.lock_type.empty()) locks.field(static_cast<std::int64_t>(i)).field(s.lock_type);
    }
    p.ids_hash = ids.value();
    p.lock_types_hash = locks.value();
    return p;
}

std::vector<std::size_t> changed_seats(const seat_picture* before, const seat_picture& now) {
    std::vector<std::size_t> out;
    const bool comparable = before && before->ids_hash == now.ids_hash && before->states.size() == now.states.size();
    // Rare: the upsert then skips the seats whose row already matches.
    const bool locks_moved = comparable && before->lock_types_hash != now.lock_types_hash;
    for (std::size_t i = 0; i < now.states.size(); ++i) {
        const bool changed = !comparable || before->states[i] != now.states[i] ||
                             (locks_moved && ((before->states[i] | now.states[i]) >> 3) != 0);
        if (changed) out.push_back(i);
    }
    return out;
}

}  // namespace agentd::mirror
