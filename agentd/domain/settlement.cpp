#include "agentd/domain/settlement.hpp"

#include <algorithm>
#include <set>

namespace agentd::domain {

basket_proof prove_basket(const std::vector<held_seat>& held, const std::vector<basket_ticket>& basket) {
    basket_proof p;
    const bool by_id = std::all_of(held.begin(), held.end(), [](const held_seat& h) { return !h.ticket_id.empty(); });
    std::multiset<std::string> wanted;
    for (const auto& h : held) wanted.insert(by_id ? h.ticket_id : h.seat);
    for (const auto& t : basket) {
        auto it = wanted.find(by_id ? t.ticket_id : t.seat);
        if (it != wanted.end()) wanted.erase(it);
        else p.extra_ticket_ids.push_back(t.ticket_id);
    }
    p.missing = static_cast<int>(wanted.size());
    p.exact = p.missing == 0 && p.extra_ticket_ids.empty();
    return p;
}

std::string compare_order(const std::vector<held_seat>& held, money held_total, const std::vector<basket_ticket>& order,
                          money order_total) {
    std::string out;
    if (order.size() != held.size())
        out = "order has " + std::to_string(order.size()) + " tickets, hold has " + std::to_string(held.size());
    else {
        std::multiset<std::string> seats;
        for (const auto& h : held) seats.insert(h.seat);
        for (const auto& t : order) {
            auto it = seats.find(t.seat);
            if (it == seats.end()) {
                out = "order has seat " + t.seat + " that the hold does not";
                break;
            }
            seats.erase(it);
        }
    }
    if (order_total != held_total) {
        if (!out.empty()) out += "; ";
        out += "total " + format_money(order_total) + " vs held " + format_money(held_total);
    }
    return out;
}

std::string_view to_string(sent_confirm_next n) noexcept {
    switch (n) {
    case sent_confirm_next::send_again: return "send_again";
    case sent_confirm_next::proven_sold: return "proven_sold";
    case sent_confirm_next::proven_not_sold: return "proven_not_sold";
    case sent_confirm_next::unknown: return "unknown";
    }
    return "unknown";
}

sent_confirm_next after_sent_confirm_failure(upstream_failure f, int error_code, bool basket_alive) noexcept {
    switch (f) {
    case upstream_failure::not_sent:
        return sent_confirm_next::send_again;  // the caller bounds these separately
    case upstream_failure::transient:
    case upstream_failure::timeout:
    case upstream_failure::ambiguous:
        // Confirming the same basket again either sells it (the first was not applied) or is
        // answered "already confirmed" (it was): both settle the question.
        return basket_alive ? sent_confirm_next::send_again : sent_confirm_next::unknown;
    case upstream_failure::conflict:
        if (error_code == upstream_code::already_confirmed) return sent_confirm_next::proven_sold;
        if (error_code == upstream_code::empty_basket) return sent_confirm_next::proven_not_sold;
        return sent_confirm_next::unknown;
    case upstream_failure::not_found:  // confirmed (confirm_again = not_found) or expired: both possible
    case upstream_failure::permanent:
        return sent_confirm_next::unknown;
    }
    return sent_confirm_next::unknown;
}

bool add_as_area(const instance_facts* facts, const std::string& requested) {
    return facts && !facts->seats.contains(requested) && facts->areas.contains(requested);
}

bool best_available_complete(std::size_t offered, int wanted) noexcept {
    return wanted > 0 && offered == static_cast<std::size_t>(wanted);
}

}  // namespace agentd::domain
