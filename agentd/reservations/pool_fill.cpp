// Pools, the filler: keeps each pool at its target of ready holds, within the per-client cap;
// keeps them alive by extending them; replaces what channels drew; drains a pool before its
// performance and when a reload removed it; fills an on-sale grab at its moment. Every hold
// is a `pool:<name>` reservation driven by the ordinary machinery, so a crash leaves nothing
// the recovery does not already know, and the counts read back from the store never double a
// hold. See pools.hpp and docs/pools.md. Threading: the executor's single thread.
#include "agentd/reservations/convert.hpp"
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;
using namespace driver_support;

namespace {

// Built outside any coroutine body (see transition_job).
std::function<result<std::int64_t>(store::write_txn&)> insert_fill(store::reservation_row row) {
    return [row = std::move(row)](store::write_txn& t) -> result<std::int64_t> {
        return store::insert_reservation(t, row, feed_payload(row));
    };
}

bool live(reservation_state s) {
    return s == reservation_state::queued || s == reservation_state::placing || s == reservation_state::held;
}

}  // namespace

void reservation_service::impl::wake_pools() { pool_timer.cancel(); }

sc::duration reservation_service::impl::hold_left(const std::string& id, std::optional<sys_time> expires_at) const {
    // The lesser of the monotonic countdown and the wall deadline: touching a basket early or
    // not handing it out costs nothing, trusting the longer of two clocks could.
    auto left = std::chrono::duration_cast<sc::duration>(expires_at.value_or(sys_time{}) - clock.now());
    if (auto d = hold_deadlines.find(id); d != hold_deadlines.end()) left = std::min(left, d->second - sc::now());
    return left;
}

asio::awaitable<bool> reservation_service::impl::fill_one(const pool_spec& p, const std::string& instance, int quantity) {
    const sys_time now = clock.now();
    const auto* client = client_named(p.client);
    if (!client || client->accounts.empty()) co_return false;
    store::reservation_row row;
    row.id = new_reservation_id(now);
    row.channel = "pool:" + p.name;
    row.idempotency_key = "fill-" + row.id;
    row.client = p.client;
    row.account = client->accounts.front().first;
    row.instance = instance;
    row.request.client = p.client;
    row.request.instance = instance;
    domain::best_available_request b;
    b.quantity = quantity;
    b.ticket_type = p.ticket_type;
    b.price_band = p.price_band;
    b.area = p.area;
    row.request.best_available = std::move(b);
    row.request_hash = domain::request_hash(row.request);
    row.rec = domain::make_reservation(now);
    row.pool = p.name;
    auto job = insert_fill(row);
    auto seq = co_await run_job<std::int64_t>(std::move(job));
    if (!seq) {
        log::warn("reservations", "pool", "storing a pool fill failed", {{"pool", p.name}, {"error", seq.error().message}});
        co_return false;
    }
    ++fills;
    enqueue(row);
    admit(row);
    if (on_feed) on_feed(static_cast<std::uint64_t>(*seq));
    if (on_activity) on_activity(row.client, row.instance);
    co_return true;
}

