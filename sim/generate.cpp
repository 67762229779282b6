// Deterministic world generation from a seed and a size. Plans are shared by all instances of
// a venue so the 10-million-seat world costs one byte of state per seat plus a few plans.
#include "sim/world.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace agentd::sim {
namespace {

constexpr std::string_view k_pad = "BCDGHJKLMNPQRSTV";

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
    rng r(a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL));
    return r.next();
}

struct area_shape {
    std::string name;
    int rows = 0, per_row = 0;  // reserved
    int capacity = 0;           // unreserved
    int parent = -1;            // index into the shape list
    bool group = false;
};

struct id_maker {
    std::uint64_t salt;
    std::uint64_t next_n;
    std::string operator()() { return make_id(next_n++, salt); }
};

class generator {
public:
    generator(const world_spec& spec) : spec_(spec), rng_(spec.seed) {}

    world run() {
        world w;
        int n = client_count();
        w.clients.reserve(std::size_t(n));
        for (int i = 0; i < n; ++i) {
            w.clients.push_back(make_client(i));
            w.client_by_name[w.clients.back().name] = std::uint32_t(i);
        }
        return w;
    }

private:
    int client_count() const {
        if (spec_.clients > 0) return spec_.clients;
        switch (spec_.size) {
        case size_preset::tiny: return 1;
        case size_preset::small: return 3;
        case size_preset::venue300: return 1;
        case size_preset::large: return 50;
        }
        return 1;
    }

    std::string client_name(int i) const {
        static const std::array<std::string_view, 3> small_names{"royalcourt", "lyric", "cornexchange"};
        if (spec_.size == size_preset::tiny) return i == 0 ? "tinyvenue" : "tinyvenue" + std::to_string(i + 1);
        if (spec_.size == size_preset::venue300) return i == 0 ? "bigvenue" : "bigvenue" + std::to_string(i + 1);
        if (i < int(small_names.size())) return std::string(small_names[std::size_t(i)]);
        return "venue" + std::to_string(i + 1);
    }

    std::vector<area_shape> plan_shape(rng& r) const {
        switch (spec_.size) {
        case size_preset::tiny:
            return {{"Stalls", 2, 10, 0, -1, false}, {"Standing", 0, 0, 10, -1, false}};
        case size_preset::venue300:
            return {{"Stalls", 20, 40, 0, -1, false}, {"Circle", 0, 0, 0, -1, true},
                    {"Circle Left", 5, 10, 0, 1, false}, {"Circle Right", 5, 10, 0, 1, false},
                    {"Standing", 0, 0, 100, -1, false}};
        case size_preset::large:
            return {{"Stalls", 30, 50, 0, -1, false}, {"Circle", 0, 0, 0, -1, true},
                    {"Circle Left", 10, 20, 0, 1, false}, {"Circle Right", 10, 20, 0, 1, false},
                    {"Standing", 0, 0, 200, -1, false}};
        case size_preset::small: break;
        }
        // small: 2-4 areas, 150-400 places
        std::vector<area_shape> s;
        int stalls_rows = 6 + int(r.below(5)), per_row = 14 + int(r.below(8));
        s.push_back({"Stalls", stalls_rows, per_row, 0, -1, false});
        auto layout = r.below(3);
        if (layout >= 1) {
            s.push_back({"Circle", 0, 0, 0, -1, true});
            int g = int(s.size()) - 1;
            s.push_back({"Circle Left", 3, 8 + int(r.below(4)), 0, g, false});
            s.push_back({"Circle Right", 3, 8 + int(r.below(4)), 0, g, false});
        }
        if (layout == 2) s.push_back({"Balcony", 3, 12, 0, -1, false});
        s.push_back({"Standing", 0, 0, 20 + int(r.below(40)), -1, false});
        return s;
    }

