// Best available seats and the invariant check of client_state.
#include "sim/state.hpp"

#include <cstdlib>
#include <limits>
#include <unordered_set>

namespace agentd::sim {

std::vector<std::uint32_t> client_state::best_available(std::uint32_t inst, std::uint32_t quantity, int band,
                                                        int area, int locked_for_account) const {
    auto& p = c_->plans[c_->instances[inst].plan];
    if (quantity == 0) return {};
    struct best {
        long long score = std::numeric_limits<long long>::max();
        std::uint32_t first = 0;
    } clean, lone;  // lone: a block that leaves a single seat stranded
    auto in_scope = [&](std::uint32_t a) {
        if (area < 0) return true;
        for (int x = int(a); x >= 0; x = p.areas[std::size_t(x)].parent)
            if (x == area) return true;
        return false;
    };
    for (std::uint32_t ai = 0; ai < p.areas.size(); ++ai) {
        auto& a = p.areas[ai];
        if (a.kind != area_kind::reserved || !in_scope(ai)) continue;
        std::uint32_t s = a.slot_begin;
        while (s < a.slot_end) {
            // one row: adjacent slots with the same row index
            std::uint32_t row_end = s;
            while (row_end < a.slot_end && p.slots[row_end].row == p.slots[s].row) ++row_end;
            std::uint32_t width = row_end - s;
            std::uint32_t run = s;
            while (run < row_end) {
                auto ok = [&](std::uint32_t x) {
                    const bool free = state(inst, x) == seat_state::available ||
                                      (locked_for_account >= 0 && locked_for(inst, x, locked_for_account));
                    return free && (band < 0 || p.slots[x].band == band);
                };
                if (!ok(run)) {
                    ++run;
                    continue;
                }
                std::uint32_t run_end = run;
                while (run_end < row_end && ok(run_end)) ++run_end;
                std::uint32_t len = run_end - run;
                for (std::uint32_t off = 0; len >= quantity && off + quantity <= len; ++off) {
                    std::uint32_t left = off, right = len - quantity - off;
                    long long centre2 = 2LL * (run + off - s) + quantity;  // doubled block centre
                    long long score = (long long)ai * 1000000LL + (long long)p.slots[s].row * 1000LL +
                                      std::llabs(centre2 - (long long)width);
                    auto& target = (left == 1 || right == 1) ? lone : clean;
                    if (score < target.score) target = {score, run + off};
                }
                run = run_end;
            }
            s = row_end;
        }
    }
    const best& pick = clean.score != std::numeric_limits<long long>::max() ? clean : lone;
    if (pick.score == std::numeric_limits<long long>::max()) return {};
    std::vector<std::uint32_t> out;
    for (std::uint32_t k = 0; k < quantity; ++k) out.push_back(pick.first + k);
    return out;
}

std::vector<std::string> client_state::invariants() const {
    std::vector<std::string> v;
    auto where = [&](std::uint32_t inst, std::uint32_t slot) {
        return c_->name + " instance " + c_->instances[inst].id + " seat " + seat_id(c_->plans[c_->instances[inst].plan], slot);
    };
    std::unordered_set<std::uint64_t> claimed;
    for (auto& [id, b] : baskets_)
        for (auto& t : b.tickets) {
            if (!claimed.insert(key(t.instance, t.slot)).second) v.push_back(where(t.instance, t.slot) + " held twice");
            if (state(t.instance, t.slot) != seat_state::in_basket) v.push_back(where(t.instance, t.slot) + " in basket " + id + " but not InBasket");
            auto h = holder_of(t.instance, t.slot);
            if (!h || h->kind != holder_kind::basket || h->number != b.number)
                v.push_back(where(t.instance, t.slot) + " holder is not basket " + id);
        }
    for (auto& [k, l] : locks_) {
        auto st = state(std::uint32_t(k >> 32), std::uint32_t(k));
        if (st != seat_state::locked && st != seat_state::in_basket)
            v.push_back(where(std::uint32_t(k >> 32), std::uint32_t(k)) + " has a lock but is " + std::string(to_string(st)));
    }
    for (auto& [id, o] : orders_)
        for (auto& t : o.tickets) {
            if (!claimed.insert(key(t.instance, t.slot)).second) v.push_back(where(t.instance, t.slot) + " sold twice");
            if (state(t.instance, t.slot) != seat_state::sold) v.push_back(where(t.instance, t.slot) + " in order " + id + " but not Sold");
            auto h = holder_of(t.instance, t.slot);
            if (!h || h->kind != holder_kind::order || h->number != o.number)
                v.push_back(where(t.instance, t.slot) + " holder is not order " + id);
        }
    std::size_t public_count = 0;
    for (auto& [k, h] : holders_) {
        auto inst = std::uint32_t(k >> 32), slot = std::uint32_t(k);
        if (h.kind == holder_kind::publik) {
            ++public_count;
            if (state(inst, slot) != seat_state::sold) v.push_back(where(inst, slot) + " public but not Sold");
            if (!claimed.insert(k).second) v.push_back(where(inst, slot) + " public and agent");
        } else if (!claimed.count(k)) {
            v.push_back(where(inst, slot) + " has a stale holder");
        }
    }
    if (public_count != public_count_) v.push_back(c_->name + " public holdings out of step");
    for (std::uint32_t i = 0; i < c_->instances.size(); ++i) {
        auto k = status(i, -1);
        auto sum = k.available + k.in_basket + k.in_other_basket + k.locked + k.reserved + k.sold + k.unavailable;
        if (sum != k.capacity) v.push_back(c_->name + " instance " + c_->instances[i].id + " counts do not add up");
        // every held or sold seat must be accounted for by a holder
        auto& p = c_->plans[c_->instances[i].plan];
        if (k.in_other_basket + k.sold == 0) continue;
        for (std::uint32_t s = 0; s < p.capacity(); ++s) {
            auto st = state(i, s);
            if ((st == seat_state::in_basket || st == seat_state::sold) && !holders_.count(key(i, s)))
                v.push_back(where(i, s) + " is " + std::string(to_string(st)) + " without a holder");
        }
    }
    return v;
}

}  // namespace agentd::sim
