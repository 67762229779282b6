// Pools, the channel's side: handing a ready hold to a request it satisfies (one durable
// `drawn` transition, no upstream call) and the operator's view. The filler is pool_fill.cpp.
// See pools.hpp and docs/pools.md. Threading: the executor's single thread.
#include "agentd/reservations/convert.hpp"
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace driver_support;

namespace {

bool is_pool_channel(std::string_view channel) { return channel.starts_with("pool:"); }

// Same instance (an event pool: the holds' own instance, checked by the caller, starting in
// its range), ticket type and size; a band or area asked for must be the pool's, a request
// for "anywhere" takes any pool of the instance.
bool satisfies(const pool_spec& p, const domain::reservation_request& req, const domain::instance_facts* facts) {
    if (!req.best_available || p.client != req.client) return false;
    if (p.event.empty() ? p.instance != req.instance : !facts || !starts_in_range(p, facts->start)) return false;
    const auto& b = *req.best_available;
    if (b.ticket_type != p.ticket_type) return false;
    if (!b.price_band.empty() && b.price_band != p.price_band) return false;
    if (!b.area.empty() && b.area != p.area) return false;
    return std::any_of(p.sizes.begin(), p.sizes.end(), [&](const pool_size& s) { return s.quantity == b.quantity; });
}

// Built outside any coroutine body: GCC 12 mishandles lambdas with by-value captures that are
// created inside a coroutine and outlive its current suspension.
std::function<void(store::reservation_row&)> new_owner(std::string channel, std::string key, domain::reservation_request req) {
    const auto hash = domain::request_hash(req);
    return [channel = std::move(channel), key = std::move(key), req = std::move(req), hash](store::reservation_row& r) {
        r.channel = channel;
        r.idempotency_key = key;
        r.request = req;
        r.request_hash = hash;
    };
}

}  // namespace

bool starts_in_range(const pool_spec& p, std::optional<sys_time> start) {
    if (p.event.empty() || (!p.from && !p.to)) return true;
    if (!start) return false;
    return (!p.from || *start >= *p.from) && (!p.to || *start <= *p.to);
}

std::vector<std::string> covered_instances(const pool_spec& p, const std::vector<domain::event_instance>& known, sys_time now) {
    std::vector<std::string> out;
    for (const auto& i : known) {
        if (i.cancelled || !starts_in_range(p, i.start)) continue;
        if (i.start && now >= *i.start - p.drain_before) continue;
        // Without an on-sale grab a pool fills only what the mirror shows on sale to agents.
        if (!p.fill_at && !i.on_sale_to_agents) continue;
        out.push_back(i.id);
    }
    return out;
}

const domain::hold_settings& reservation_service::impl::hold_for(const store::reservation_row& row) const {
    return is_pool_channel(row.channel) ? pool_hold : cfg.hold;
}

asio::awaitable<std::optional<reservation_service::impl::drawn_hold>> reservation_service::impl::draw(
    std::string channel, std::string key, domain::reservation_request req) {
    std::set<std::string, std::less<>> names;
    const auto* facts = catalogue.find_instance(req.client, req.instance);
    for (const auto& p : pools_cfg.pools)
        if (satisfies(p, req, facts)) names.insert(p.name);
    if (names.empty()) co_return std::nullopt;
    auto c = reader();
    if (!c) co_return std::nullopt;
    auto holds = store::pool_holds(**c);
    if (!holds) co_return std::nullopt;
    // The hold with the most time left: the channel gets the longest answer the basket allows.
    struct candidate {
        std::string id, pool;
        sc::duration left;
    };
    std::vector<candidate> found;
    const int quantity = req.best_available->quantity;
    for (const auto& h : *holds) {
        if (h.state != reservation_state::held || h.quantity != quantity || h.instance != req.instance ||
            !names.contains(h.pool) || busy.contains(h.id))
            continue;
        const auto left = hold_left(h.id, h.expires_at);
        if (left < pools_cfg.min_draw_left) continue;
        found.push_back({h.id, h.pool, left});
    }
    std::sort(found.begin(), found.end(), [](const candidate& a, const candidate& b) { return a.left > b.left; });
    for (std::size_t i = 0; i < found.size() && i < 4; ++i) {
        const auto& f = found[i];
        if (busy.contains(f.id)) continue;
        // Serialised with the filler's keep-alive and any drive of the hold.
        busy.insert(f.id);
        amend_fn amend = new_owner(channel, key, req);
        domain::event ev = domain::ev::drawn{channel, f.pool};
        std::string note = "by channel " + channel + " from pool " + f.pool;
        auto a = co_await apply(f.id, std::move(ev), std::move(amend), std::move(note));
        busy.erase(f.id);
        if (again.erase(f.id)) start_drive(f.id);
        if (a) {
            last_extend.erase(f.id);
            wake_pools();  // replace what was taken
            if (on_activity) on_activity(a->row.client, a->row.instance);
            log::info("reservations", "pool", "pool hold drawn",
                      {{"id", f.id}, {"pool", f.pool}, {"channel", channel}});
            co_return drawn_hold{std::move(a->row), false};
        }
        // A concurrent create with the same key won the (channel, key): answer as its retry.
        if (auto rc = reader()) {
            auto again_row = store::find_reservation_by_key(**rc, channel, key);
            if (again_row && *again_row) co_return drawn_hold{std::move(**again_row), true};
        }
        log::debug("reservations", "pool", "pool hold not drawn; trying another",
                   {{"id", f.id}, {"cause", a.error().message}});
    }
    co_return std::nullopt;
}

