#include "agentd/mirror/seat_view.hpp"

#include "agentd/store/mirror_store.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/upstream/types.hpp"

namespace agentd::mirror {

mirror_seat_view::mirror_seat_view(std::string db_path) : db_path_(std::move(db_path)) {}

mirror_seat_view::~mirror_seat_view() = default;

std::shared_ptr<const domain::seat_snapshot> mirror_seat_view::seats_of(std::string_view client,
                                                                        std::string_view instance) const {
    if (!reader_) {
        auto r = store::reader::open(db_path_);
        if (!r) return nullptr;
        reader_ = std::make_unique<store::reader>(std::move(*r));
    }
    auto& c = reader_->conn();
    // Seat rows are only refreshed for a venue that offers seat status.
    auto clients = store::mirror_clients(c);
    if (!clients) return nullptr;
    bool offered = false;
    for (const auto& row : *clients)
        if (row.name == client) offered = row.seat_status.value_or(false);
    if (!offered) return nullptr;
    // last_success is the moment that poll was sent: upstream's state was read after it.
    auto st = store::mirror_sync_state(c, client, "avail:" + std::string(instance));
    if (!st || !*st || !(*st)->last_success) return nullptr;
    const std::int64_t polled = *(*st)->last_success;
    std::pair<std::string, std::string> key{std::string(client), std::string(instance)};
    if (auto it = cache_.find(key); it != cache_.end() && it->second.polled_ms == polled) return it->second.snap;

    auto inst = store::mirror_instance(c, client, instance);
    if (!inst || !*inst || (*inst)->tombstoned) return nullptr;
    auto seats = store::mirror_seats(c, client, (*inst)->plan_id, instance);
    if (!seats || seats->empty()) return nullptr;
    auto snap = std::make_shared<domain::seat_snapshot>();
    snap->as_of = sys_time{std::chrono::duration_cast<sys_time::duration>(std::chrono::milliseconds(polled))};
    for (auto& s : *seats) {
        using upstream::seat_state;
        const bool free = !s.status || *s.status == static_cast<int>(seat_state::available) ||
                          *s.status == static_cast<int>(seat_state::unknown);
        if (free) snap->free.push_back({std::move(s.id), std::move(s.area_id), s.band_id.value_or("")});
        else if (*s.status == static_cast<int>(seat_state::locked) && !s.lock_type.empty())
            snap->locked.push_back({std::move(s.id), std::move(s.area_id), s.band_id.value_or(""), std::move(s.row), s.number,
                                    std::move(s.lock_type)});
    }
    if (cache_.size() >= k_cache_max) cache_.clear();
    cache_[std::move(key)] = cached{polled, snap};
    return snap;
}

}  // namespace agentd::mirror
