// domain/diff: turns a fresh, successful upstream listing into mirror writes. A row is written
// only when its content hash changed; an entity missing from N consecutive listings is
// tombstoned, never deleted on one missed read; a sync that would tombstone more than a set
// share of the catalogue is refused. Also the stable content hash used for rows and requests.
// Pure functions; thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::domain {

// 64-bit FNV-1a; stable across runs, platforms and builds (stored in the database).
class content_hasher {
public:
    // Adds a length-prefixed field so ("ab","c") and ("a","bc") differ.
    content_hasher& field(std::string_view bytes) noexcept;
    content_hasher& field(std::int64_t v) noexcept;
    content_hasher& raw(std::string_view bytes) noexcept;
    std::uint64_t value() const noexcept { return h_; }

private:
    std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

std::uint64_t fnv1a64(std::string_view bytes) noexcept;

struct known_entity {
    std::uint64_t hash = 0;
    int misses = 0;  // consecutive listings this id was absent from
    bool tombstoned = false;
};

struct diff_settings {
    int tombstone_after_misses = 3;   // N consecutive misses
    double max_removal_share = 0.25;  // of the live entities before this listing
};

struct diff_plan {
    std::vector<std::string> inserts;        // new ids
    std::vector<std::string> updates;        // live, hash changed
    std::vector<std::string> unchanged;      // live, same hash, no pending misses: no write
    std::vector<std::string> seen_again;     // same hash, but misses > 0: reset the counter only
    std::vector<std::string> missed;         // absent, miss counter incremented, still live
    std::vector<std::string> tombstones;     // absent for N listings now
    std::vector<std::string> resurrections;  // tombstoned, listed again (write content, clear flag)
    std::size_t writes() const noexcept {
        return inserts.size() + updates.size() + seen_again.size() + missed.size() + tombstones.size() +
               resurrections.size();
    }
};

// `previous` is every entity the mirror knows within the listing's scope (tombstoned included;
// a listing narrowed by dates must be given only the entities in that window); `fresh` maps
// id -> content hash from one complete, successful listing. Ids in each vector come out
// sorted. updates and resurrections also reset the miss counter. errc::conflict when
// tombstones / catalogue_live > max_removal_share, where catalogue_live is the client's live
// entity count of this kind (default: the live entities in `previous`).
result<diff_plan> diff_listing(const std::map<std::string, known_entity>& previous,
                               const std::map<std::string, std::uint64_t>& fresh, const diff_settings& s,
                               std::optional<std::size_t> catalogue_live = std::nullopt);

}  // namespace agentd::domain
