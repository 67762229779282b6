#include "agentd/upstream/answer_check.hpp"

#include <set>
#include <string>

namespace agentd::upstream {
namespace {

bool answers(const new_ticket& a, const ticket& t) {
    if (t.instance_id != a.instance_id || t.type_id != a.type_id) return false;
    if (a.seat_id) return t.seat_id == a.seat_id;
    // Unreserved: no seat; the area shows as the ticket's plan when the answer names one.
    return !t.seat_id && (t.plan_id.empty() || !a.area_id || t.plan_id == *a.area_id);
}

failure mismatch(std::string why) {
    return failure{error_class::decode, 200, 0, "answer does not match the request: " + std::move(why)};
}

}  // namespace

result<void> check_added_tickets(const std::vector<new_ticket>& asked, const std::vector<ticket>& got) {
    if (got.size() != asked.size())
        return mismatch(std::to_string(got.size()) + " tickets for " + std::to_string(asked.size()) + " asked");
    // Asks with the same (instance, seat or area, type) are interchangeable, so taking the
    // first unused match decides exactly whether the two are equal as multisets.
    std::vector<bool> used(asked.size(), false);
    for (std::size_t i = 0; i < got.size(); ++i) {
        bool found = false;
        for (std::size_t j = 0; j < asked.size() && !found; ++j) {
            if (used[j] || !answers(asked[j], got[i])) continue;
            used[j] = true;
            found = true;
        }
        // Ids in a decoded answer passed the token rule, so they are safe to name here.
        if (!found)
            return mismatch("ticket " + got[i].id + " (instance " + got[i].instance_id + ", seat " +
                            got[i].seat_id.value_or("none") + ", type " + got[i].type_id + ") was not asked for");
    }
    return {};
}

result<void> check_best_available_tickets(const std::string& instance_id, const std::string& type_id, int quantity,
                                          const std::optional<std::string>& band_id, const std::vector<ticket>& got) {
    if (static_cast<int>(got.size()) != quantity)
        return mismatch(std::to_string(got.size()) + " tickets for " + std::to_string(quantity) + " asked");
    std::set<std::string> seats;
    for (const auto& t : got) {
        const bool ok = t.instance_id == instance_id && t.type_id == type_id && t.seat_id && seats.insert(*t.seat_id).second &&
                        (!band_id || t.band_id.empty() || t.band_id == *band_id);
        if (!ok)
            return mismatch("ticket " + t.id + " (instance " + t.instance_id + ", seat " + t.seat_id.value_or("none") +
                            ", band " + t.band_id + ", type " + t.type_id + ") is not one of " + std::to_string(quantity) +
                            " distinct seats of the asked instance, type and band");
    }
    return {};
}

}  // namespace agentd::upstream
