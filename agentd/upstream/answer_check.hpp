// upstream/answer_check: checks of a decoded answer against the request it answers, beyond
// its shape. An answer that parses but is not about what was asked (another instance, other
// seats, another count) must not be taken as the outcome of our call. Pure, thread-safe.
#pragma once

#include "agentd/upstream/failure.hpp"
#include "agentd/upstream/types.hpp"

#include <vector>

namespace agentd::upstream {

// The tickets of an add-tickets answer are exactly the asked ones, in any order: same count,
// and each one matches a distinct asked ticket by instance, ticket type and seat (for a seat
// ask) or by having no seat and, when it names one, the asked area (for an unreserved ask).
// Otherwise a failure of class decode saying which ticket does not match.
result<void> check_added_tickets(const std::vector<new_ticket>& asked, const std::vector<ticket>& got);

// The tickets of a basket best-available answer: `quantity` tickets, each of that instance and
// type, each with a seat, no seat twice, and of the band when one was asked and the ticket
// names its band. Otherwise a failure of class decode saying which ticket does not match.
result<void> check_best_available_tickets(const std::string& instance_id, const std::string& type_id, int quantity,
                                          const std::optional<std::string>& band_id, const std::vector<ticket>& got);

}  // namespace agentd::upstream