    plan make_plan(rng& r, id_maker& ids, id_maker& area_ids, std::uint32_t seat_base, std::size_t nbands,
                   const std::string& venue_id, int index) const {
        plan p;
        p.id = ids();
        p.name = "Main House " + std::to_string(index + 1);
        p.venue_id = venue_id;
        p.seat_id_base = seat_base;
        auto shapes = plan_shape(r);
        p.areas.resize(shapes.size());
        for (std::size_t i = 0; i < shapes.size(); ++i) {
            auto& a = p.areas[i];
            auto& s = shapes[i];
            a.id = area_ids();
            a.name = s.name;
            a.parent = s.parent;
            a.kind = s.group ? area_kind::group : (s.capacity > 0 ? area_kind::unreserved : area_kind::reserved);
            if (s.parent >= 0) p.areas[std::size_t(s.parent)].children.push_back(std::uint32_t(i));
            a.slot_begin = std::uint32_t(p.slots.size());
            if (a.kind == area_kind::reserved) {
                for (int row = 0; row < s.rows; ++row) {
                    // front rows are the dearest band; bands step back through the house
                    auto b = std::uint8_t(std::min<std::size_t>(nbands - 1, std::size_t(row) * nbands / std::size_t(s.rows)));
                    for (int k = 0; k < s.per_row; ++k)
                        p.slots.push_back(slot{std::uint16_t(i), std::uint16_t(row), std::uint16_t(k + 1),
                                               std::uint16_t(40 + k * 20), std::uint16_t(40 + row * 24), b});
                }
            } else if (a.kind == area_kind::unreserved) {
                a.band = std::uint16_t(nbands - 1);
                for (int k = 0; k < s.capacity; ++k)
                    p.slots.push_back(slot{std::uint16_t(i), 0, 0, 0, 0, std::uint8_t(a.band)});
            }
            a.slot_end = std::uint32_t(p.slots.size());
        }
        return p;
    }

    client make_client(int ci) {
        client c;
        c.name = client_name(ci);
        rng r(mix(spec_.seed, std::uint64_t(ci) + 1));
        auto salt = [&](std::uint64_t kind) { return mix(spec_.seed ^ std::uint64_t(ci) << 20, kind); };
        id_maker event_ids{salt(1), 101}, inst_ids{salt(2), 20001}, plan_ids{salt(3), 6001}, area_ids{salt(4), 7001},
            pl_ids{salt(5), 7801}, band_ids{salt(6), 301}, type_ids{salt(7), 1}, price_ids{salt(8), 90001},
            venue_ids{salt(9), 201};

        int naccounts = (spec_.size == size_preset::tiny || ci % 2 == 0) ? 2 : 1;
        for (int k = 0; k < naccounts; ++k) {
            account a;
            a.login = "agent" + std::to_string(k + 1) + "@" + c.name;
            std::string raw = "sim-secret-";
            rng sr(mix(spec_.seed, 1000003ULL * std::uint64_t(ci) + std::uint64_t(k)));
            while (raw.size() < 32) raw.push_back(k_pad[sr.below(16)]);
            a.key = raw;
            a.secret_b64 = base64_encode(raw);
            c.accounts.push_back(std::move(a));
        }

        // House seats keep the id the status counts always reported; the agency lock type gets a
        // venue-specific id, so a daemon has to be told which lock type is its allocation.
        c.lock_types.push_back({"1", "House Seats"});
        c.lock_types.push_back({make_id(2, salt(10)), "Agency Allocation"});

        static const std::array<std::string_view, 4> band_names{"Band A", "Band B", "Band C", "Band D"};
        static const std::array<std::string_view, 3> type_names{"Full Price", "Concession", "Under 18"};
        std::size_t nbands = spec_.size == size_preset::tiny ? 2 : 3;
        std::size_t ntypes = spec_.size == size_preset::tiny ? 2 : 3;
        for (std::size_t b = 0; b < nbands; ++b) c.bands.push_back({band_ids(), std::string(band_names[b])});
        for (std::size_t t = 0; t < ntypes; ++t) c.types.push_back({type_ids(), std::string(type_names[t])});

        int nplans = 1, nevents = 1, per_event = 2;
        switch (spec_.size) {
        case size_preset::tiny: break;
        case size_preset::small: nplans = 2, nevents = 5, per_event = 4; break;
        case size_preset::venue300: nplans = 1, nevents = 30, per_event = 10; break;
        case size_preset::large: nplans = 2, nevents = 20, per_event = 5; break;
        }
        std::string venue = venue_ids();
        for (int p = 0; p < nplans; ++p)
            c.plans.push_back(make_plan(r, plan_ids, area_ids, 10000u + std::uint32_t(p) * 100000u, nbands, venue, p));

        bool tiny = spec_.size == size_preset::tiny;
        auto day0 = std::chrono::floor<std::chrono::days>(spec_.now);
        static const std::array<std::string_view, 10> titles{"Hamlet", "The Seagull", "Twelfth Night", "A Doll's House",
                                                             "Jerusalem", "Top Girls", "The Caretaker", "Look Back in Anger",
                                                             "Cloud Nine", "The Birthday Party"};
        for (int e = 0; e < nevents; ++e) {
            event ev;
            ev.id = event_ids();
            ev.name = std::string(titles[std::size_t(e) % titles.size()]);
            if (e >= int(titles.size())) ev.name += " (" + std::to_string(e / int(titles.size()) + 1) + ")";
            ev.description = "A production of " + ev.name + ".";
            ev.duration = 90 + int(r.below(5)) * 15;
            price_list pl;
            pl.id = pl_ids();
            for (std::size_t b = 0; b < nbands; ++b)
                for (std::size_t t = 0; t < ntypes; ++t) {
                    pl.price_ids.push_back(price_ids());
                    std::int64_t base = tiny ? 4000 - std::int64_t(b) * 1000 : 2000 + std::int64_t(r.below(4)) * 500 + std::int64_t(nbands - b) * 750;
                    pl.amounts.push_back(base - std::int64_t(t) * (tiny ? 450 : 500));  // 40.0 / 35.5 in tiny
                }
            ev.price_list = std::uint32_t(c.price_lists.size());
            c.price_lists.push_back(std::move(pl));
            int first_day = tiny ? 7 : 1 + int(r.below(119 - std::uint64_t(per_event)));
            auto plan_index = std::uint32_t(e % nplans);
            for (int k = 0; k < per_event; ++k) {
                instance in;
                in.id = inst_ids();
                in.event = std::uint32_t(c.events.size());
                in.plan = plan_index;
                in.start = day0 + std::chrono::days(first_day + k) + std::chrono::hours(k % 3 == 2 ? 14 : 19) +
                           std::chrono::minutes(30);
                in.agent_sell_from = spec_.now - std::chrono::days(30);
                auto gi = c.instances.size();
                if (!tiny && k > 0) {
                    // a few instances differ for agents; the first of each event is always plain
                    in.cancelled = gi % 17 == 5;
                    in.agent_on_sale = gi % 13 != 7;
                    in.agent_visible = gi % 11 != 3;
                    if (gi % 19 == 9) in.agent_sell_from = spec_.now + std::chrono::days(10);
                }
                in.state_offset = c.total_slots;
                c.total_slots += c.plans[plan_index].capacity();
                ev.instances.push_back(std::uint32_t(gi));
                c.instance_by_id[in.id] = std::uint32_t(gi);
                c.instances.push_back(std::move(in));
            }
            c.event_by_id[ev.id] = std::uint32_t(c.events.size());
            c.events.push_back(std::move(ev));
        }
        for (std::uint32_t i = 0; i < c.types.size(); ++i) c.type_by_id[c.types[i].id] = i;
        for (std::uint32_t i = 0; i < c.bands.size(); ++i) c.band_by_id[c.bands[i].id] = i;
        for (std::uint32_t p = 0; p < c.plans.size(); ++p)
            for (std::uint32_t a = 0; a < c.plans[p].areas.size(); ++a) c.area_by_id[c.plans[p].areas[a].id] = p << 16 | a;
        return c;
    }

