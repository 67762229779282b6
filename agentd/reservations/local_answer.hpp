// reservations/local_answer: spends upstream requests only on reservations that can still
// win. Before a placement goes upstream (and again before each of its upstream calls) the
// reservation is judged from what agentd knows (domain/seat_choice): a young picture of the
// instance's seats (the mirror's seat status through a narrow view, or upstream's own recent
// "not enough seats" answer), minus the seats agentd's live holds occupy, minus what earlier
// placements (running, or queued ahead and able to win) may take. Provably nothing left:
// rejected at once with `unavailable`, the same code the upstream path gives. Wins only if an
// earlier placement fails: parked without spending anything, looked at again when a placement
// of that instance ends or seats are freed (and by the rescan). Otherwise it goes upstream.
// Private to reservations/. Threading: the executor's single thread only.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/domain/seat_choice.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace agentd::store {
struct reservation_row;
}

namespace agentd::reservations {

struct local_answer_state {
    using key = std::pair<std::string, std::string>;  // (client, instance)
    const domain::seat_status_view* seats = nullptr;  // none: only upstream's answers count
    struct placing {
        std::string client, instance;
        int quantity = 0;
        std::set<std::string> seats;  // asked for, or chosen from the mirror
    };
    std::map<std::string, placing, std::less<>> placing_now;  // by reservation id
    std::map<key, sys_time> freed_at;
    std::map<key, std::vector<domain::scarcity_proof>> proofs;
    std::map<key, std::vector<std::string>> parked;
    std::uint64_t answered = 0;  // rejected locally, no upstream request spent
    sys_time started{};          // seats freed before a restart are unknown: pictures must be younger
};

}  // namespace agentd::reservations
