#include "agentd/app/control_adapter.hpp"
#include "agentd/app/windows.hpp"

#include "agentd/cluster/ownership.hpp"

#include "agentd/app/ledger_books.hpp"
#include "agentd/mirror/answer_cache.hpp"
#include "agentd/core/defer.hpp"
#include "agentd/core/time.hpp"
#include "agentd/app/reservation_names.hpp"
#include "agentd/reservations/service.hpp"
#include "agentd/mirror/view.hpp"
#include "agentd/mirror/progress.hpp"
#include "agentd/mirror/service.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/lease.hpp"
#include "agentd/upstream/spektrix_client.hpp"

namespace agentd::app {
namespace {

api::metric_sample make_sample(std::string name, std::string help, std::string type, double value,
                          std::vector<std::pair<std::string, std::string>> labels = {}) {
    return api::metric_sample{std::move(name), std::move(help), std::move(type), std::move(labels), value};
}

// The single writer's group commit: how many jobs each commit carries and what a durable job
// (an acknowledgement, a transition) waits for its commit, apart from the daemon's own time.
void add_writer_samples(std::vector<api::metric_sample>& s, const store::writer_stats& w) {
    s.push_back(make_sample("agentd_store_commits_total", "Write transactions committed", "counter", double(w.commits)));
    s.push_back(make_sample("agentd_store_committed_jobs_total", "Writer jobs carried by committed transactions", "counter",
                            double(w.committed_jobs)));
    for (std::size_t i = 0; i < store::k_commit_size_buckets; ++i)
        s.push_back(make_sample("agentd_store_commits_by_jobs_total", "Committed transactions by the number of jobs they carried",
                                "counter", double(w.commits_by_size[i]), {{"jobs", store::k_commit_size_labels[i]}}));
    s.push_back(make_sample("agentd_store_commit_seconds_total", "Time spent in COMMIT (the fsync of durable transactions)",
                            "counter", w.commit_seconds));
    s.push_back(make_sample("agentd_commit_wait_seconds_sum",
                            "Durable writer jobs: time from submit to outcome (queue, batch and its commit), summed", "counter",
                            w.durable_wait_seconds));
    s.push_back(make_sample("agentd_commit_wait_seconds_count", "Durable writer jobs timed", "counter", double(w.durable_waits)));
    s.push_back(make_sample("agentd_store_write_queue", "Writer jobs waiting now", "gauge", double(w.queued)));
}

}  // namespace

control_adapter::control_adapter(adapter_parts parts)
    : parts_(std::move(parts)), feed_reader_(parts_.db_path, "open feed reader"),
      cache_(mirror::make_answer_cache(*parts_.mirror, parts_.db_path, parts_.db, parts_.clock, parts_.answer_cache_bytes)),
      ledger_reader_(parts_.db_path, "open ledger reader"), lease_reader_(parts_.db_path, "open lease reader"),
      default_books_(default_ledger_client()) {}
control_adapter::~control_adapter() = default;

void control_adapter::add_budget(std::vector<api::client_state>& clients) {
    if (parts_.windows) {
        const auto now = parts_.clock ? parts_.clock->now() : std::chrono::system_clock::now();
        for (auto& c : clients) c.window = parts_.windows->to_api(c.name, now);
    }
    for (auto& c : clients) {
        for (auto& [name, ctx] : parts_.upstreams) {
            if (name != c.name || !ctx) continue;
            c.budget_left = ctx->request_budget().snapshot().tokens;  // not the whole metrics copy
        }
    }
}

result<api::health> control_adapter::health() {
    api::health h;
    h.version = parts_.version;
    h.uptime_seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    h.ready = ready();
    auto p = parts_.sync->progress();
    h.sync = mirror::to_api_progress(p);
    h.clients = mirror::to_api_clients(p);
    add_budget(h.clients);
    auto r = parts_.reservations->stats();
    h.queue.depth = r.queue_depth;
    h.queue.by_state = r.by_state;
    bool degraded = false;
    for (const auto& c : h.clients) degraded = degraded || c.state == "degraded" || c.state == "failing";
    h.status = !h.ready ? "starting" : degraded ? "degraded" : "ok";
    if (parts_.ownership && parts_.ownership->clustered()) {
        h.node = parts_.ownership->node();
        // The database's view (every node's leases), not this node's local one.
        auto c = lease_reader_.conn();
        auto rows = c ? store::list_leases(**c) : result<std::vector<store::lease_row>>(c.error());
        if (!rows) return rows.error();
        for (auto& r : *rows) h.leases.push_back({r.client, r.node, r.epoch, r.expires_at, r.live});
    }
    return h;
}

result<std::vector<api::client_state>> control_adapter::clients() {
    auto p = parts_.sync->progress();
    auto out = mirror::to_api_clients(p);
    add_budget(out);
    return out;
}

result<std::vector<api::event>> control_adapter::events(const api::event_query& q) { return parts_.mirror->events(q); }

result<std::vector<api::instance_summary>> control_adapter::instances(const api::instance_query& q) {
    return parts_.mirror->instances(q);
}

result<api::instance> control_adapter::instance(std::string_view client, std::string_view id) {
    auto r = parts_.mirror->instance(client, id);
    if (r) parts_.sync->mark_hot(client, id);  // someone is looking: keep it fresher for a while
    return r;
}

result<api::seat_plan> control_adapter::seats(std::string_view client, std::string_view id) {
    auto r = parts_.mirror->seats(client, id);
    if (r) parts_.sync->mark_hot(client, id);
    return r;
}

result<std::string> control_adapter::events_json(const api::event_query& q) { return cache_->events(q); }
result<std::string> control_adapter::instances_json(const api::instance_query& q) { return cache_->instances(q); }

result<std::string> control_adapter::instance_json(std::string_view client, std::string_view id) {
    auto r = cache_->instance(client, id);
    if (r) parts_.sync->mark_hot(client, id);
    return r;
}

result<std::string> control_adapter::seats_json(std::string_view client, std::string_view id) {
    auto r = cache_->seats(client, id);
    if (r) parts_.sync->mark_hot(client, id);
    return r;
}

boost::asio::awaitable<result<control::created_reservation>> control_adapter::create_reservation(
    std::string channel, std::string idempotency_key, api::reservation_request req) {
    if (!ready()) co_return fail(errc::unavailable, "create reservation: agentd is still starting (recovery in progress)");
    co_return co_await defer([&] { return parts_.reservations->create(std::move(channel), std::move(idempotency_key), std::move(req)); });
}

// Reads carry the mirror's names next to the ids (app/reservation_names.hpp).
result<api::reservation> control_adapter::reservation(std::string_view id) {
    auto r = parts_.reservations->get(id);
    if (r) reservation_namer(parts_.mirror).name(*r);
    return r;
}

std::optional<std::int64_t> control_adapter::reservation_version(std::string_view id) {
    return parts_.reservations->known_version(id);
}

result<std::vector<api::reservation>> control_adapter::reservations(const api::reservation_filter& f) {
    auto list = parts_.reservations->list(f);
    reservation_namer namer(parts_.mirror);
    if (list)
        for (auto& r : *list) namer.name(r);
    return list;
}

result<std::vector<api::history_entry>> control_adapter::reservation_history(std::string_view id) {
    return parts_.reservations->history(id);
}

boost::asio::awaitable<result<api::reservation>> control_adapter::confirm_reservation(std::string id,
                                                                                     api::confirm_request req) {
    co_return co_await defer([&] { return parts_.reservations->confirm(std::move(id), std::move(req)); });
}

boost::asio::awaitable<result<api::reservation>> control_adapter::extend_reservation(std::string id,
                                                                                    api::extend_request req) {
    co_return co_await defer([&] { return parts_.reservations->extend(std::move(id), std::move(req)); });
}

boost::asio::awaitable<result<api::reservation>> control_adapter::release_reservation(std::string id) {
    co_return co_await defer([&] { return parts_.reservations->release(std::move(id)); });
}

result<std::vector<api::feed_event>> control_adapter::feed_since(std::uint64_t seq, std::size_t limit) {
    auto conn = feed_reader_.conn();
    if (!conn) return conn.error();
    auto rows = store::feed_since(**conn, std::int64_t(seq), limit);
    if (!rows) return rows.error();
    std::vector<api::feed_event> out;
    out.reserve(rows->size());
    for (auto& e : *rows) out.push_back(api::feed_event{std::uint64_t(e.seq), std::move(e.kind), std::move(e.payload)});
    return out;
}

result<api::metrics_snapshot> control_adapter::metrics() {
    api::metrics_snapshot m;
    auto& s = m.samples;
    s.push_back(make_sample("agentd_up", "1 while the daemon serves; ready is 1 after recovery", "gauge", ready() ? 1 : 0));
    s.push_back(make_sample("agentd_uptime_seconds", "Seconds since start", "gauge",
                       double(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count())));

    auto p = parts_.sync->progress();
    s.push_back(make_sample("agentd_sync_initial_complete", "1 once every client's first full sync is done", "gauge",
                       p.initial_complete ? 1 : 0));
    s.push_back(make_sample("agentd_sync_requests_per_second", "Upstream sync requests per second since start", "gauge",
                       p.requests_per_second));
    for (const auto& c : p.clients) {
        std::vector<std::pair<std::string, std::string>> l{{"client", c.name}};
        s.push_back(make_sample("agentd_sync_lag_seconds", "How overdue the most overdue availability poll is", "gauge",
                           c.lag_seconds, l));
        s.push_back(make_sample("agentd_sync_instances", "Instances mirrored per client", "gauge", double(c.instances_total), l));
        s.push_back(make_sample("agentd_sync_healthy", "1 when the client's sync state is ok", "gauge",
                           c.state == "ok" ? 1 : 0, l));
    }
    auto sc = parts_.sync->counters();
    s.push_back(make_sample("agentd_sync_seat_rows_changed_total", "Seat status rows written because they changed", "counter",
                       double(sc.seat_rows_changed)));
    s.push_back(make_sample("agentd_sync_refused_removals_total", "Listings refused because they would remove too much", "counter",
                       double(sc.refused_removals)));

    auto r = parts_.reservations->stats();
    s.push_back(make_sample("agentd_queue_depth", "Reservations waiting for placement", "gauge", double(r.queue_depth)));
    s.push_back(make_sample("agentd_reservations_in_flight", "Reservations being driven upstream now", "gauge", double(r.in_flight)));
    for (const auto& [state, n] : r.by_state)
        s.push_back(make_sample("agentd_reservations", "Reservations by state", "gauge", double(n), {{"state", state}}));
    s.push_back(make_sample("agentd_placement_daemon_p99_microseconds",
                       "Daemon time per placement excluding upstream time, p99", "gauge", r.placement.p99_us));
    s.push_back(make_sample("agentd_confirm_daemon_p99_microseconds", "Daemon time per confirm excluding upstream time, p99",
                       "gauge", r.confirmation.p99_us));
    // The same steps without the waits for their durable commits: what the daemon itself spends.
    const std::pair<const char*, const reservations::op_timing_summary*> steps[] = {{"placement", &r.placement_cpu},
                                                                                  {"confirm", &r.confirmation_cpu}};
    for (const auto& [step, t] : steps) {
        for (const auto& [q, v] : {std::pair{"0.5", t->p50_us}, std::pair{"0.99", t->p99_us}})
            s.push_back(make_sample("agentd_reservation_step_seconds",
                                    "Daemon time per reservation step excluding upstream time and durable-commit waits",
                                    "gauge", v / 1e6, {{"step", step}, {"quantile", q}}));
    }
    // Summed per pool over its instances: an event pool's instances come and go, and an
    // instance label would add series without bound.
    std::map<std::string, reservations::pool_status> per_pool;
    for (auto& r : parts_.reservations->pools()) {
        auto [it, fresh] = per_pool.try_emplace(r.name, r);
        if (fresh) continue;
        auto& p = it->second;
        p.target += r.target;
        p.ready += r.ready;
        p.filling += r.filling;
        p.seats_held += r.seats_held;
    }
    for (const auto& [name, p] : per_pool) {
        const std::vector<std::pair<std::string, std::string>> l{{"pool", p.name}, {"client", p.client}};
        s.push_back(make_sample("agentd_pool_target", "Ready holds an allocation pool keeps", "gauge", double(p.target), l));
        s.push_back(make_sample("agentd_pool_ready", "Ready holds of an allocation pool", "gauge", double(p.ready), l));
        s.push_back(make_sample("agentd_pool_filling", "Holds of an allocation pool being placed", "gauge", double(p.filling), l));
        s.push_back(make_sample("agentd_pool_seats_held", "Seats an allocation pool holds", "gauge", double(p.seats_held), l));
        s.push_back(make_sample("agentd_pool_drawn_total", "Holds channels drew from an allocation pool", "counter", double(p.pool_drawn), l));
        s.push_back(make_sample("agentd_pool_failed_fills_total", "Fills of an allocation pool that ended rejected", "counter",
                                double(p.pool_failed), l));
    }
    if (parts_.db) add_writer_samples(s, parts_.db->stats());

    for (auto& [name, ctx] : parts_.upstreams) {
        if (!ctx) continue;
        auto um = ctx->metrics_now();
        std::vector<std::pair<std::string, std::string>> l{{"client", name}};
        for (const auto& [key, n] : um.requests)
            s.push_back(make_sample("agentd_upstream_requests_total", "Upstream HTTP exchanges by endpoint and status (0: no answer)",
                               "counter", double(n),
                               {{"client", name}, {"endpoint", key.first}, {"status", std::to_string(key.second)}}));
        s.push_back(make_sample("agentd_upstream_latency_ms_sum", "Sum of upstream exchange latencies", "counter",
                           um.latency_sum_ms, l));
        s.push_back(make_sample("agentd_upstream_latency_ms_count", "Upstream exchanges timed", "counter",
                           double(um.latency_count), l));
        s.push_back(make_sample("agentd_upstream_retries_total", "Upstream retries", "counter", double(um.retries), l));
        s.push_back(make_sample("agentd_upstream_held_back_total",
                                "Upstream calls a do-not-transact window kept from being sent", "counter",
                                double(um.held_back), l));
        if (parts_.windows) {
            const auto now = parts_.clock ? parts_.clock->now() : std::chrono::system_clock::now();
            const auto st = parts_.windows->state(name, now);
            s.push_back(make_sample("agentd_window_in_force", "1 while a do-not-transact window stops upstream writes",
                                    "gauge", st.inside ? 1.0 : 0.0, l));
        }
        s.push_back(make_sample("agentd_upstream_failed_calls_total", "Upstream calls that ended in failure", "counter",
                           double(um.failed_calls), l));
        s.push_back(make_sample("agentd_upstream_budget_tokens", "Request budget tokens left", "gauge", um.budget.tokens, l));
        s.push_back(make_sample("agentd_upstream_budget_rate_per_minute", "Current request budget rate (shrinks after 429)",
                           "gauge", um.budget.rate_per_minute, l));
        s.push_back(make_sample("agentd_upstream_rate_limited_total", "429 answers received", "counter",
                           double(um.budget.rate_limited), l));
    }
    mirror::add_answer_cache_metrics(*cache_, s);
    return m;
}

boost::asio::awaitable<result<api::admin_sync_answer>> control_adapter::request_sync(api::admin_sync_request req) {
    bool known = false;
    for (auto& [name, ctx] : parts_.upstreams) known = known || name == req.client;
    if (!known) co_return fail(errc::not_found, "sync client '" + req.client + "': not configured");
    std::string what = req.instance ? "instance " + *req.instance : "catalogue";
    parts_.sync->request_sync(req.client, req.instance);
    co_return api::admin_sync_answer{true, "refresh of " + req.client + " " + what + " scheduled"};
}

result<api::pool_report> control_adapter::pools() {
    api::pool_report out;
    for (const auto& p : parts_.reservations->pools()) {
        api::pool_view v;
        v.name = p.name;
        v.client = p.client;
        v.instance = p.instance;
        if (!p.event.empty()) v.event = p.event;
        v.phase = p.phase;
        v.target = p.target;
        v.target_seats = p.target_seats;
        v.ready = p.ready;
        v.filling = p.filling;
        v.releasing = p.releasing;
        v.drawn = p.drawn;
        v.failed_fills = p.failed;
        v.seats_held = p.seats_held;
        if (p.next_expiry) v.next_expiry = format_iso_utc(*p.next_expiry);
        if (p.fill_at) v.fill_at = format_iso_utc(*p.fill_at);
        out.pools.push_back(std::move(v));
    }
    return out;
}

result<api::reconcile_report> control_adapter::reconcile() {
    auto r = parts_.reservations->reconcile();
    if (!r) return r;
    if (auto gaps = ledger_gaps(); !gaps) return gaps.error();
    else {
        r->ledger_missing = std::move(gaps->confirmed_without_entry);
        r->ledger_orphaned = std::move(gaps->entry_without_confirmed);
    }
    return r;
}

boost::asio::awaitable<result<api::reservation>> control_adapter::resolve_reservation(std::string id, api::resolve_request req) {
    co_return co_await defer([&] { return parts_.reservations->resolve(std::move(id), std::move(req)); });
}

}  // namespace agentd::app
