// See cluster_wiring.hpp.
#include "agentd/app/cluster_wiring.hpp"

#include "agentd/cluster/store_leases.hpp"
#include "agentd/control/server.hpp"
#include "agentd/log/log.hpp"
#include "agentd/mirror/service.hpp"
#include "agentd/net/task_group.hpp"
#include "agentd/reservations/service.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/lazy_reader.hpp"
#include "agentd/store/lease.hpp"
#include "agentd/upstream/spektrix_client.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <unistd.h>

namespace agentd::app {

namespace asio = boost::asio;

bool is_shared_database(std::string_view database) {
    return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

std::string node_name(const config::settings& s) {
    if (!s.daemon.node.empty()) return s.daemon.node;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "agentd";
    return host;
}

cluster_parts make_ownership(store::database& db, const config::settings& s) {
    cluster_parts out;
    std::vector<std::string> clients;
    for (const auto& c : s.clients) clients.push_back(c.name);
    const std::string node = node_name(s);
    if (!is_shared_database(s.daemon.database)) {
        out.own = std::make_unique<cluster::ownership>(std::move(clients), node);
        return out;
    }
    out.leases = std::make_unique<cluster::store_leases>(db, node, s.daemon.lease_ttl);
    out.own = std::make_unique<cluster::ownership>(*out.leases, cluster::ownership_settings{node, s.daemon.lease_ttl, {}},
                                                   std::move(clients));
    return out;
}

namespace {

asio::awaitable<void> recover_taken_over(reservations::reservation_service& res, std::string client) {
    auto r = co_await res.recover_client(client);
    if (!r)
        log::error("cluster", "takeover", "recovering a taken-over venue's reservations failed; the rescan retries",
                   {{"client", client}, {"error", r.error().message}});
}

}  // namespace

void wire_ownership(cluster::ownership& own, asio::any_io_executor ex,
                    const std::vector<std::pair<std::string, upstream::client_context*>>& upstreams,
                    mirror::sync_service& sync, reservations::reservation_service& res, net::task_group& tasks) {
    if (!own.clustered()) return;
    for (const auto& [name, ctx] : upstreams)
        ctx->set_send_gate([&own, client = name] { return own.owns(client); }, own.node());
    auto owns = [&own](std::string_view client) { return own.owns(client); };
    // Runs on the writer thread; the loss it finds is handled on the io thread.
    auto fence = [&own, ex](store::write_txn& t, std::string_view client) -> result<void> {
        auto epoch = own.epoch(client);
        if (!epoch) return fail(errc::conflict, "fenced: this node no longer drives client " + std::string(client));
        auto r = store::check_fence(t, client, own.node(), *epoch);
        if (!r) asio::post(ex, [&own, c = std::string(client)] { own.lost(c); });
        return r;
    };
    sync.set_ownership(owns, fence);
    res.set_ownership({owns, fence, "another node (agentctl status shows which)"});
    own.on_change([&sync, &res, &tasks](const std::string& client, bool gained) {
        if (!gained) {
            res.drop_client(client);
            return;
        }
        sync.client_gained(client);
        tasks.spawn(recover_taken_over(res, client), "takeover " + client);
    });
}

asio::awaitable<void> follow_feed(std::string db_path, control::server& server, reservations::reservation_service& res) {
    store::lazy_reader rd(std::move(db_path), "open feed follower");
    asio::steady_timer t(co_await asio::this_coro::executor);
    std::int64_t last = -1;
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
        t.expires_after(std::chrono::milliseconds(250));
        boost::system::error_code ec;
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) co_return;
        auto c = rd.conn();
        if (!c) continue;
        if (last < 0) {
            // Rows from before the start: recovery and the rescan cover them.
            auto seq = store::feed_last_seq(**c);
            if (seq) last = *seq;
            continue;
        }
        for (int page = 0; page < 16; ++page) {
            auto rows = store::feed_since(**c, last, 512);
            if (!rows) {
                log::warn("cluster", "feed", "reading the shared feed failed", {{"error", rows.error().message}});
                break;
            }
            if (rows->empty()) break;
            for (const auto& row : *rows) {
                last = row.seq;
                if (row.kind == "reservation" && row.entity) res.pick_up(*row.entity);
            }
            server.notify_feed(static_cast<std::uint64_t>(last));
        }
    }
}

}  // namespace agentd::app
