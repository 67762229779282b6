#include "agentd/mirror/sync_service.hpp"

#include "agentd/mirror/db_job.hpp"
#include "agentd/mirror/mirror_writes.hpp"
#include "agentd/mirror/sync_state.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/mirror_store.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace agentd::app {

namespace asio = boost::asio;
using namespace sync;


sync_service::sync_service(asio::any_io_executor ex, store::database& db, std::string db_path,
                           config::sync_settings settings, std::vector<sync_client> clients, const agentd::clock& clk,
                           std::function<void(std::uint64_t)> on_feed)
    : ex_(ex), db_(db), db_path_(std::move(db_path)), settings_(settings), clock_(clk), on_feed_(std::move(on_feed)),
      tasks_(ex) {
    for (auto& c : clients) {
        auto cs = std::make_unique<client_state>();
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
    const int n = static_cast<int>(std::max<std::int64_t>(1, settings_.max_parallel_per_client));
    for (int i = 1; i < n; ++i) tasks_.spawn(worker(cs, i), "sync " + cs.name);
    co_await worker(cs, 0);
}

asio::awaitable<void> sync_service::load_state(client_state& cs) {
    struct loaded {
        std::optional<bool> seat_status;
        std::vector<store::mirror_sync_state_row> states;
        std::vector<store::mirror_instance_row> instances;
    };
    std::function<result<loaded>(store::write_txn&)> job0 = [client = cs.name, account = cs.account, logins = cs.logins](store::write_txn& t)
                                                -> result<loaded> {
        if (auto p = store::mirror_put_client(t, client, account, logins); !p) return p.error();
        loaded out;
        auto clients = store::mirror_clients(t.conn());
        if (!clients) return clients.error();
        for (const auto& c : *clients)
            if (c.name == client) out.seat_status = c.seat_status;
        auto states = store::mirror_sync_states(t.conn(), client);
        if (!states) return states.error();
        out.states = std::move(*states);
        auto inst = store::mirror_instances(t.conn(), client, std::nullopt, std::nullopt, std::nullopt);
        if (!inst) return inst.error();
        out.instances = std::move(*inst);
        return out;
    };
    auto r = co_await run_job<loaded>(db_, std::move(job0));
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

asio::awaitable<void> sync_service::worker(client_state& cs, int index) {
    const auto policy = policy_of(settings_);
    asio::steady_timer timer(ex_);
    try {
        for (;;) {
            auto state = co_await asio::this_coro::cancellation_state;
            if (state.cancelled() != asio::cancellation_type::none) co_return;
            const auto now = clock_.now();
            if (!cs.catalogue_in_flight && catalogue_due(cs, now, policy)) {
                cs.catalogue_in_flight = true;
                cs.catalogue_forced = false;
                co_await sync_catalogue(cs);
                cs.catalogue_in_flight = false;
                wake(cs);
                continue;
            }
            auto next = pick_next(cs, now, policy);
            if (next.id && next.due <= now) {
                auto& is = cs.instances[*next.id];
                is.in_flight = true;
                is.forced = false;
                co_await sync_availability(cs, *next.id);
                if (index == 0) log_progress(clock_.now());
                continue;
            }
            if (index == 0) log_progress(now);
            sys_time until = now + std::chrono::seconds(1);
            if (next.id) until = std::min(until, next.due);
            if (!cs.catalogue_in_flight) until = std::min(until, catalogue_next(cs, now, policy));
            timer.expires_after(std::max<std::chrono::nanoseconds>(until - now, std::chrono::milliseconds(1)));
            cs.sleepers.push_back(&timer);
            boost::system::error_code ec;
            co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            std::erase(cs.sleepers, &timer);
        }
    } catch (const boost::system::system_error& e) {
        std::erase(cs.sleepers, &timer);
        if (e.code() == asio::error::operation_aborted) co_return;  // shutdown
        throw;
    }
}

void sync_service::wake(client_state& cs) {
    for (auto* t : cs.sleepers) t->cancel();
}

sync_service::client_state* sync_service::find(std::string_view client) {
    for (auto& cs : clients_)
        if (cs->name == client) return cs.get();
    return nullptr;
}

void sync_service::request_sync(std::string client, std::optional<std::string> instance) {
    auto* cs = find(client);
    if (!cs) return;
    if (instance) {
        auto it = cs->instances.find(*instance);
        if (it == cs->instances.end()) return;
        it->second.forced = true;
        it->second.retry_after = {};
    } else {
        cs->catalogue_forced = true;
        cs->catalogue_retry = {};
        for (auto& [id, is] : cs->instances) is.retry_after = {};
    }
    wake(*cs);
}

void sync_service::mark_hot(std::string_view client, std::string_view instance) {
    auto* cs = find(client);
    if (!cs) return;
    auto it = cs->instances.find(instance);
    if (it == cs->instances.end()) return;
    const bool was_hot = it->second.last_read && clock_.now() - *it->second.last_read <
                                                     std::chrono::duration_cast<sys_time::duration>(settings_.hot_window);
    it->second.last_read = clock_.now();
    if (!was_hot) wake(*cs);
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

}  // namespace agentd::app
