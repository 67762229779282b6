// app/reservation_names: fills a reservation answer's human names (event, instance start, and
// per seat the area, price band and ticket type names) from the mirror, next to the ids. A
// name the mirror does not know stays "" (the ids are always there). Threading: the caller's
// (the network thread; mirror reads are point reads).
#pragma once

#include "agentd/api/types.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>

namespace agentd::mirror {
class mirror_view;
}

namespace agentd::app {

class reservation_namer {
public:
    explicit reservation_namer(mirror::mirror_view* mirror) : mirror_(mirror) {}
    void name(api::reservation& r);

private:
    const api::instance* instance(const std::string& client, const std::string& id);

    mirror::mirror_view* mirror_;
    std::map<std::pair<std::string, std::string>, std::optional<api::instance>> seen_;  // one read per instance
};

}  // namespace agentd::app
