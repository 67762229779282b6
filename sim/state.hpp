// Mutable simulator state of one client: one byte of seat state per seat per instance, the
// holder (basket, order or public buyer) of each seat that has one, baskets and orders.
// Pure logic: time is passed in, no I/O. Threading: not thread-safe; the simulator serialises
// all calls under its one mutex.
#pragma once

#include "sim/world.hpp"

#include <boost/system/result.hpp>

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace agentd::sim {

// A Spektrix-style error answer: HTTP status, errorCode (0: none) and message.
struct api_error {
    int status = 500;
    int code = 0;
    std::string message;
};
[[noreturn]] void throw_exception_from_error(const api_error& e, const boost::source_location& loc);
template <class T>
using outcome = boost::system::result<T, api_error>;
inline api_error api_fail(int status, int code, std::string message) { return {status, code, std::move(message)}; }

enum class seat_state : std::uint8_t { available = 0, in_basket, sold, locked, reserved, unavailable };
std::string_view to_string(seat_state s) noexcept;

enum class holder_kind : std::uint8_t { basket, order, publik };
struct holder {
    holder_kind kind = holder_kind::publik;
    std::uint32_t number = 0;  // basket or order number
};

struct ticket {
    std::string id;
    std::uint32_t instance = 0, slot = 0;
    std::uint16_t type = 0;
    std::uint8_t band = 0;
    std::int64_t price = 0;  // minor units
    std::string barcode;     // set on confirm
};

struct basket {
    std::string id;
    std::uint32_t number = 0;
    int account = 0;
    std::uint64_t version = 0;
    std::vector<ticket> tickets;
    std::string agent_customer;  // serialised JSON object, empty for null
    sys_time created, expires;
    sys_time touched;  // last modifying call (creation included)
    std::int64_t total() const noexcept;
};

struct order {
    std::string id;
    std::uint32_t number = 0;
    int account = 0;
    std::string basket_id;
    std::vector<ticket> tickets;
    std::string agent_customer;
    sys_time created;    // of the basket (the order's first transaction)
    sys_time confirmed;
    std::int64_t total() const noexcept;
};

struct ticket_request {
    std::uint32_t instance = 0;
    bool reserved = true;
    std::uint32_t slot = 0;  // reserved: the seat's slot
    std::uint32_t area = 0;  // unreserved: the area index in the instance's plan
    std::uint16_t type = 0;
};

struct counts {
    std::uint32_t capacity = 0, available = 0, in_basket = 0, in_other_basket = 0, locked = 0, reserved = 0, sold = 0,
                  unavailable = 0;
    std::vector<std::uint32_t> band_available;
    std::vector<std::uint32_t> locked_by_type;     // every locked seat, by lock type
    std::vector<std::uint32_t> lock_available;     // locked seats the asking account may buy, by lock type
};

// Whose a locked seat is. A locked seat without an entry is a house seat.
struct seat_lock {
    std::uint16_t type = k_house_lock;
    std::uint64_t accounts = 0;  // bit i: account i may buy the seat
};

// Generated agency allocations (settings agency_lock_seats / agency_lock_accounts).
struct lock_plan {
    std::uint32_t seats = 0;     // per instance, 0: none
    std::uint32_t accounts = 1;  // the first N accounts of the client may buy them
};

struct basket_policy {
    sys_time::duration ttl = std::chrono::minutes(20);
    bool sliding = true;
};

class client_state {
public:
    client_state(const client& c, std::uint64_t seed, bool initial_locks, lock_plan agency = {});

    const client& catalogue() const noexcept { return *c_; }
    seat_state state(std::uint32_t inst, std::uint32_t slot) const noexcept;
    std::optional<holder> holder_of(std::uint32_t inst, std::uint32_t slot) const;

    basket& create_basket(int account, sys_time now, const basket_policy& p);
    // Unknown, expired (its seats are released now), confirmed or another account's basket: 404.
    outcome<basket*> find_basket(std::string_view id, int account, sys_time now);
    outcome<std::vector<ticket>> add_tickets(basket& b, const std::vector<ticket_request>& reqs, sys_time now,
                                             const basket_policy& p);
    outcome<void> remove_tickets(basket& b, const std::vector<std::string>& ticket_ids, sys_time now,
                                 const basket_policy& p);
    void clear(basket& b, sys_time now, const basket_policy& p);
    void set_agent_customer(basket& b, std::string json, sys_time now, const basket_policy& p);
    // A modifying call that changes nothing (an empty PATCH) still restarts a sliding lifetime.
    void touch_basket(basket& b, sys_time now, const basket_policy& p) { touch(b, now, p); }
    outcome<order*> confirm(basket& b, sys_time now);
    // Basket id that was confirmed, with its order number.
    std::optional<std::uint32_t> confirmed_order(std::string_view basket_id) const;
    const order* find_order(std::string_view id, int account) const;

    // Releases the seats of every basket whose deadline has passed; returns how many expired.
    std::size_t expire(sys_time now);

    counts status(std::uint32_t inst, int account, int area = -1) const;
    // Best contiguous block in one row, front and centre first; empty when none. With
    // locked_for_account >= 0 seats locked for that account count as available too.
    std::vector<std::uint32_t> best_available(std::uint32_t inst, std::uint32_t quantity, int band, int area,
                                              int locked_for = -1) const;

    // Locks: the lock of a seat that has one (house seats locked at start have none), whether
    // an account may buy a locked seat, and the /_sim/locks control. lock_seats locks available
    // (or re-locks locked) seats; a seat in a basket or sold is a 409 and nothing changes.
    std::optional<seat_lock> lock_of(std::uint32_t inst, std::uint32_t slot) const;
    bool locked_for(std::uint32_t inst, std::uint32_t slot, int account) const;
    outcome<void> lock_seats(std::uint32_t inst, const std::vector<std::uint32_t>& slots, seat_lock lock);
    // Returns locked seats to general sale; seats not locked are a 409 and nothing changes.
    outcome<void> unlock_seats(std::uint32_t inst, const std::vector<std::uint32_t>& slots);
    const std::unordered_map<std::uint64_t, seat_lock>& locks() const noexcept { return locks_; }

    // Competing public buyers; return how many seats moved.
    std::uint32_t public_take(std::uint32_t inst, std::uint32_t n, rng& r);
    std::uint32_t public_return(std::uint32_t inst, std::uint32_t n, rng& r);

    std::vector<std::string> invariants() const;

    const std::map<std::string, basket>& baskets() const noexcept { return baskets_; }
    const std::map<std::string, order>& orders() const noexcept { return orders_; }
    const basket* basket_by_number(std::uint32_t n) const;
    const order* order_by_number(std::uint32_t n) const;

private:
    static std::uint64_t key(std::uint32_t inst, std::uint32_t slot) noexcept { return std::uint64_t(inst) << 32 | slot; }
    std::uint8_t& at(std::uint32_t inst, std::uint32_t slot) noexcept;
    void release(const ticket& t);
    void lock_house_seats();
    void generate_agency_locks(lock_plan agency);
    void touch(basket& b, sys_time now, const basket_policy& p);
    void drop_basket(std::map<std::string, basket>::iterator it);

    const client* c_;
    std::uint64_t salt_;
    std::vector<std::uint8_t> seats_;
    std::unordered_map<std::uint64_t, holder> holders_;
    std::unordered_map<std::uint64_t, seat_lock> locks_;  // seats locked with a known lock, held ones too
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> public_held_;  // instance -> slots
    std::size_t public_count_ = 0;
    std::map<std::string, basket> baskets_;
    std::unordered_map<std::uint32_t, std::string> basket_ids_;
    std::map<std::string, order> orders_;
    std::unordered_map<std::uint32_t, std::string> order_ids_;
    std::unordered_map<std::string, std::uint32_t> confirmed_;
    std::uint32_t next_basket_ = 1, next_order_ = 1;
    std::uint64_t next_ticket_ = 1;
};

std::string seat_id(const plan& p, std::uint32_t slot);
std::string seat_name(const plan& p, std::uint32_t slot);
std::string row_label(unsigned row);

}  // namespace agentd::sim
