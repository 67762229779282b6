// reservations/convert: api wire types <-> domain/store records for reservations.
// Pure functions; thread-safe.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/domain/reservation_request.hpp"
#include "agentd/store/reservation_store.hpp"

#include <string>

namespace agentd::reservations {

domain::reservation_request to_domain(const api::reservation_request& r);
api::reservation_request to_api(const domain::reservation_request& r);
api::reservation to_api(const store::reservation_row& row);
// The feed entry's data for the row's current state (api::feed_reservation, encoded by api).
std::string feed_payload(const store::reservation_row& row);
// A new reservation id: "r_" + milliseconds since the epoch (hex) + 64 random bits (hex).
std::string new_reservation_id(sys_time now);

}  // namespace agentd::reservations
