#include "agentd/app/daemon.hpp"

#include "agentd/app/cluster_wiring.hpp"
#include "agentd/app/control_adapter.hpp"
#include "agentd/reservations/service.hpp"
#include "agentd/app/sd_notify.hpp"
#include "agentd/app/ledger_books.hpp"
#include "agentd/mirror/seat_view.hpp"
#include "agentd/app/settings_map.hpp"
#include "agentd/app/windows.hpp"
#include "agentd/mirror/view.hpp"
#include "agentd/mirror/service.hpp"
#include "agentd/config/config.hpp"
#include "agentd/control/server.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/log/log.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/store/database.hpp"
#include "agentd/upstream/spektrix_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/prctl.h>
#include <unistd.h>

namespace agentd::app {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Everything that lives while the daemon runs, in construction order; members are destroyed
// in reverse, which is the teardown order.
struct parts {
    config::settings settings;
    std::unique_ptr<store::database> db;
    cluster_parts cluster;  // venue ownership; owns every client on SQLite
    std::unique_ptr<window_board> windows;  // outlives the contexts whose gates ask it
    std::vector<std::unique_ptr<upstream::client_context>> contexts;
    std::vector<std::unique_ptr<upstream::client>> clients;
    std::unique_ptr<mirror::mirror_view> mirror;
    std::unique_ptr<mirror::mirror_seat_view> seat_view;  // outlives the reservation service that reads it
    std::unique_ptr<mirror::sync_service> sync;
    std::unique_ptr<agentd::reservations::reservation_service> reservations;
    std::unique_ptr<control_adapter> backend;
    std::unique_ptr<control::server> server;
};

void configure_log(const config::settings& s, const std::optional<std::string>& override_level) {
    log::options lo;
    std::string lvl = override_level.value_or(s.daemon.log_level);
    log::parse_level(lvl, lo.min_level);
    // journald sets JOURNAL_STREAM for services whose stderr it reads: use its priority prefixes
    // instead of timestamps (the journal adds its own).
    lo.journal_prefix = std::getenv("JOURNAL_STREAM") != nullptr;
    log::configure(lo);
}

// Said at start-up and on every reload, so plain HTTP is never forgotten in a running system.
void warn_insecure_upstreams(const config::settings& s) {
    for (const auto& c : s.clients)
        if (c.base_url.starts_with("http://"))
            log::warn("daemon", "config",
                      "INSECURE: upstream over plain http (allow_insecure_http = true): request signatures and "
                      "customer details travel unencrypted; use only with a simulator on this machine",
                      {{"client", c.name}, {"base_url", c.base_url}});
}

std::string status_line(const mirror::sync_progress& p, const reservations::reservation_stats& r) {
    std::string s;
    if (!p.initial_complete) {
        s = "initial sync: clients " + std::to_string(p.clients_done) + "/" + std::to_string(p.clients_total) +
            ", instances " + std::to_string(p.instances_done) + "/" + std::to_string(p.instances_total);
    } else {
        s = "serving: " + std::to_string(p.clients_total) + " clients, " + std::to_string(p.instances_total) +
            " instances mirrored";
    }
    s += "; queue " + std::to_string(r.queue_depth);
    return s;
}

class daemon {
public:
    daemon(asio::io_context& ioc, parts& p, notifier& n, std::string config_path,
           std::optional<std::string> level_override)
        : ioc_(ioc), p_(p), notify_(n), config_path_(std::move(config_path)),
          level_override_(std::move(level_override)), tasks_(ioc.get_executor()), lease_tasks_(ioc.get_executor()),
          stop_(ioc) {
        stop_.expires_at(asio::steady_timer::time_point::max());
    }

    int exit_status() const noexcept { return status_; }
    std::size_t tasks_left() const noexcept { return tasks_.size() + lease_tasks_.size(); }

