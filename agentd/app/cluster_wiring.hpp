// app/cluster_wiring: venue ownership (cluster/) tied to the services when several nodes share
// one PostgreSQL database (docs/scale-out.md): the upstream send gate and node header, the
// write fence, gains (restart recovery for that client) and losses (stop at once), and the
// feed follower that shows this node's subscribers, and its drivers, what other nodes wrote.
// On SQLite the ownership owns every client and nothing here changes the single node's ways.
// Threading: the io_context thread, except the fence, which runs on the store's writer thread.
#pragma once

#include "agentd/cluster/ownership.hpp"
#include "agentd/config/settings.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::store {
class database;
}
namespace agentd::upstream {
class client_context;
}
namespace agentd::mirror {
class sync_service;
}
namespace agentd::reservations {
class reservation_service;
}
namespace agentd::control {
class server;
}
namespace agentd::net {
class task_group;
}

namespace agentd::app {

// A database URL another node can share (PostgreSQL), rather than a SQLite file.
bool is_shared_database(std::string_view database);
// [daemon] node, or the host name when empty.
std::string node_name(const config::settings& s);

struct cluster_parts {
    std::unique_ptr<cluster::lease_table> leases;  // null on SQLite
    std::unique_ptr<cluster::ownership> own;
};
cluster_parts make_ownership(store::database& db, const config::settings& s);

// Gates every client context's sends on ownership, fences the services' writes, and routes
// gains and losses. Recoveries after a gain run in `tasks`.
void wire_ownership(cluster::ownership& own, boost::asio::any_io_executor ex,
                    const std::vector<std::pair<std::string, upstream::client_context*>>& upstreams,
                    mirror::sync_service& sync, reservations::reservation_service& res, net::task_group& tasks);

// Reads feed rows other nodes committed (every 250 ms) and hands them to the server's
// subscribers and to the reservation drivers (pick_up), until cancelled.
boost::asio::awaitable<void> follow_feed(std::string db_path, control::server& server,
                                         reservations::reservation_service& res);

}  // namespace agentd::app
