// app/reservation_names: fills a reservation answer's human names (event, instance start, and
// per seat the area, price band and ticket type names) from the mirror, next to the ids. A
// name the mirror does not know stays "" (the ids are always there). Each distinct seat kind
// is one keyed read of just the rows it names (mirror_view::names_of), not a whole instance:
// reservation answers are the local API's most frequent reads (every long-poll wake). The
// reads are not cached across answers, so a renamed area, band or event shows at once.
// Threading: the caller's (the network thread; mirror reads are point reads).
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/mirror/view.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>

namespace agentd::app {

class reservation_namer {
public:
    explicit reservation_namer(mirror::mirror_view* mirror) : mirror_(mirror) {}
    void name(api::reservation& r);

private:
    const mirror::seat_names* lookup(const api::reservation& r, const std::string& area, const std::string& band,
                                     const std::string& ticket_type);

    mirror::mirror_view* mirror_;
    // One read per distinct (client, instance, area, band, ticket type) in an answer or listing.
    std::map<std::array<std::string, 5>, std::optional<mirror::seat_names>> seen_;
};

}  // namespace agentd::app
