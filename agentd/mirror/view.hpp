// mirror/view: the mirror's read side for the local API and for reservation
// validation. Point reads by primary key through prepared statements on a read-only
// connection; maps store rows to api wire types (prices as decimal text, times as ISO 8601 Z,
// availability with its age). Reading a partial mirror is fine: what is not synced yet is
// absent (or carries availability_age -1).
// Threading: each calling thread gets its own store::lazy_reader (opened on first use); the
// pointer returned by find_instance is valid until that thread's next find_instance call.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/domain/reservation_request.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace agentd::store {
class connection;
class lazy_reader;
}

namespace agentd::mirror {

// What a reservation answer shows next to one seat's ids ("" where the mirror has no name).
struct seat_names {
    std::string event_name;
    std::string instance_start;  // venue-local
    std::string area;
    std::string price_band;
    std::string ticket_type;
};

class mirror_view final : public domain::catalogue_view {
public:
    explicit mirror_view(std::string db_path, const agentd::clock& clk = agentd::system_clock::instance());
    ~mirror_view() override;
    mirror_view(const mirror_view&) = delete;
    mirror_view& operator=(const mirror_view&) = delete;

    result<std::vector<api::client_state>> clients();
    // errc::not_found for a client the mirror does not know.
    result<std::vector<api::event>> events(const api::event_query& q);
    result<std::vector<api::instance_summary>> instances(const api::instance_query& q);
    result<api::instance> instance(std::string_view client, std::string_view id);
    result<api::seat_plan> seats(std::string_view client, std::string_view id);
    // The names of one seat's area, band and ticket type and of its instance, read by key from
    // what the mirror holds now (never cached, so never stale); nullopt for an instance the
    // mirror does not know or that was removed upstream, or a failed read.
    std::optional<seat_names> names_of(std::string_view client, std::string_view instance, std::string_view area,
                                       std::string_view price_band, std::string_view ticket_type) const;

    // Catalogue facts for reservation validation (domain::catalogue_view); nullptr when the
    // client or instance is unknown, tombstoned, or the read failed.
    const domain::instance_facts* find_instance(std::string_view client, std::string_view instance) const override;
    std::vector<domain::event_instance> event_instances(std::string_view client, std::string_view event) const override;
    // The same facts by value.
    std::optional<domain::instance_facts> instance_facts_of(std::string_view client, std::string_view instance) const;

private:
    result<store::connection*> conn_for_thread() const;
    // This thread's connection, or not_found ("<what>: unknown client X") for an unknown client.
    result<store::connection*> known_client_conn(std::string_view client, std::string_view what) const;

    std::string db_path_;
    const agentd::clock& clock_;
    mutable std::mutex mu_;
    mutable std::map<std::thread::id, std::unique_ptr<store::lazy_reader>> readers_;
    // Validation facts per thread and (client, instance), reused for k_facts_ttl: loading them
    // reads the plan's every seat, and a burst of reservations for one performance would pay
    // that on each request. Catalogue facts change on the catalogue cadence, not per second;
    // availability is never taken from here.
    struct cached_facts {
        sys_time loaded{};
        domain::instance_facts facts;
    };
    static constexpr std::chrono::seconds k_facts_ttl{5};
    static constexpr std::size_t k_facts_cache_max = 512;
    mutable std::map<std::thread::id, std::map<std::pair<std::string, std::string>, cached_facts>> facts_cache_;
};

}  // namespace agentd::mirror