    asio::awaitable<void> main() {
        auto& own = *p_.cluster.own;
        if (own.clustered()) {
            std::vector<std::pair<std::string, upstream::client_context*>> ups;
            for (auto& c : p_.contexts) ups.emplace_back(c->settings().client_name, c.get());
            wire_ownership(own, ioc_.get_executor(), ups, *p_.sync, *p_.reservations, tasks_);
        }
        // Recovery before READY: a reservation caught mid-flight by a crash is resolved from its
        // basket before any channel can see or touch it.
        if (auto r = co_await p_.reservations->recover(); !r) {
            log::error("daemon", "recover", "reservation recovery failed", {{"error", r.error().message}});
            status_ = exit_failure;
            co_await shutdown();
            co_return;
        }
        // A stop signal during start-up cancelled a timer nobody waited on yet: honour it here.
        if (stopping_) {
            co_await shutdown();
            co_return;
        }
        p_.backend->set_ready(true);
        notify_.ready();
        if (own.clustered()) {
            log::info("daemon", "cluster", "sharing the database with other nodes: driving only the venues leased here",
                      {{"node", own.node()}, {"lease_ttl_ms", own.ttl().count()}});
            lease_tasks_.spawn(own.run(), "venue leases");
            tasks_.spawn(follow_feed(p_.settings.daemon.database, *p_.server, *p_.reservations), "feed follower");
        }
        tasks_.spawn(p_.sync->run(), "sync");
        tasks_.spawn(p_.reservations->run(), "reservations");
        tasks_.spawn(status_loop(), "status");
        if (notify_.watchdog_interval()) tasks_.spawn(watchdog_loop(*notify_.watchdog_interval()), "watchdog");
        log::info("daemon", "ready", "agentd ready",
                  {{"socket", p_.settings.daemon.socket_path}, {"clients", p_.settings.clients.size()},
                   {"database", store::redact_database(p_.settings.daemon.database)}});

        boost::system::error_code ec;
        co_await stop_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_await shutdown();
    }

    // `sigs` is registered by run_daemon before anything else starts, so a stop signal that
    // arrives during start-up is queued rather than killing the process.
    asio::awaitable<void> signals(asio::signal_set& sigs) {
        for (;;) {
            boost::system::error_code ec;
            int sig = co_await sigs.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec) co_return;
            if (sig == SIGHUP) {
                reload();
                continue;
            }
            if (stopping_) {
                // Operators press Ctrl-C twice when a drain hangs: honour it at once.
                log::warn("daemon", "stop", "second stop signal: forcing exit");
                std::fflush(stderr);
                std::_Exit(exit_forced);
            }
            log::info("daemon", "stop", "stop signal received; draining",
                      {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"},
                       {"drain_timeout_ms", p_.settings.daemon.drain_timeout.count()}});
            stopping_ = true;
            stop_.cancel();
        }
    }

private:
    asio::awaitable<void> shutdown() {
        stopping_ = true;
        notify_.stopping();
        auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(p_.settings.daemon.drain_timeout);
        auto deadline = std::chrono::steady_clock::now() + grace;
        // Stop taking requests first, so nothing new is acknowledged while loops wind down.
        co_await p_.server->stop(grace / 2);
        tasks_.cancel();
        if (!co_await tasks_.wait_until(deadline)) {
            log::warn("daemon", "stop", "loops did not finish within the drain budget; cancelling harder",
                      {{"left", tasks_.size()}});
            tasks_.cancel(asio::cancellation_type::all);
            co_await tasks_.wait_until(std::chrono::steady_clock::now() + 2s);
        }
        // Leases last: nothing of this node drives a venue any more, so the next owner may start at once.
        lease_tasks_.cancel();
        co_await lease_tasks_.wait_until(std::chrono::steady_clock::now() + 2s);
        ioc_.stop();
    }

    asio::awaitable<void> status_loop() {
        asio::steady_timer t(ioc_);
        for (;;) {
            notify_.status(status_line(p_.sync->progress(), p_.reservations->stats()));
            t.expires_after(2s);
            co_await t.async_wait(asio::use_awaitable);
        }
    }

    // WATCHDOG=1 from the network thread proves that thread is not wedged.
    asio::awaitable<void> watchdog_loop(std::chrono::microseconds every) {
        asio::steady_timer t(ioc_);
        for (;;) {
            notify_.watchdog();
            t.expires_after(every);
            co_await t.async_wait(asio::use_awaitable);
        }
    }

