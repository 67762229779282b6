// The encoded-answer defaults of control/backend.hpp: encode what the typed methods return.
#include "agentd/control/backend.hpp"

#include "agentd/api/json.hpp"

namespace agentd::control {

namespace {

template <class T>
result<std::string> encoded(const result<T>& r) {
    if (!r) return r.error();
    return api::to_json(*r);
}

}  // namespace

result<std::string> backend::events_json(const api::event_query& q) { return encoded(events(q)); }
result<std::string> backend::instances_json(const api::instance_query& q) { return encoded(instances(q)); }
result<std::string> backend::instance_json(std::string_view client, std::string_view id) {
    return encoded(instance(client, id));
}
result<std::string> backend::seats_json(std::string_view client, std::string_view id) { return encoded(seats(client, id)); }

}  // namespace agentd::control
