// The simulated catalogue: clients, their agent accounts, plans (shared by the instances of a
// venue), events, instances, price bands, ticket types and price lists. Generated once from a
// seed and a size (generate.cpp) and then read-only; mutable seat state lives in state.hpp.
// Threading: immutable after generate_world returns, so any thread may read it.
#pragma once

#include "agentd/core/clock.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace agentd::sim {

enum class size_preset { tiny, small, venue300, large };
bool parse_size(std::string_view text, size_preset& out) noexcept;

struct account {
    std::string login;
    std::string secret_b64;  // simulator credential: safe to print
    std::string key;         // base64-decoded secret, the HMAC key
};

enum class area_kind : std::uint8_t { reserved, unreserved, group };

struct area {
    std::string id;
    std::string name;
    area_kind kind = area_kind::reserved;
    std::int32_t parent = -1;
    std::vector<std::uint32_t> children;
    std::uint32_t slot_begin = 0, slot_end = 0;  // leaf areas only; slots of a row are adjacent
    std::uint16_t band = 0;                      // unreserved areas: their one band
    std::uint32_t capacity() const noexcept { return slot_end - slot_begin; }
    bool leaf() const noexcept { return kind != area_kind::group; }
};

// One slot per place: a numbered seat in a reserved area or one place of an unreserved capacity.
struct slot {
    std::uint16_t area = 0;
    std::uint16_t row = 0;     // index from the front, reserved only
    std::uint16_t number = 0;  // 1-based within the row
    std::uint16_t x = 0, y = 0;
    std::uint8_t band = 0;
};

struct plan {
    std::string id;
    std::string name;
    std::string venue_id;
    std::uint32_t seat_id_base = 0;  // seat id = seat_id_base + slot index
    std::vector<area> areas;         // areas[0..] ; roots have parent -1
    std::vector<slot> slots;
    std::uint32_t capacity() const noexcept { return std::uint32_t(slots.size()); }
};

struct band { std::string id, name; };
struct ticket_type { std::string id, name; };
// A venue's lock type. Index 0 is the house lock (no agent may buy its seats), index 1 the
// agency allocation (its seats are sold only to the accounts a lock names).
struct lock_type { std::string id, name; };
inline constexpr std::uint16_t k_house_lock = 0, k_agency_lock = 1;

struct price_list {
    std::string id;
    std::vector<std::string> price_ids;  // [band * types + type]
    std::vector<std::int64_t> amounts;   // minor units, same index
};

struct event {
    std::string id, name, description;
    int duration = 120;
    std::uint32_t price_list = 0;
    std::vector<std::uint32_t> instances;
};

struct instance {
    std::string id;
    std::uint32_t event = 0, plan = 0;
    sys_time start;                 // venue local == UTC in the simulator
    sys_time agent_sell_from;       // agents may buy from here until start
    bool cancelled = false;
    bool agent_visible = true;
    bool agent_on_sale = true;
    std::uint64_t state_offset = 0;  // first slot of this instance in client_state::seats
};

struct client {
    std::string name;
    std::vector<account> accounts;
    std::vector<band> bands;
    std::vector<ticket_type> types;
    std::vector<lock_type> lock_types;
    std::vector<plan> plans;
    std::vector<price_list> price_lists;
    std::vector<event> events;
    std::vector<instance> instances;
    std::uint64_t total_slots = 0;
    std::unordered_map<std::string, std::uint32_t> event_by_id, instance_by_id, type_by_id, band_by_id;
    std::unordered_map<std::string, std::uint32_t> area_by_id;  // value: plan << 16 | area
    std::int64_t agent_discount_bp = 1000;  // agentDiscount per ticket, basis points of face value
    int account_index(std::string_view login) const noexcept;
};

// A ticket's agentDiscount: the client's share of its face value, rounded half up to the minor unit.
inline std::int64_t agent_discount_of(const client& c, std::int64_t price) noexcept {
    return (price * c.agent_discount_bp + 5000) / 10000;
}

struct world_spec {
    std::uint64_t seed = 1;
    size_preset size = size_preset::small;
    int clients = 0;  // 0: the size's own count
    sys_time now;
};

struct world {
    std::vector<client> clients;
    std::unordered_map<std::string, std::uint32_t> client_by_name;
    std::uint64_t total_slots() const noexcept;
};

world generate_world(const world_spec& spec);

// 33-character Spektrix-style id: "<n>A" followed by letters from the 16-letter padding set.
std::string make_id(std::uint64_t n, std::uint64_t salt);
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text, bool& ok);

// splitmix64: tiny deterministic generator used everywhere the simulator needs randomness.
struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed) {}
    std::uint64_t next() noexcept {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) noexcept { return n ? next() % n : 0; }
    double unit() noexcept { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
};

}  // namespace agentd::sim
