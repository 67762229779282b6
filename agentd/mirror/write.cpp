#include "agentd/mirror/write.hpp"

#include "agentd/api/json.hpp"

#include "agentd/core/time.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/mirror_store.hpp"

#include <map>

namespace agentd::mirror {

namespace {

struct feeder {
    store::write_txn& t;
    std::string_view client;
    std::string at;
    write_outcome& out;

    result<void> add(std::string_view kind, std::string_view entity, std::string payload) {
        store::feed_entry e{0, at, std::string(kind), std::string(client), std::string(entity), std::move(payload)};
        auto seq = store::append_feed(t, e);
        if (!seq) return seq.error();
        out.last_feed_seq = *seq;
        ++out.feed_rows;
        return {};
    }
};

void hash_counts(domain::content_hasher& h, const upstream::status_counts& c) {
    h.field(c.capacity).field(c.available).field(c.wheelchair_available).field(c.special_available);
    h.field(c.in_basket).field(c.in_other_basket).field(c.locked).field(c.reserved).field(c.sold);
    h.field(c.scanned).field(c.masked).field(c.unavailable);
}

void hash_area(domain::content_hasher& h, const upstream::area& a) {
    h.field(a.id).field(a.name).field(a.reserved ? 1 : 0).field(a.capacity).field(a.band_id.value_or(""));
    h.field(static_cast<std::int64_t>(a.seats.size()));
    for (const auto& s : a.seats)
        h.field(s.id).field(s.name).field(s.row).field(s.number).field(s.x).field(s.y).field(s.band_id.value_or(""));
    h.field(static_cast<std::int64_t>(a.children.size()));
    for (const auto& c : a.children) hash_area(h, c);
}

void flatten(const upstream::area& a, const std::optional<std::string>& parent, std::vector<store::mirror_area_row>& areas,
             std::vector<store::mirror_seat_row>& seats) {
    areas.push_back({a.id, parent, a.name, a.reserved, a.capacity, a.band_id});
    for (const auto& s : a.seats)
        seats.push_back({s.id, a.id, s.name, s.row, s.number, s.x, s.y, s.band_id.has_value() ? s.band_id : a.band_id,
                         std::nullopt, {}});
    for (const auto& c : a.children) flatten(c, a.id, areas, seats);
}

store::mirror_status_row status_row(std::string area, std::string name, const upstream::status_counts& c) {
    return {std::move(area), std::move(name), c.capacity,  c.available, c.locked,
            c.reserved,      c.sold,          c.in_basket + c.in_other_basket, c.unavailable};
}

// Diffs one listing and applies it through `upsert`; misses and tombstones as domain/diff says.
template <class Entity, class Upsert>
result<void> apply_listing(store::write_txn& t, std::string_view kind, std::string_view client,
                           const std::map<std::string, store::mirror_known_row>& known_scope, std::size_t live_total,
                           const std::vector<Entity>& fresh, const domain::diff_settings& ds, feeder& f,
                           Upsert&& upsert) {
    std::map<std::string, domain::known_entity> prev;
    for (const auto& [id, k] : known_scope) prev.emplace(id, domain::known_entity{k.hash, k.misses, k.tombstoned});
    std::map<std::string, std::uint64_t> hashes;
    std::map<std::string, const Entity*> by_id;
    for (const auto& e : fresh) {
        hashes[e.id] = hash_of(e);
        by_id[e.id] = &e;
    }
    auto plan = domain::diff_listing(prev, hashes, ds, live_total);
    if (!plan) {
        f.out.refused = true;
        f.out.refusal = plan.error().message;
        return f.add("sync", "", api::to_json(api::feed_sync{std::string(client), std::string(kind), plan.error().message}));
    }
    auto write = [&](const std::string& id, std::string_view what) -> result<void> {
        auto r = upsert(*by_id.at(id), hashes.at(id));
        if (!r) return r;
        ++f.out.rows;
        return f.add(kind, id, api::to_json(api::feed_mirror_change{std::string(client), id, std::string(what)}));
    };
    for (const auto& id : plan->inserts)
        if (auto r = write(id, "added"); !r) return r;
    for (const auto& id : plan->updates)
        if (auto r = write(id, "changed"); !r) return r;
    for (const auto& id : plan->resurrections)
        if (auto r = write(id, "restored"); !r) return r;
    for (const auto& id : plan->seen_again) {
        if (auto r = store::mirror_set_misses(t, kind, client, id, 0, false); !r) return r;
        ++f.out.rows;
    }
    for (const auto& id : plan->missed) {
        if (auto r = store::mirror_set_misses(t, kind, client, id, prev.at(id).misses + 1, false); !r) return r;
        ++f.out.rows;
    }
    for (const auto& id : plan->tombstones) {
        if (auto r = store::mirror_set_misses(t, kind, client, id, prev.at(id).misses + 1, true); !r) return r;
        ++f.out.rows;
        if (auto r = f.add(kind, id, api::to_json(api::feed_mirror_change{std::string(client), id, "removed"})); !r) return r;
    }
    return {};
}

std::size_t live_count(const std::map<std::string, store::mirror_known_row>& known) {
    std::size_t n = 0;
    for (const auto& [id, k] : known) n += k.tombstoned ? 0 : 1;
    return n;
}

}  // namespace

std::int64_t to_ms(sys_time t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
sys_time from_ms(std::int64_t ms) { return sys_time{std::chrono::milliseconds(ms)}; }

std::uint64_t hash_of(const upstream::event& e) {
    domain::content_hasher h;
    h.field(e.id).field(e.name).field(e.description).field(e.duration_minutes).field(e.image_url);
    h.field(e.is_on_sale ? 1 : 0).field(e.instance_dates).field(e.first_instance_local).field(e.last_instance_local);
    return h.value();
}

std::uint64_t hash_of(const upstream::instance& i) {
    domain::content_hasher h;
    h.field(i.id).field(i.event_id).field(i.plan_id).field(i.price_list_id).field(i.start_local);
    h.field(to_ms(i.start_utc)).field(i.is_on_sale ? 1 : 0).field(i.cancelled ? 1 : 0);
    return h.value();
}

std::uint64_t hash_of(const upstream::price_list& p) {
    domain::content_hasher h;
    h.field(p.id).field(static_cast<std::int64_t>(p.prices.size()));
    for (const auto& x : p.prices)
        h.field(x.band.id).field(x.band.name).field(x.ticket_type.id).field(x.ticket_type.name).field(x.amount.minor).field(
            x.is_band_default ? 1 : 0);
    return h.value();
}

std::uint64_t hash_of(const upstream::plan& p) {
    domain::content_hasher h;
    hash_area(h, p);
    return h.value();
}

std::uint64_t hash_of(const upstream::instance_status& s) {
    domain::content_hasher h;
    hash_counts(h, s.counts);
    for (const auto& a : s.areas) {
        h.field(a.id).field(a.name);
        hash_counts(h, a.counts);
    }
    return h.value();
}

std::string_view seat_state_name(int state) noexcept {
    switch (static_cast<upstream::seat_state>(state)) {
        case upstream::seat_state::available: return "available";
        case upstream::seat_state::in_basket:
        case upstream::seat_state::in_other_basket: return "held";
        case upstream::seat_state::locked: return "locked";
        case upstream::seat_state::reserved:
        case upstream::seat_state::sold: return "sold";
        case upstream::seat_state::unavailable: return "unavailable";
        default: return "unknown";
    }
}

result<write_outcome> apply_events(store::write_txn& t, std::string_view client,
                                   const std::vector<upstream::event>& fresh, const domain::diff_settings& ds,
                                   sys_time now) {
    write_outcome out;
    feeder f{t, client, format_iso_utc_ms(now), out};
    auto known = store::mirror_known(t.conn(), "event", client);
    if (!known) return known.error();
    auto r = apply_listing(t, "event", client, *known, live_count(*known), fresh, ds, f,
                           [&](const upstream::event& e, std::uint64_t h) {
                               store::mirror_event_row row{e.id,         e.name,           e.description,
                                                           e.duration_minutes, e.image_url, e.is_on_sale,
                                                           e.instance_dates, e.first_instance_local,
                                                           e.last_instance_local, false};
                               return store::mirror_upsert_event(t, client, row, h);
                           });
    if (!r) return r.error();
    return out;
}

result<instances_outcome> apply_instances(store::write_txn& t, std::string_view client,
                                          const std::vector<upstream::instance>& fresh,
                                          const std::set<std::string>& listed_events,
                                          const domain::diff_settings& ds, sys_time now) {
    instances_outcome out;
    feeder f{t, client, format_iso_utc_ms(now), out.w};
    auto known = store::mirror_known(t.conn(), "instance", client);
    if (!known) return known.error();
    std::map<std::string, store::mirror_known_row> scope;
    for (const auto& [id, k] : *known)
        if (listed_events.count(k.parent)) scope.emplace(id, k);
    auto r = apply_listing(t, "instance", client, scope, live_count(*known), fresh, ds, f,
                           [&](const upstream::instance& i, std::uint64_t h) {
                               store::mirror_instance_row row;
                               row.id = i.id;
                               row.event_id = i.event_id;
                               row.plan_id = i.plan_id;
                               row.price_list_id = i.price_list_id;
                               row.start_local = i.start_local;
                               row.start_utc = format_iso_utc(i.start_utc);
                               row.on_sale = i.is_on_sale;
                               row.cancelled = i.cancelled;
                               return store::mirror_upsert_instance(t, client, row, h);
                           });
    if (!r) return r.error();
    auto live = store::mirror_instances(t.conn(), client, std::nullopt, std::nullopt, std::nullopt);
    if (!live) return live.error();
    out.live = std::move(*live);
    return out;
}

result<write_outcome> apply_price_list(store::write_txn& t, std::string_view client, const upstream::price_list& p,
                                       sys_time now) {
    write_outcome out;
    const auto h = hash_of(p);
    auto old = store::mirror_price_list_hash(t.conn(), client, p.id);
    if (!old) return old.error();
    if (*old == h) return out;
    std::vector<store::mirror_price_row> rows;
    rows.reserve(p.prices.size());
    for (const auto& x : p.prices)
        rows.push_back({x.band.id, x.ticket_type.id, x.band.name, x.ticket_type.name, x.amount.minor, x.is_band_default});
    if (auto r = store::mirror_replace_price_list(t, client, p.id, h, rows); !r) return r.error();
    out.rows = rows.size() + 1;
    feeder f{t, client, format_iso_utc_ms(now), out};
    if (auto r = f.add("price_list", p.id, api::to_json(api::feed_price_list{std::string(client), p.id, std::int64_t(rows.size())})); !r) return r.error();
    return out;
}

result<write_outcome> apply_plan(store::write_txn& t, std::string_view client, const upstream::plan& p, sys_time now) {
    write_outcome out;
    const auto h = hash_of(p);
    auto old = store::mirror_plan_hash(t.conn(), client, p.id);
    if (!old) return old.error();
    if (*old == h) return out;
    std::vector<store::mirror_area_row> areas;
    std::vector<store::mirror_seat_row> seats;
    flatten(p, std::nullopt, areas, seats);
    if (auto r = store::mirror_replace_plan(t, client, p.id, h, areas, seats); !r) return r.error();
    out.rows = areas.size() + seats.size() + 1;
    feeder f{t, client, format_iso_utc_ms(now), out};
    if (auto r = f.add("plan", p.id, api::to_json(api::feed_plan{std::string(client), p.id, std::int64_t(seats.size())})); !r) return r.error();
    return out;
}

result<availability_outcome> apply_availability(store::write_txn& t, std::string_view client,
                                                const availability_input& in, sys_time now) {
    availability_outcome out;
    if (in.status) {
        std::vector<store::mirror_status_row> rows;
        rows.push_back(status_row("", in.status->name, in.status->counts));
        for (const auto& a : in.status->areas) rows.push_back(status_row(a.id, a.name, a.counts));
        auto n = store::mirror_put_status(t, client, in.instance, rows);
        if (!n) return n.error();
        out.status_rows = *n;
    }
    if (!in.seats.empty()) {
        auto n = store::mirror_put_seat_status(t, client, in.instance, in.seats);
        if (!n) return n.error();
        out.seats = *n;
    }
    if (auto r = store::mirror_put_sync_state(t, client, in.state); !r) return r.error();
    out.w.rows = out.status_rows + out.seats.rows_changed + 1;
    if (out.status_rows > 0 || out.seats.rows_changed > 0) {
        feeder f{t, client, format_iso_utc_ms(now), out.w};
        api::feed_availability ev{std::string(client), in.instance, std::nullopt, std::int64_t(out.seats.rows_changed)};
        if (in.status) ev.available = in.status->counts.available;
        if (auto r = f.add("availability", in.instance, api::to_json(ev)); !r) return r.error();
    }
    return out;
}

}  // namespace agentd::mirror