    void reload() {
        notify_.reloading();
        auto fresh = config::load_file(config_path_);
        if (!fresh) {
            log::error("daemon", "reload", "new configuration refused; keeping the running one",
                       {{"error", fresh.error().message}});
            notify_.ready();
            return;
        }
        const auto& n = *fresh;
        const auto& o = p_.settings;
        // Sync cadences and queue limits are read by their services at construction: they, like
        // the set of clients, apply after a restart. Logged so an operator knows.
        bool restart_needed = n.sync != o.sync || n.reservations != o.reservations ||
                              n.daemon.socket_path != o.daemon.socket_path || n.daemon.database != o.daemon.database ||
                              n.daemon.node != o.daemon.node || n.daemon.lease_ttl != o.daemon.lease_ttl ||
                              n.api.answer_cache != o.api.answer_cache || n.clients.size() != o.clients.size();
        for (std::size_t i = 0; !restart_needed && i < n.clients.size(); ++i) {
            const auto& a = n.clients[i];
            const auto& b = o.clients[i];
            restart_needed = a.name != b.name || a.base_url != b.base_url || a.accounts.size() != b.accounts.size() ||
                             a.order_total_is_net != b.order_total_is_net;
        }
        configure_log(n, level_override_);
        warn_insecure_upstreams(n);
        apply_credentials(n);
        for (std::size_t i = 0; i < p_.contexts.size() && i < n.clients.size(); ++i) {
            if (n.clients[i].name == p_.contexts[i]->settings().client_name)
                p_.contexts[i]->request_budget().set_configured_rate(double(n.clients[i].requests_per_minute));
        }
        p_.server->update_settings(to_server(n, k_version));
        // Pools apply at once: a removed pool drains, a changed target is met from now on.
        p_.reservations->set_pools(to_pools(n));
        for (const auto& name : p_.windows->configure(n.clients))
            log::info("daemon", "reload", "do-not-transact windows replaced", {{"client", name}});
        for (auto& running : p_.settings.clients)
            for (const auto& c : n.clients)
                if (c.name == running.name) running.windows = c.windows;
        log::info("daemon", "reload", "configuration reloaded",
                  {{"restart_needed_for_some_changes", restart_needed}});
        if (restart_needed)
            log::warn("daemon", "reload",
                      "sync cadences, queue settings, socket path, database, answer cache size or the set of clients/accounts changed: "
                      "these apply after a restart");
        p_.settings.sync = n.sync;
        p_.settings.reservations = n.reservations;
        p_.settings.api = n.api;
        p_.settings.channels = n.channels;
        p_.settings.pools = n.pools;
        p_.settings.daemon.log_level = n.daemon.log_level;
        p_.settings.daemon.drain_timeout = n.daemon.drain_timeout;
        notify_.ready();
    }

    // A rotated API key applies at once: the venue may already have revoked the old one. The
    // clients in p_.clients were made one per account, in the order of the settings.
    void apply_credentials(const config::settings& n) {
        std::size_t flat = 0;
        for (std::size_t i = 0; i < p_.settings.clients.size(); ++i) {
            auto& running = p_.settings.clients[i];
            const bool same = i < n.clients.size() && n.clients[i].name == running.name;
            bool changed = false;
            for (std::size_t j = 0; j < running.accounts.size(); ++j, ++flat) {
                auto& old_acc = running.accounts[j];
                if (!same || j >= n.clients[i].accounts.size()) continue;
                const auto& new_acc = n.clients[i].accounts[j];
                if (new_acc.name != old_acc.name || (new_acc.login == old_acc.login && new_acc.secret == old_acc.secret) ||
                    flat >= p_.clients.size())
                    continue;
                if (auto r = upstream::update_credentials(*p_.clients[flat], to_upstream(new_acc)); !r) {
                    log::error("daemon", "reload", "new API credentials refused; keeping the running ones",
                               {{"client", running.name}, {"account", old_acc.name}, {"error", r.error().message}});
                    continue;
                }
                old_acc.login = new_acc.login;
                old_acc.secret = new_acc.secret;
                changed = true;
                log::info("daemon", "reload", "API credentials replaced",
                          {{"client", running.name}, {"account", old_acc.name}, {"login", old_acc.login}});
            }
            // Calls refused under the old key wait out their backoff otherwise.
            if (changed) p_.sync->request_sync(running.name, std::nullopt);
        }
    }

    asio::io_context& ioc_;
    parts& p_;
    notifier& notify_;
    std::string config_path_;
    std::optional<std::string> level_override_;
    net::task_group tasks_;
    net::task_group lease_tasks_;
    asio::steady_timer stop_;
    bool stopping_ = false;
    int status_ = exit_ok;
};

}  // namespace