    world_spec spec_;
    rng rng_;
};

}  // namespace

bool parse_size(std::string_view text, size_preset& out) noexcept {
    if (text == "tiny") out = size_preset::tiny;
    else if (text == "small") out = size_preset::small;
    else if (text == "venue300") out = size_preset::venue300;
    else if (text == "large") out = size_preset::large;
    else return false;
    return true;
}

int client::account_index(std::string_view login) const noexcept {
    for (std::size_t i = 0; i < accounts.size(); ++i)
        if (accounts[i].login == login) return int(i);
    return -1;
}

std::uint64_t world::total_slots() const noexcept {
    std::uint64_t n = 0;
    for (auto& c : clients) n += c.total_slots;
    return n;
}

std::string make_id(std::uint64_t n, std::uint64_t salt) {
    std::string s = std::to_string(n) + "A";
    rng r(mix(n, salt));
    while (s.size() < 33) s.push_back(k_pad[r.below(16)]);
    return s;
}

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()), int(bytes.size()));
    out.resize(std::size_t(n));
    return out;
}

std::string base64_decode(std::string_view text, bool& ok) {
    ok = false;
    if (text.size() % 4 != 0) return {};
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), int(text.size()));
    if (n < 0) return {};
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
    out.resize(std::size_t(n) - pad);
    ok = true;
    return out;
}

world generate_world(const world_spec& spec) { return generator(spec).run(); }

}  // namespace agentd::sim
