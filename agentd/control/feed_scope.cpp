#include "agentd/control/feed_scope.hpp"

#include "agentd/api/json.hpp"

#include <array>
#include <string_view>

namespace agentd::control {

namespace {

// Mirror changes: the same facts GET /v1/clients/... gives every channel.
constexpr std::array<std::string_view, 5> k_public_kinds{"event", "instance", "price_list", "plan", "availability"};

}  // namespace

feed_scope scope_of(const api::feed_event& e) {
    if (e.kind == "reservation") {
        auto r = api::from_json<api::feed_reservation>(e.data);
        if (!r || r->channel.empty()) return {};
        return {feed_scope::audience::owner, std::move(r->channel)};
    }
    for (auto k : k_public_kinds)
        if (e.kind == k) return {feed_scope::audience::everyone, {}};
    return {};
}

bool visible_to(const feed_scope& s, const caller& c) noexcept {
    if (c.is_admin()) return true;
    switch (s.who) {
    case feed_scope::audience::everyone: return true;
    case feed_scope::audience::owner: return s.owner == c.channel;
    case feed_scope::audience::admins: return false;
    }
    return false;
}

}  // namespace agentd::control
