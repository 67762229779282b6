// Seat state machine, baskets and orders of one client (see state.hpp).
#include "sim/state.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_set>

namespace agentd::sim {

void throw_exception_from_error(const api_error& e, const boost::source_location&) {
    throw std::runtime_error("simulator error " + std::to_string(e.status) + ": " + e.message);
}

std::string_view to_string(seat_state s) noexcept {
    switch (s) {
    case seat_state::available: return "Available";
    case seat_state::in_basket: return "InBasket";
    case seat_state::sold: return "Sold";
    case seat_state::locked: return "Locked";
    case seat_state::reserved: return "Reserved";
    case seat_state::unavailable: return "Unavailable";
    }
    return "Unavailable";
}

std::string row_label(unsigned i) {
    std::string s;
    for (;;) {
        s.insert(s.begin(), char('A' + i % 26));
        if (i < 26) break;
        i = i / 26 - 1;
    }
    return s;
}

std::string seat_id(const plan& p, std::uint32_t slot) { return std::to_string(p.seat_id_base + slot); }

std::string seat_name(const plan& p, std::uint32_t slot) {
    auto& s = p.slots[slot];
    if (p.areas[s.area].kind != area_kind::reserved) return p.areas[s.area].name;
    return row_label(s.row) + std::to_string(s.number);
}

std::int64_t basket::total() const noexcept {
    std::int64_t t = 0;
    for (auto& k : tickets) t += k.price;
    return t;
}

std::int64_t order::total() const noexcept {
    std::int64_t t = 0;
    for (auto& k : tickets) t += k.price;
    return t;
}

client_state::client_state(const client& c, std::uint64_t seed, bool initial_locks, lock_plan agency)
    : c_(&c), salt_(seed * 0x100000001b3ULL + std::hash<std::string>{}(c.name)), seats_(c.total_slots, 0) {
    if (initial_locks) lock_house_seats();
    if (agency.seats > 0) generate_agency_locks(agency);
}

void client_state::lock_house_seats() {
    auto& c = *c_;
    // A few seats start locked (house seats), reserved or unavailable, as on a real system.
    for (std::uint32_t i = 0; i < c.instances.size(); ++i) {
        auto& in = c.instances[i];
        auto& p = c.plans[in.plan];
        rng r(salt_ ^ (std::uint64_t(i) << 24));
        for (std::uint32_t s = 0; s < p.capacity(); ++s) {
            if (p.areas[p.slots[s].area].kind != area_kind::reserved) continue;
            auto v = r.below(200);
            if (v < 4) at(i, s) = std::uint8_t(seat_state::locked);
            else if (v < 6) at(i, s) = std::uint8_t(seat_state::unavailable);
            else if (v < 7) at(i, s) = std::uint8_t(seat_state::reserved);
        }
    }
}

std::uint8_t& client_state::at(std::uint32_t inst, std::uint32_t slot) noexcept {
    return seats_[c_->instances[inst].state_offset + slot];
}

seat_state client_state::state(std::uint32_t inst, std::uint32_t slot) const noexcept {
    return seat_state(seats_[c_->instances[inst].state_offset + slot]);
}

std::optional<holder> client_state::holder_of(std::uint32_t inst, std::uint32_t slot) const {
    auto it = holders_.find(key(inst, slot));
    if (it == holders_.end()) return std::nullopt;
    return it->second;
}

void client_state::touch(basket& b, sys_time now, const basket_policy& p) {
    ++b.version;
    b.touched = now;
    if (p.sliding) b.expires = now + p.ttl;
}

basket& client_state::create_basket(int account, sys_time now, const basket_policy& p) {
    basket b;
    b.number = next_basket_++;
    b.id = make_id(b.number, salt_ ^ 0xba5e7);
    b.account = account;
    b.created = now;
    b.touched = now;
    b.expires = now + p.ttl;
    basket_ids_[b.number] = b.id;
    auto [it, _] = baskets_.emplace(b.id, std::move(b));
    return it->second;
}

outcome<basket*> client_state::find_basket(std::string_view id, int account, sys_time now) {
    auto it = baskets_.find(std::string(id));
    if (it == baskets_.end() || it->second.account != account) return api_fail(404, 0, "Basket not found.");
    if (it->second.expires <= now) {
        drop_basket(it);
        return api_fail(404, 0, "Basket not found.");
    }
    return &it->second;
}

void client_state::drop_basket(std::map<std::string, basket>::iterator it) {
    for (auto& t : it->second.tickets) release(t);
    basket_ids_.erase(it->second.number);
    baskets_.erase(it);
}

outcome<std::vector<ticket>> client_state::add_tickets(basket& b, const std::vector<ticket_request>& reqs, sys_time now,
                                                       const basket_policy& p) {
    // All or nothing: pick every slot first, then apply.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> picked;
    std::unordered_set<std::uint64_t> seen;
    for (auto& r : reqs) {
        auto& in = c_->instances[r.instance];
        auto& pl = c_->plans[in.plan];
        if (r.reserved) {
            // A seat locked for this account is its to buy; to everyone else it is taken.
            const bool free = state(r.instance, r.slot) == seat_state::available || locked_for(r.instance, r.slot, b.account);
            if (!free || !seen.insert(key(r.instance, r.slot)).second)
                return api_fail(409, 20, "Seat " + seat_name(pl, r.slot) + " is not available.");
            picked.emplace_back(r.instance, r.slot);
        } else {
            auto& a = pl.areas[r.area];
            std::uint32_t s = a.slot_begin;
            for (; s < a.slot_end; ++s)
                if (state(r.instance, s) == seat_state::available && !seen.count(key(r.instance, s))) break;
            if (s == a.slot_end) return api_fail(409, 20, "Not enough places available in " + a.name + ".");
            seen.insert(key(r.instance, s));
            picked.emplace_back(r.instance, s);
        }
    }
    std::vector<ticket> added;
    for (std::size_t i = 0; i < reqs.size(); ++i) {
        auto [inst, s] = picked[i];
        auto& in = c_->instances[inst];
        auto& pl = c_->plans[in.plan];
        auto& prices = c_->price_lists[c_->events[in.event].price_list];
        ticket t;
        t.id = make_id(next_ticket_++, salt_ ^ 0x71c3e7);
        t.instance = inst;
        t.slot = s;
        t.type = reqs[i].type;
        t.band = pl.slots[s].band;
        t.price = prices.amounts[std::size_t(t.band) * c_->types.size() + t.type];
        at(inst, s) = std::uint8_t(seat_state::in_basket);
        holders_[key(inst, s)] = holder{holder_kind::basket, b.number};
        b.tickets.push_back(t);
        added.push_back(std::move(t));
    }
    touch(b, now, p);
    return added;
}

void client_state::release(const ticket& t) {
    // A seat of a lock goes back to its lock, not to general sale.
    const bool locked = locks_.count(key(t.instance, t.slot)) != 0;
    at(t.instance, t.slot) = std::uint8_t(locked ? seat_state::locked : seat_state::available);
    holders_.erase(key(t.instance, t.slot));
}

outcome<void> client_state::remove_tickets(basket& b, const std::vector<std::string>& ids, sys_time now,
                                           const basket_policy& p) {
    for (auto& id : ids)
        if (std::none_of(b.tickets.begin(), b.tickets.end(), [&](const ticket& t) { return t.id == id; }))
            return api_fail(404, 0, "Ticket " + id.substr(0, 40) + " is not in this basket.");
    std::erase_if(b.tickets, [&](const ticket& t) {
        if (std::find(ids.begin(), ids.end(), t.id) == ids.end()) return false;
        release(t);
        return true;
    });
    touch(b, now, p);
    return {};
}

void client_state::clear(basket& b, sys_time now, const basket_policy& p) {
    for (auto& t : b.tickets) release(t);
    b.tickets.clear();
    touch(b, now, p);
}

void client_state::set_agent_customer(basket& b, std::string json, sys_time now, const basket_policy& p) {
    b.agent_customer = std::move(json);
    touch(b, now, p);
}

outcome<order*> client_state::confirm(basket& b, sys_time now) {
    if (b.tickets.empty()) return api_fail(409, 101, "The basket is empty.");
    order o;
    o.number = next_order_++;
    o.id = make_id(o.number, salt_ ^ 0x0bde5);
    o.account = b.account;
    o.basket_id = b.id;
    o.agent_customer = b.agent_customer;
    o.created = b.created;
    o.confirmed = now;
    rng r(salt_ ^ o.number);
    for (auto& t : b.tickets) {
        at(t.instance, t.slot) = std::uint8_t(seat_state::sold);
        locks_.erase(key(t.instance, t.slot));  // sold: the lock has served its purpose
        holders_[key(t.instance, t.slot)] = holder{holder_kind::order, o.number};
        auto bc = std::to_string(1000000000000ULL + r.below(8999999999999ULL));
        t.barcode = bc;
        o.tickets.push_back(t);
    }
    confirmed_[b.id] = o.number;
    order_ids_[o.number] = o.id;
    basket_ids_.erase(b.number);
    baskets_.erase(b.id);
    auto [it, _] = orders_.emplace(o.id, std::move(o));
    return &it->second;
}

std::optional<std::uint32_t> client_state::confirmed_order(std::string_view basket_id) const {
    auto it = confirmed_.find(std::string(basket_id));
    if (it == confirmed_.end()) return std::nullopt;
    return it->second;
}

const order* client_state::find_order(std::string_view id, int account) const {
    auto it = orders_.find(std::string(id));
    if (it == orders_.end() || it->second.account != account) return nullptr;
    return &it->second;
}

const basket* client_state::basket_by_number(std::uint32_t n) const {
    auto it = basket_ids_.find(n);
    return it == basket_ids_.end() ? nullptr : &baskets_.at(it->second);
}

const order* client_state::order_by_number(std::uint32_t n) const {
    auto it = order_ids_.find(n);
    return it == order_ids_.end() ? nullptr : &orders_.at(it->second);
}

std::size_t client_state::expire(sys_time now) {
    std::size_t n = 0;
    for (auto it = baskets_.begin(); it != baskets_.end();) {
        if (it->second.expires <= now) {
            drop_basket(it++);
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

counts client_state::status(std::uint32_t inst, int account, int area) const {
    auto& in = c_->instances[inst];
    auto& p = c_->plans[in.plan];
    counts k;
    k.band_available.assign(c_->bands.size(), 0);
    k.locked_by_type.assign(c_->lock_types.size(), 0);
    k.lock_available.assign(c_->lock_types.size(), 0);
    auto add_range = [&](std::uint32_t b, std::uint32_t e) {
        for (std::uint32_t s = b; s < e; ++s) {
            ++k.capacity;
            switch (state(inst, s)) {
            case seat_state::available:
                ++k.available;
                ++k.band_available[p.slots[s].band];
                break;
            case seat_state::in_basket: {
                // Agent mode has no session basket: every held seat counts as inOtherBasket.
                (void)account;
                ++k.in_other_basket;
                break;
            }
            case seat_state::sold: ++k.sold; break;
            case seat_state::locked: {
                ++k.locked;
                auto l = lock_of(inst, s);
                const auto type = l ? l->type : k_house_lock;
                if (type < k.locked_by_type.size()) ++k.locked_by_type[type];
                if (l && type < k.lock_available.size() && account >= 0 && account < 64 && (l->accounts >> account & 1U))
                    ++k.lock_available[type];
                break;
            }
            case seat_state::reserved: ++k.reserved; break;
            case seat_state::unavailable: ++k.unavailable; break;
            }
        }
    };
    if (area < 0) {
        add_range(0, p.capacity());
    } else {
        std::vector<std::uint32_t> stack{std::uint32_t(area)};
        while (!stack.empty()) {
            auto& a = p.areas[stack.back()];
            stack.pop_back();
            if (a.leaf()) add_range(a.slot_begin, a.slot_end);
            for (auto ch : a.children) stack.push_back(ch);
        }
    }
    return k;
}

std::uint32_t client_state::public_take(std::uint32_t inst, std::uint32_t n, rng& r) {
    auto cap = c_->plans[c_->instances[inst].plan].capacity();
    std::uint32_t moved = 0;
    if (cap == 0) return 0;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint32_t s = std::uint32_t(r.below(cap));
        std::uint32_t step = 0;
        for (; step < cap && state(inst, s) != seat_state::available; ++step) s = (s + 1) % cap;
        if (step == cap) break;
        at(inst, s) = std::uint8_t(seat_state::sold);
        holders_[key(inst, s)] = holder{holder_kind::publik, 0};
        public_held_[inst].push_back(s);
        ++public_count_;
        ++moved;
    }
    return moved;
}

std::uint32_t client_state::public_return(std::uint32_t inst, std::uint32_t n, rng& r) {
    auto it = public_held_.find(inst);
    std::uint32_t moved = 0;
    while (it != public_held_.end() && moved < n && !it->second.empty()) {
        auto& v = it->second;
        auto pick = std::size_t(r.below(v.size()));
        auto s = v[pick];
        v[pick] = v.back();
        v.pop_back();
        at(inst, s) = std::uint8_t(seat_state::available);
        holders_.erase(key(inst, s));
        --public_count_;
        ++moved;
    }
    return moved;
}

}  // namespace agentd::sim