void reservation_service::set_pools(pool_settings p) {
    // A pool left out is drained by the next pass: its holds no longer match a configured pool.
    auto& m = *impl_;
    m.pools_cfg = std::move(p);
    m.wake_pools();
}

void reservation_service::set_pool_gate(std::function<bool(std::string_view)> may_fill) {
    impl_->may_fill = std::move(may_fill);
}

std::vector<pool_status> reservation_service::pools() const {
    const auto& m = *impl_;
    std::vector<pool_status> out;
    auto c = impl_->reader();
    if (!c) return out;
    auto holds = store::pool_holds(**c);
    if (!holds) return out;
    // One row per pool and instance: an event pool's target is per instance.
    auto status_of = [&](const std::string& name, const std::string& instance) -> pool_status& {
        for (auto& s : out)
            if (s.name == name && s.instance == instance) return s;
        out.push_back({});
        out.back().name = name;
        out.back().instance = instance;
        return out.back();
    };
    const sys_time now = m.clock.now();
    for (const auto& p : m.pools_cfg.pools) {
        std::vector<std::string> instances{p.instance};
        if (!p.event.empty()) {
            instances = covered_instances(p, m.catalogue.event_instances(p.client, p.event), now);
        }
        // An event pool covering no instance yet shows as one row without one (and no target).
        const std::size_t covered = instances.size();
        if (instances.empty()) instances.emplace_back();
        for (const auto& h : *holds)
            if (h.pool == p.name && std::find(instances.begin(), instances.end(), h.instance) == instances.end())
                instances.push_back(h.instance);
        auto rt = m.pool_rt.find(p.name);
        for (std::size_t i = 0; i < instances.size(); ++i) {
            const auto& instance = instances[i];
            auto& s = status_of(p.name, instance);
            s.client = p.client;
            s.event = p.event;
            s.fill_at = p.fill_at;
            for (const auto& z : p.sizes) {
                if (i >= covered) break;  // draining: no target
                s.target += z.count;
                s.target_seats += std::int64_t(z.count) * z.quantity;
            }
            s.phase = i >= covered && !instance.empty() ? "draining" : "waiting";
            if (i < covered && rt != m.pool_rt.end()) {
                auto ph = rt->second.instance_phase.find(instance);
                s.phase = ph != rt->second.instance_phase.end() ? ph->second : rt->second.phase;
            }
        }
    }
    for (const auto& h : *holds) {
        auto& s = status_of(h.pool, h.instance);
        if (s.phase.empty()) {
            s.phase = "removed";
            s.client = h.client;
        }
        switch (h.state) {
        case reservation_state::held:
            ++s.ready;
            s.seats_held += h.quantity;
            if (h.expires_at && (!s.next_expiry || *h.expires_at < *s.next_expiry)) s.next_expiry = h.expires_at;
            break;
        case reservation_state::releasing: ++s.releasing; break;
        default: ++s.filling; break;
        }
    }
    auto tallies = store::pool_instance_tallies(**c);
    if (!tallies) {
        log::warn("reservations", "pool", "pool tallies not read", {{"error", tallies.error().message}});
        return out;
    }
    for (auto& s : out)
        if (auto t = tallies->find({s.name, s.instance}); t != tallies->end()) {
            s.drawn = t->second.drawn;
            s.failed = t->second.failed;
        }
    for (const auto& [key, t] : *tallies)
        for (auto& s : out)
            if (s.name == key.first) {
                s.pool_drawn += t.drawn;
                s.pool_failed += t.failed;
            }
    return out;
}

}  // namespace agentd::reservations
