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
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::store {
struct reservation_row;
}

namespace agentd::reservations {

struct local_answer_state {
    using key = std::pair<std::string, std::string>;  // (client, instance)
    using key_view = std::pair<std::string_view, std::string_view>;
    // Looks up by key_view: a verdict builds no strings to find its instance's entries.
    struct key_less {
        using is_transparent = void;
        static key_view view(const key& k) { return {k.first, k.second}; }
        static key_view view(const key_view& k) { return k; }
        template <class A, class B>
        bool operator()(const A& a, const B& b) const { return view(a) < view(b); }
    };
    const domain::seat_status_view* seats = nullptr;  // none: only upstream's answers count
    struct placing {
        int quantity = 0;
        std::set<std::string> seats;  // asked for, or chosen from the mirror
    };
    // Placements running or admitted, with what each instance's add up to: a verdict reads
    // its instance's totals, not every placement (a rush has hundreds in flight).
    struct instance_placings {
        std::map<std::string, placing, std::less<>> by_id;
        int unseated_quantity = 0;                 // of those without seats yet
        std::map<std::string, int, std::less<>> seats;  // seat → how many placements claim it
    };
    std::map<key, instance_placings, key_less> placing_by_instance;
    std::map<std::string, key, std::less<>> placing_key;  // reservation id → its instance
    // Replaces any earlier entry of the id.
    void start_placing(const std::string& id, key_view k, int quantity, std::set<std::string> seats);
    void set_placing_seats(std::string_view id, std::set<std::string> seats);
    void stop_placing(std::string_view id);
    // What the instance's placements other than `id` claim.
    void placing_claims(key_view k, std::string_view id, int& quantity, std::set<std::string>& seats) const;
    // Seats agentd's live holds occupy, per instance: read from the store on first use, then
    // kept by every committed transition (all of them pass through the service). A sale
    // (confirmed) keeps its time: it counts only while younger than any usable picture.
    struct held_entry {
        std::vector<std::string> seats;
        std::optional<sys_time> sold_at;
    };
    std::map<key, std::map<std::string, held_entry, std::less<>>, key_less> held;
    std::map<key, sys_time, key_less> freed_at;
    std::map<key, std::vector<domain::scarcity_proof>, key_less> proofs;
    std::map<key, std::vector<std::string>, key_less> parked;
    std::uint64_t answered = 0;  // rejected locally, no upstream request spent
    sys_time started{};          // seats freed before a restart are unknown: pictures must be younger
};

}  // namespace agentd::reservations
