// See nodes.hpp.
#include "sim/nodes.hpp"

namespace agentd::sim {

void node_log::note(const std::string& client, const std::string& node, clock::time_point t) {
    if (node.empty()) return;
    auto& ts = by_client_[client];
    if (!ts.empty() && ts.back().node == node) {
        ts.back().last = t;
        ++ts.back().requests;
        return;
    }
    if (!ts.empty() && handovers_.size() < k_max_tenures)
        handovers_.push_back({client, ts.back().node, node, t - ts.back().last, t});
    if (ts.size() >= k_max_tenures) ts.erase(ts.begin());
    ts.push_back({node, t, t, 1});
}

std::vector<node_log::handover> node_log::overlaps(clock::duration min_gap) const {
    std::vector<handover> out;
    for (const auto& h : handovers_)
        if (h.gap < min_gap) out.push_back(h);
    return out;
}

}  // namespace agentd::sim
