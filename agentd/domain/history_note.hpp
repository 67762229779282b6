// domain/history_note: the short sentence a reservation's history shows for one transition,
// naming what happened with the record's own figures: "basket 14AT… created", "2 seats held
// until 12:49Z", "order 1AKP… confirmed, 2 barcodes". Upstream ids are shortened to their first
// four characters (the full ids stay on the reservation). No customer data. Pure, thread-safe.
#pragma once

#include "agentd/domain/reservation.hpp"

#include <string>

namespace agentd::domain {

std::string history_note(const transition_outcome& out);

// "14AT…" for ids longer than four characters, the id itself otherwise.
std::string short_id(std::string_view id);

}  // namespace agentd::domain
