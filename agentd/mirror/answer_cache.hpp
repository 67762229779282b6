// mirror/answer_cache: the encoded JSON of the local API's hot read answers (an instance, its
// seat plan, the instance and event listings), so that reading one again costs a lookup
// instead of SQLite reads and encoding.
//
// Never stale after a commit: every committed write raises the database's commit count, and
// a lookup that finds it moved first applies the feed rows committed since. Each mirror change
// names its client and entity (api feed events), and evicts exactly the answers built from it:
//   availability  -> that instance's detail and seat plan, the client's instance listings
//   instance      -> the same, and the client's event listings
//   event         -> the client's instance details (they carry its name) and both listings
//   price_list    -> the client's instance details;  plan -> the client's seat plans
// Reservation and sync events change no mirror row and evict nothing; a row that cannot be
// decoded, a gap in the feed or a long backlog clears the whole cache. The one thing that
// changes without a feed row, when an instance's availability was last confirmed (a poll that
// found nothing new), is re-read (one point read) for an instance or seat-plan entry the first
// time it is served after a commit. The availability's age is filled in per request.
//
// Bounded by `max_bytes` (entries' text and keys), least recently used out first; 0 disables
// caching. Errors are never cached. Threading: one thread (the local API server's).
#pragma once

#include "agentd/api/json.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store {
class database;
class reader;
}

namespace agentd::mirror {

class mirror_view;


class answer_cache {
public:
    // Where answers come from when they are not cached (the mirror's read view) and how
    // commits are noticed.
    struct sources {
        std::string db_path;                     // read-only: the feed and availability sync state
        std::function<std::uint64_t()> commits;  // raised after every committed write
        std::function<result<api::instance>(std::string_view client, std::string_view id)> instance;
        std::function<result<api::seat_plan>(std::string_view client, std::string_view id)> seats;
        std::function<result<std::vector<api::instance_summary>>(const api::instance_query&)> instances;
        std::function<result<std::vector<api::event>>(const api::event_query&)> events;
        const agentd::clock* clock = nullptr;
    };

    struct counters {
        std::uint64_t hits = 0, misses = 0;
        std::uint64_t evicted = 0;      // dropped for space
        std::uint64_t invalidated = 0;  // dropped because a change could alter them
        std::uint64_t resets = 0;       // whole cache cleared (undecodable row, feed gap, backlog)
        std::size_t entries = 0, bytes = 0;
        std::size_t max_bytes = 0;  // the cap ([api] answer_cache; 0 when caching is off)
    };

    answer_cache(sources s, std::size_t max_bytes);
    ~answer_cache();
    answer_cache(const answer_cache&) = delete;
    answer_cache& operator=(const answer_cache&) = delete;

    // The answers, encoded exactly as api::to_json encodes the sources' values.
    result<std::string> instance(std::string_view client, std::string_view id);
    result<std::string> seats(std::string_view client, std::string_view id);
    result<std::string> instances(const api::instance_query& q);
    result<std::string> events(const api::event_query& q);

    counters stats() const noexcept;

private:
    struct entry;
    using map_type = std::map<std::string, entry, std::less<>>;

    // Applies what was committed since the last look; false when the state could not be read
    // (then nothing is served from the cache this time).
    bool catch_up();
    void apply_feed_row(std::string_view kind, std::string_view payload);
    void erase_range(std::string_view client, char route);
    void erase_key(const std::string& key);
    void clear();
    result<std::optional<std::int64_t>> confirmed_ms(std::string_view client, std::string_view id);
    bool cacheable(std::string_view client, std::string_view id) const noexcept;
    // The cached instance or seat-plan entry under key_, if still current at `commits`.
    entry* current(std::string_view client, std::string_view id, std::uint64_t commits);
    entry* find(const std::string& key);
    void insert(std::string key, entry e);
    void make_room();
    std::string serve(const entry& e) const;
    // A listing answer (instances, events) under key_: served if cached, else built and kept.
    result<std::string> listing(const std::function<result<std::string>()>& build);

    sources src_;
    std::size_t max_bytes_;
    std::unique_ptr<store::reader> reader_;
    map_type entries_;
    std::list<map_type::iterator> lru_;  // front: most recently used
    std::optional<std::uint64_t> seen_commits_;
    std::int64_t applied_seq_ = 0;
    std::string key_;  // scratch for lookups: no allocation per request once grown
    counters stats_;
};

// The daemon's cache: answers from `mirror`, commits counted by `db` (no caching without it).
std::unique_ptr<answer_cache> make_answer_cache(mirror_view& mirror, const std::string& db_path, const store::database* db,
                                                const agentd::clock* clock, std::size_t max_bytes);
// agentd_api_cache_* samples for /metrics.
void add_answer_cache_metrics(const answer_cache& cache, std::vector<api::metric_sample>& out);

}  // namespace agentd::mirror
