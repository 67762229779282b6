// control/feed_scope: who may see a feed event. A sales channel sees its own reservations'
// events and the venue inventory changes every channel can read anyway (events, instances,
// prices, plans, availability); admins see everything. Anything else (sync refusals, kinds
// added later, a reservation event whose channel cannot be read) is admin-only, so a new kind
// never leaks by default. Pure functions, thread-safe.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/control/auth.hpp"

#include <string>

namespace agentd::control {

struct feed_scope {
    enum class audience { everyone, owner, admins } who = audience::admins;
    std::string owner;  // the channel, for audience::owner
};

feed_scope scope_of(const api::feed_event& e);
bool visible_to(const feed_scope& s, const caller& c) noexcept;

}  // namespace agentd::control
