// The sync service's lifecycle: start and stop of the per-client workers, loading what the
// store knows, failure and success bookkeeping, progress and counters. See service.hpp.
#include "agentd/mirror/service.hpp"

#include "agentd/mirror/jobs.hpp"
#include "agentd/mirror/state.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/await_job.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace agentd::mirror {

namespace asio = boost::asio;

sync_service::sync_service(asio::any_io_executor ex, store::database& db, std::string db_path,
                           mirror::settings settings, std::vector<sync_client> clients, const agentd::clock& clk,
                           std::function<void(std::uint64_t)> on_feed)
    : ex_(ex), db_(db), db_path_(std::move(db_path)), settings_(settings), clock_(clk), on_feed_(std::move(on_feed)),
      tasks_(ex) {
    for (auto& c : clients) {
        const auto in_flight = std::max<std::int64_t>({1, settings_.max_parallel_per_client, c.max_connections});
        auto cs = std::make_unique<client_state>(static_cast<int>(std::min<std::int64_t>(in_flight, 256)));
        cs->name = c.name;
        cs->prog.name = c.name;
        if (!c.accounts.empty()) {
            cs->account = c.accounts.front().first;
            cs->up = c.accounts.front().second;
        }
        for (const auto& [login, up] : c.accounts) cs->logins.push_back(login);
        clients_.push_back(std::move(cs));
    }
}

sync_service::~sync_service() = default;

std::size_t sync_service::tasks_left() const noexcept { return tasks_.size(); }

asio::awaitable<void> sync_service::run() {
    started_ = clock_.now();
    for (auto& cs : clients_) {
        if (!cs->up) {
            log::warn("sync", "start", "client has no agent account; not synced", {{"client", cs->name}});
            continue;
        }
        tasks_.spawn(client_main(*cs), "sync " + cs->name);
    }
    try {
        co_await tasks_.wait();
    } catch (const std::exception&) {
        // Our own cancellation: stop the workers below.
    }
    co_await asio::this_coro::reset_cancellation_state();
    tasks_.cancel();
    if (!co_await tasks_.wait_until(asio::steady_timer::clock_type::now() + std::chrono::seconds(10)))
        log::warn("sync", "stop", "sync workers did not stop within 10 s");
    else
        log::info("sync", "stop", "sync stopped");
}

asio::awaitable<void> sync_service::client_main(client_state& cs) {
    co_await load_state(cs);
    // One worker per slot: each polls one instance at a time, so the slots stay full whenever
    // enough instances are due, and a worker waiting for the writer holds no slot.
    const int n = cs.slots.limit();
    for (int i = 1; i < n; ++i) tasks_.spawn(worker(cs, i), "sync " + cs.name);
    co_await worker(cs, 0);
}

asio::awaitable<void> sync_service::load_state(client_state& cs) {
    auto job = load_client(cs.name, cs.account, cs.logins);
    auto r = co_await store::await_job<client_snapshot>(db_, std::move(job));
    if (!r) {
        log::error("sync", "load", "cannot read sync state; starting from scratch",
                   {{"client", cs.name}, {"error", r.error().message}});
        co_return;
    }
    cs.seat_status = r->seat_status;
    for (const auto& row : r->instances) {
        auto start = parse_iso(row.start_utc);
        auto& is = cs.instances[row.id];
        is.start = start ? *start : sys_time{};
        is.cancelled = row.cancelled;
        is.plan_id = row.plan_id;
        is.price_list_id = row.price_list_id;
    }
    for (const auto& s : r->states) {
        if (s.resource == "catalogue") {
            if (s.last_success) cs.catalogue_last_ok = from_ms(*s.last_success);
        } else if (s.resource.starts_with("avail:")) {
            auto it = cs.instances.find(std::string_view(s.resource).substr(6));
            if (it == cs.instances.end()) continue;
            if (s.last_success) it->second.last_ok = from_ms(*s.last_success);
            it->second.status_hash = s.content_hash;
        } else if (s.last_success) {
            cs.fetched[s.resource] = from_ms(*s.last_success);
        }
    }
    log::info("sync", "load", "sync state loaded",
              {{"client", cs.name}, {"instances", cs.instances.size()}, {"catalogue_known", cs.catalogue_last_ok.has_value()}});
}

void sync_service::note_failure(client_state& cs, std::string_view what, const std::string& message) {
    ++cs.consecutive_failures;
    {
        std::lock_guard lk(cs.mu);
        cs.prog.last_error = message;
        cs.prog.state = cs.consecutive_failures >= 5 ? "failing" : "degraded";
    }
    log::warn("sync", what, "upstream call failed", {{"client", cs.name}, {"error", message}});
}

void sync_service::note_success(client_state& cs) {
    cs.consecutive_failures = 0;
    std::lock_guard lk(cs.mu);
    cs.prog.last_success = clock_.now();
    cs.prog.state = cs.prog.initial_done ? "ok" : "syncing";
}

void sync_service::count_request(bool ok) {
    std::lock_guard lk(stats_mu_);
    ++counters_.requests;
    if (!ok) ++counters_.request_failures;
}

void sync_service::feed(std::int64_t seq) {
    if (seq > 0 && on_feed_) on_feed_(static_cast<std::uint64_t>(seq));
}

sync_progress sync_service::progress() const {
    sync_progress p;
    for (const auto& cs : clients_) {
        std::lock_guard lk(cs->mu);
        p.clients.push_back(cs->prog);
        // The state is set on each success; the initial sync may complete after the last one.
        if (p.clients.back().state == "syncing" && cs->prog.initial_done) p.clients.back().state = "ok";
        ++p.clients_total;
        if (cs->prog.initial_done) ++p.clients_done;
        p.instances_total += cs->prog.instances_total;
        p.instances_done += cs->prog.instances_done;
    }
    p.initial_complete = p.clients_done == p.clients_total;
    const double elapsed = std::chrono::duration<double>(clock_.now() - started_).count();
    std::lock_guard lk(stats_mu_);
    p.requests_per_second = elapsed > 0 ? static_cast<double>(counters_.requests) / elapsed : 0;
    return p;
}

sync_counters sync_service::counters() const {
    std::lock_guard lk(stats_mu_);
    return counters_;
}

void sync_service::log_progress(sys_time now) {
    if (initial_logged_ || now - last_progress_log_ < std::chrono::seconds(5)) return;
    last_progress_log_ = now;
    auto p = progress();
    if (p.initial_complete) {
        initial_logged_ = true;
        log::info("sync", "initial", "initial mirror complete",
                  {{"clients", p.clients_total}, {"instances", p.instances_total},
                   {"requests", counters().requests},
                   {"seconds", std::chrono::duration<double>(now - started_).count()}});
        return;
    }
    log::info("sync", "initial", "initial mirror in progress",
              {{"clients_done", p.clients_done}, {"clients_total", p.clients_total},
               {"instances_done", p.instances_done}, {"instances_total", p.instances_total},
               {"requests_per_second", p.requests_per_second}});
}

}  // namespace agentd::mirror
