// mirror/seat_view: the mirror's seat status as the reservation service sees it
// (domain::seat_status_view): for a seated instance of a venue that offers seat status, the
// seats that were free (or of unknown status), and those locked with a known lock type, when
// the last availability poll was sent. The picture is re-read only when a newer poll has landed.
// Threading: the io_context thread only (one reader connection, opened on first use).
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/domain/seat_choice.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace agentd::store {
class reader;
}

namespace agentd::mirror {

class mirror_seat_view final : public domain::seat_status_view {
public:
    explicit mirror_seat_view(std::string db_path);
    ~mirror_seat_view() override;
    mirror_seat_view(const mirror_seat_view&) = delete;
    mirror_seat_view& operator=(const mirror_seat_view&) = delete;

    std::shared_ptr<const domain::seat_snapshot> seats_of(std::string_view client, std::string_view instance) const override;

private:
    std::string db_path_;
    mutable std::unique_ptr<store::reader> reader_;
    struct cached {
        std::int64_t polled_ms = 0;
        std::shared_ptr<const domain::seat_snapshot> snap;
    };
    static constexpr std::size_t k_cache_max = 256;
    mutable std::map<std::pair<std::string, std::string>, cached> cache_;
};

}  // namespace agentd::mirror
