// sim/nodes: which agentd node sent each API request, per client (the X-Agentd-Node header),
// kept as tenures: runs of consecutive requests from one node. A venue driven by one node at a
// time shows tenures that hand over with a gap (the lease's takeover time); two nodes driving
// it at once show switches back and forth with no gap. /_sim/nodes reports both.
// Threading: used under the simulator mutex only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace agentd::sim {

class node_log {
public:
    using clock = std::chrono::steady_clock;
    struct tenure {
        std::string node;
        clock::time_point first{}, last{};
        std::uint64_t requests = 0;
    };
    struct handover {
        std::string client, from, to;
        clock::duration gap{};  // from's last request to to's first
        clock::time_point at{};
    };

    // A request for `client` from `node` (empty: no header; not counted).
    void note(const std::string& client, const std::string& node, clock::time_point t);
    const std::map<std::string, std::vector<tenure>>& tenures() const { return by_client_; }
    // Every change of node, oldest first.
    const std::vector<handover>& handovers() const { return handovers_; }
    // Handovers with a gap shorter than `min_gap`: the two nodes' requests interleaved.
    std::vector<handover> overlaps(clock::duration min_gap) const;
    clock::time_point started() const { return started_; }

private:
    static constexpr std::size_t k_max_tenures = 10000;
    clock::time_point started_ = clock::now();
    std::map<std::string, std::vector<tenure>> by_client_;
    std::vector<handover> handovers_;
};

}  // namespace agentd::sim
