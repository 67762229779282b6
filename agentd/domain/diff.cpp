#include "agentd/domain/diff.hpp"

#include <algorithm>
#include <cstdio>

namespace agentd::domain {

namespace {
constexpr std::uint64_t k_fnv_prime = 0x100000001b3ULL;
}

content_hasher& content_hasher::raw(std::string_view bytes) noexcept {
    for (unsigned char c : bytes) {
        h_ ^= c;
        h_ *= k_fnv_prime;
    }
    return *this;
}

content_hasher& content_hasher::field(std::int64_t v) noexcept {
    // Fixed little-endian width so the hash does not depend on the host.
    auto u = static_cast<std::uint64_t>(v);
    char buf[9];
    buf[0] = 'i';
    for (int i = 0; i < 8; ++i) buf[i + 1] = static_cast<char>((u >> (8 * i)) & 0xff);
    return raw(std::string_view(buf, sizeof buf));
}

content_hasher& content_hasher::field(std::string_view bytes) noexcept {
    field(static_cast<std::int64_t>(bytes.size()));
    return raw(bytes);
}

std::uint64_t fnv1a64(std::string_view bytes) noexcept { return content_hasher{}.raw(bytes).value(); }

result<diff_plan> diff_listing(const std::map<std::string, known_entity>& previous,
                               const std::map<std::string, std::uint64_t>& fresh, const diff_settings& s,
                               std::optional<std::size_t> catalogue_live) {
    diff_plan p;
    std::size_t live = 0;
    for (const auto& [id, k] : previous) {
        if (!k.tombstoned) ++live;
        auto f = fresh.find(id);
        if (f == fresh.end()) {
            if (k.tombstoned) continue;  // already gone: nothing to write
            if (k.misses + 1 >= s.tombstone_after_misses)
                p.tombstones.push_back(id);
            else
                p.missed.push_back(id);
            continue;
        }
        if (k.tombstoned)
            p.resurrections.push_back(id);
        else if (f->second != k.hash)
            p.updates.push_back(id);
        else if (k.misses > 0)
            p.seen_again.push_back(id);
        else
            p.unchanged.push_back(id);
    }
    for (const auto& [id, h] : fresh)
        if (!previous.contains(id)) p.inserts.push_back(id);

    if (catalogue_live) live = std::max(*catalogue_live, live);
    if (!p.tombstones.empty()) {
        double share = live == 0 ? 1.0 : static_cast<double>(p.tombstones.size()) / static_cast<double>(live);
        if (share > s.max_removal_share) {
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "apply listing: would tombstone %zu of %zu live entities (%.1f%% > limit %.1f%%); refused",
                          p.tombstones.size(), live, share * 100.0, s.max_removal_share * 100.0);
            return fail(errc::conflict, buf);
        }
    }
    return p;
}

}  // namespace agentd::domain