int run_daemon(const daemon_options& o) {
    // Before any secret is read: no core dump, and no ptrace or /proc/<pid>/mem, environ or fd
    // access by other processes of the same user (the kernel then treats our /proc entries as
    // root's). SO_PEERCRED on the API socket and our own /proc/self reads are unaffected.
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        std::fprintf(stderr, "agentd: warning: cannot mark the process non-dumpable: %s\n", std::strerror(errno));
    auto loaded = config::load_file(o.config_path);
    if (!loaded) {
        std::fprintf(stderr, "agentd: %s\n", loaded.error().message.c_str());
        return exit_config;
    }
    parts p;
    p.settings = std::move(*loaded);
    configure_log(p.settings, o.log_level);
    log::info("daemon", "start", "agentd starting",
              {{"version", k_version}, {"config", o.config_path}, {"pid", long(::getpid())}});
    warn_insecure_upstreams(p.settings);

    asio::io_context ioc(1);
    asio::signal_set sigs(ioc, SIGINT, SIGTERM, SIGHUP);

    // Retention passes run on the store's writer thread by themselves (store/housekeeping.hpp).
    auto db = store::database::open({.path = p.settings.daemon.database,
                                     .housekeeping = {.feed_retention = p.settings.daemon.feed_retention,
                                                      .history_retention = p.settings.daemon.history_retention}});
    if (!db) {
        log::error("daemon", "open_store", "cannot open the database", {{"error", db.error().message}});
        std::fprintf(stderr, "agentd: %s\n", db.error().message.c_str());
        return exit_database;
    }
    p.db = std::move(*db);
    p.cluster = make_ownership(*p.db, p.settings);

    notifier notify;
    // End-to-end tests step the daemon's wall clock through a file; never set in production.
    std::optional<stepped_clock> stepped;
    if (const char* f = std::getenv("AGENTD_CLOCK_STEP_FILE"); f && *f) {
        stepped.emplace(f);
        log::warn("daemon", "clock", "wall clock is stepped by a test file (AGENTD_CLOCK_STEP_FILE)", {{"file", f}});
    }
    const agentd::clock& clk = stepped ? static_cast<const agentd::clock&>(*stepped) : system_clock::instance();

    // Seat lists and plans are decoded off the network thread, so a large answer's decode does
    // not delay the reads and acknowledgements queued behind it. Declared after `p`: it is
    // joined (and its threads gone) before the client contexts it decodes for are destroyed.
    asio::thread_pool decode_pool(1);
    constexpr std::size_t k_decode_off_thread_bytes = 16 * 1024;

    p.windows = std::make_unique<window_board>(clk);
    p.windows->configure(p.settings.clients);
    std::vector<mirror::sync_client> sync_clients;
    std::vector<reservations::res_client> res_clients;
    std::vector<std::pair<std::string, upstream::client_context*>> upstreams;
    for (const auto& c : p.settings.clients) {
        auto ctx = upstream::client_context::make(ioc.get_executor(), to_upstream(c), clk);
        if (!ctx) {
            std::fprintf(stderr, "agentd: client '%s': %s\n", c.name.c_str(), ctx.error().message.c_str());
            return exit_config;
        }
        (*ctx)->set_decode_executor(decode_pool.get_executor(), k_decode_off_thread_bytes);
        // The choke point of do-not-transact windows: every upstream request of this client.
        (*ctx)->set_gate(p.windows->gate_for(c.name));
        mirror::sync_client sc{c.name, {}, static_cast<int>(c.max_connections)};
        reservations::res_client rc{c.name, {}, c.order_total_is_net, to_best_available_form(c.basket_best_available)};
        for (const auto& a : c.accounts) {
            auto cl = upstream::make_spektrix_client(**ctx, to_upstream(a));
            if (!cl) {
                std::fprintf(stderr, "agentd: client '%s' account '%s': %s\n", c.name.c_str(), a.name.c_str(),
                             cl.error().message.c_str());
                return exit_config;
            }
            sc.accounts.emplace_back(a.name, cl->get());
            rc.accounts.emplace_back(a.name, cl->get());
            p.clients.push_back(std::move(*cl));
        }
        upstreams.emplace_back(c.name, ctx->get());
        sync_clients.push_back(std::move(sc));
        res_clients.push_back(std::move(rc));
        p.contexts.push_back(std::move(*ctx));
    }

    // The server exists before the services that notify it; notifications go through this
    // indirection so construction order stays simple.
    control::server* server_ptr = nullptr;
    auto on_feed = [&server_ptr](std::uint64_t seq) {
        if (server_ptr) server_ptr->notify_feed(seq);
    };

    p.mirror = std::make_unique<mirror::mirror_view>(p.settings.daemon.database, clk);
    p.sync = std::make_unique<mirror::sync_service>(ioc.get_executor(), *p.db, p.settings.daemon.database, to_mirror(p.settings),
                                            std::move(sync_clients), clk, on_feed);
    mirror::sync_service* sync_ptr = p.sync.get();
    p.reservations = std::make_unique<reservations::reservation_service>(
        ioc.get_executor(), *p.db, p.settings.daemon.database, to_reservations(p.settings), std::move(res_clients), *p.mirror, clk, on_feed,
        [sync_ptr](std::string_view client, std::string_view instance) { sync_ptr->mark_hot(client, instance); });
    p.seat_view = std::make_unique<mirror::mirror_seat_view>(p.settings.daemon.database);
    p.reservations->set_seat_view(p.seat_view.get());
    p.reservations->set_pools(to_pools(p.settings));
    const window_board* board = p.windows.get();
    p.reservations->set_windows([board](std::string_view client, sys_time now) { return board->state(client, now); });
    // Pools fill only for venues this node drives, and never inside a do-not-transact window
    // (the client's gate would hold the calls back anyway; this keeps fills from failing).
    {
        const agentd::clock* pool_clock = &clk;
        const cluster::ownership* own = p.cluster.own.get();
        p.reservations->set_pool_gate([board, pool_clock, own](std::string_view client) {
            return own->owns(client) && !board->upstream_writes_blocked(client, pool_clock->now());
        });
    }
    p.sync->set_read_pause([board](std::string_view client, sys_time now) -> std::optional<sys_time> {
        const auto st = board->state(client, now);
        if (!st.reads_blocked) return std::nullopt;
        return st.ends_at;
    });
    auto books = to_ledger(p.settings);
    if (!books) {
        std::fprintf(stderr, "agentd: %s\n", books.error().message.c_str());
        return exit_config;
    }
    // The cache learns of changes from this node's commits only: with other nodes writing the
    // same database it could serve stale answers, so it is off there.
    const std::size_t answer_cache_bytes = p.cluster.own->clustered() ? 0 : std::size_t(p.settings.api.answer_cache);
    p.backend = std::make_unique<control_adapter>(adapter_parts{p.mirror.get(), p.sync.get(), p.reservations.get(),
                                                               upstreams, p.settings.daemon.database, k_version, &clk,
                                                               p.db.get(), answer_cache_bytes,
                                                               std::move(*books), p.cluster.own.get(), p.windows.get()});
    p.server = std::make_unique<control::server>(ioc.get_executor(), to_server(p.settings, k_version), *p.backend);
    server_ptr = p.server.get();
    if (auto r = p.server->start(); !r) {
        log::error("daemon", "listen", "cannot serve the API socket", {{"error", r.error().message}});
        std::fprintf(stderr, "agentd: %s\n", r.error().message.c_str());
        return exit_socket;
    }

    daemon d(ioc, p, notify, o.config_path, o.log_level);
    // The two top-level coroutines are owned by run_daemon's frame: ioc.run() returns only after
    // main() stopped the context, and signals() ends with the context.
    asio::co_spawn(ioc, d.main(), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });
    asio::co_spawn(ioc, d.signals(sigs), [](std::exception_ptr) {});
    int status = exit_ok;
    try {
        ioc.run();
        status = d.exit_status();
    } catch (const std::exception& e) {
        log::error("daemon", "run", "unexpected failure", {{"error", e.what()}});
        status = exit_failure;
    }
    // Every call awaiting a decode has finished with the task group; nothing new reaches the pool.
    decode_pool.join();
    // The writer finishes (or refuses) every job it holds while the services those jobs and
    // their completions refer to still exist.
    p.db->close();
    // A loop that outlived the drain bounds still has a frame in the io_context that refers to
    // the services; tearing them down under it would be a use after free. Its reservation is
    // left in flight in the database, and recovery settles it at the next start.
    if (const std::size_t left = d.tasks_left() + p.reservations->tasks_left() + p.sync->tasks_left(); left > 0) {
        log::warn("daemon", "stop", "tasks outlived the drain; exiting without tearing down (recovery settles them at the next start)",
                  {{"tasks", static_cast<std::int64_t>(left)}, {"status", status}});
        std::fflush(nullptr);
        std::_Exit(status);
    }
    server_ptr = nullptr;
    p.server.reset();
    p.backend.reset();
    p.reservations.reset();
    p.sync.reset();
    p.mirror.reset();
    p.clients.clear();
    p.contexts.clear();
    log::info("daemon", "stop", "agentd stopped", {{"status", status}});
    return status;
}

}  // namespace agentd::app