asio::awaitable<void> reservation_service::impl::pool_pass() {
    auto c = reader();
    if (!c) co_return;
    auto holds = store::pool_holds(**c);
    if (!holds) co_return;
    const sys_time now = clock.now();
    const auto now_mono = sc::now();

    // Seats each client's pools hold or are placing, against client_max_seats.
    std::map<std::string, std::int64_t, std::less<>> client_seats;
    std::map<std::string, const pool_spec*, std::less<>> by_name;
    for (const auto& p : pools_cfg.pools) by_name[p.name] = &p;
    for (const auto& h : *holds) {
        auto it = by_name.find(h.pool);
        if (it != by_name.end() && live(h.state)) client_seats[it->second->client] += h.quantity;
    }

    std::vector<std::string> to_release;
    std::vector<std::string> to_extend;
    for (const auto& h : *holds) {
        // Another node drives this venue (docs/scale-out.md): its pools are that node's to keep.
        if (!live(h.state) || busy.contains(h.id) || !owned(h.client)) continue;
        auto it = by_name.find(h.pool);
        if (it == by_name.end()) {
            to_release.push_back(h.id);  // the pool was removed: drain it
            continue;
        }
        if (h.state != reservation_state::held) continue;
        if (hold_left(h.id, h.expires_at) < pools_cfg.keep_alive_below) to_extend.push_back(h.id);
    }

    // Read once per pass, and only if some pool gets as far as filling.
    std::optional<result<std::map<std::string, store::pool_tally, std::less<>>>> tallies;
    // An event pool keeps its target for each instance it covers, soonest first; the holds of
    // an instance it no longer covers (past drain_before, cancelled, off the range after a
    // reload, off sale) are drained, as are an instance pool's of an instance a reload changed.
    // Copies: a reload may replace the configured pools while a fill is awaited.
    struct unit {
        pool_spec pool;
        std::string instance;
    };
    std::vector<unit> units;
    for (const auto& p : pools_cfg.pools) {
        if (!owned(p.client)) continue;
        auto& rt = pool_rt[p.name];
        rt.lock_types = p.lock_types;
        std::vector<std::string> covered{p.instance};
        if (!p.event.empty()) {
            covered = covered_instances(p, catalogue.event_instances(p.client, p.event), now);
            std::erase_if(rt.instance_phase, [&](const auto& e) { return std::find(covered.begin(), covered.end(), e.first) == covered.end(); });
            rt.phase = "waiting";
        }
        for (const auto& h : *holds)
            if (h.pool == p.name && live(h.state) && std::find(covered.begin(), covered.end(), h.instance) == covered.end()) {
                if (!p.event.empty()) rt.instance_phase[h.instance] = "draining";
                to_release.push_back(h.id);
            }
        for (auto& i : covered) units.push_back({p, std::move(i)});
    }
    for (const auto& [p, instance] : units) {
        auto& rt = pool_rt[p.name];
        std::string& phase = p.event.empty() ? rt.phase : rt.instance_phase[instance];
        // An event pool's instances are on sale and short of drain_before by being covered.
        const domain::instance_facts* facts = p.event.empty() ? catalogue.find_instance(p.client, instance) : nullptr;
        const bool over = facts && (facts->cancelled || (facts->start && now >= *facts->start - p.drain_before));
        // Live holds of this pool by size, oldest first.
        std::map<int, std::vector<const store::pool_hold_row*>> by_size;
        for (const auto& h : *holds)
            if (h.pool == p.name && h.instance == instance && live(h.state)) by_size[h.quantity].push_back(&h);
        if (over) {
            if (phase != "draining")
                log::info("reservations", "pool", "draining pool before the performance", {{"pool", p.name}, {"instance", instance}});
            phase = "draining";
            for (const auto& [q, hs] : by_size)
                for (const auto* h : hs) to_release.push_back(h->id);
            continue;
        }
        // A target lowered by a reload: release the newest beyond it.
        for (auto& [q, hs] : by_size) {
            int want = 0;
            for (const auto& z : p.sizes)
                if (z.quantity == q) want += z.count;
            for (int i = want; i < static_cast<int>(hs.size()); ++i) to_release.push_back(hs[std::size_t(i)]->id);
        }
        if (p.fill_at && now < *p.fill_at - p.grab_lead) {
            phase = "waiting";
            continue;
        }
        // A fill needs the instance on sale, except for an on-sale grab: at its moment the
        // mirror may not have seen the sale open yet, and upstream decides.
        if (!p.fill_at && p.event.empty() && (!facts || !facts->on_sale_to_agents)) {
            phase = "waiting";
            continue;
        }
        if (may_fill && !may_fill(p.client)) {
            phase = "paused";
            continue;
        }
        // Fills that ended rejected (sold out, refused) back off before asking again.
        if (!tallies) tallies = store::pool_tallies(**c);
        if (*tallies) {
            const auto t = (**tallies).find(p.name);
            const std::int64_t failed = t == (**tallies).end() ? 0 : t->second.failed;
            if (rt.failed_seen >= 0 && failed > rt.failed_seen) {
                rt.backoff_step = std::min(rt.backoff_step + 1, 5);
                rt.fill_not_before = now_mono + std::chrono::seconds(1 << rt.backoff_step);
            }
            rt.failed_seen = failed;
        }
        int missing = 0, in_flight = 0;
        for (const auto& z : p.sizes) {
            const auto it = by_size.find(z.quantity);
            const int have = it == by_size.end() ? 0 : static_cast<int>(it->second.size());
            missing += std::max(0, z.count - have);
            if (it != by_size.end())
                for (const auto* h : it->second) in_flight += h->state != reservation_state::held;
        }
        if (missing == 0) {
            phase = in_flight > 0 ? "filling" : "ready";
            if (in_flight == 0) rt.backoff_step = 0;
            continue;
        }
        phase = "filling";
        if (now_mono < rt.fill_not_before) continue;
        const auto cap_it = pools_cfg.client_max_seats.find(p.client);
        const std::int64_t cap = cap_it == pools_cfg.client_max_seats.end() ? -1 : cap_it->second;
        for (const auto& z : p.sizes) {
            const auto it = by_size.find(z.quantity);
            const int have = it == by_size.end() ? 0 : static_cast<int>(it->second.size());
            for (int i = have; i < z.count; ++i) {
                if (cap >= 0 && client_seats[p.client] + z.quantity > cap) {
                    phase = "capped";
                    break;
                }
                if (!co_await fill_one(p, instance, z.quantity)) break;
                client_seats[p.client] += z.quantity;
            }
        }
    }

    for (const auto& id : to_release) {
        if (busy.contains(id)) continue;
        auto r = co_await release_hold(id);
        if (!r) log::debug("reservations", "pool", "pool hold not released", {{"id", id}, {"cause", r.error().message}});
    }
    for (const auto& id : to_extend) {
        if (busy.contains(id)) continue;
        auto r = co_await extend_hold(id, 0);
        if (!r && r.error().code != errc::rate_limited)
            log::warn("reservations", "pool", "keeping a pool hold alive failed", {{"id", id}, {"cause", r.error().message}});
    }
}

asio::awaitable<void> reservation_service::impl::pool_loop() {
    co_await asio::this_coro::throw_if_cancelled(false);
    while (!co_await cancelled()) {
        try {
            co_await pool_pass();
        } catch (const std::exception& e) {
            log::warn("reservations", "pool", "pool pass failed", {{"cause", e.what()}});
        }
        if (co_await cancelled()) break;
        // Woken early by a draw or a reload; an on-sale grab is met at its moment, not a pass later.
        auto wait = std::chrono::duration_cast<sc::duration>(pools_cfg.pass_interval);
        const sys_time now = clock.now();
        for (const auto& p : pools_cfg.pools)
            if (p.fill_at && *p.fill_at - p.grab_lead > now)
                wait = std::min(wait, std::chrono::duration_cast<sc::duration>(*p.fill_at - p.grab_lead - now) +
                                          std::chrono::milliseconds(1));
        pool_timer.expires_after(wait);
        boost::system::error_code ec;
        co_await pool_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
}

}  // namespace agentd::reservations
