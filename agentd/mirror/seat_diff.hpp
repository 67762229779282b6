// mirror/seat_diff: which seats of an instance's per-seat status changed since the last poll,
// so that only those are written. A poll is kept as one byte per seat (status and a 5-bit tag
// of its lock type) plus a hash of the seat order and one of every Locked seat's full lock
// type: a seat re-locked under another type whose tag is the same is still found. Pure; any
// thread.
#pragma once

#include "agentd/upstream/types.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace agentd::mirror {

struct seat_picture {
    std::uint64_t ids_hash = 0;         // the seats' order
    std::vector<std::uint8_t> states;   // per seat, in that order
    std::uint64_t lock_types_hash = 0;  // every Locked seat's position and full lock type
};

// The byte a seat is compared by: status in the low 3 bits, lock type tag (0: none) above.
std::uint8_t seat_state_byte(const upstream::seat_status& s);

seat_picture picture_of(const std::vector<upstream::seat_status>& seats);

// Indexes into `seats` (whose picture is `now`) of the seats to write: all of them without a
// comparable `before` (none yet, or another seat order); else those whose byte changed, and,
// when a lock type changed under a shared tag, every seat with a lock type before or now.
std::vector<std::size_t> changed_seats(const seat_picture* before, const seat_picture& now);

}  // namespace agentd::mirror
