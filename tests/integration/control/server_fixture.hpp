// A real control::server on a temp Unix socket, its io_context on its own thread, over the
// in-memory fake backend. Tests talk to it with net::uds_client. Not thread-safe itself.
#pragma once

#include "agentd/control/server.hpp"
#include "agentd/net/uds_client.hpp"
#include "tests/support/control_fake_backend.hpp"
#include "tests/support/process.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <doctest/doctest.h>

#include <functional>
#include <thread>
#include <unistd.h>

namespace agentd::test {

// Upstream charges that no functional test reaches; the limit tests set their own.
inline constexpr control::upstream_limits k_unlimited{1e6, 1e6, 100000};

inline control::server_settings test_settings(const temp_dir& dir) {
    control::server_settings s;
    s.socket_path = dir.file("api.sock");
    s.header_timeout = std::chrono::milliseconds(300);
    s.idle_timeout = std::chrono::seconds(20);
    s.longpoll_max = std::chrono::seconds(10);
    s.feed_heartbeat = std::chrono::milliseconds(200);
    s.requests_per_second = 100000;
    s.burst = 100000;
    s.max_connections_per_uid = 100000;
    // The tests run as one uid; by default that uid is an admin channel "ops".
    s.channels.push_back({"ops", static_cast<std::uint32_t>(::getuid()), std::nullopt, control::role::admin, 1, k_unlimited});
    return s;
}

struct running_server {
    temp_dir dir;
    control_fake_backend be;
    boost::asio::io_context ioc{1};
    // Keeps run() going after the server stopped, until the destructor ends it.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{ioc.get_executor()};
    std::unique_ptr<control::server> srv;
    std::thread th;
    std::string path;

    explicit running_server(const std::function<void(control::server_settings&)>& tweak = {}) {
        auto s = test_settings(dir);
        if (tweak) tweak(s);
        path = s.socket_path;
        srv = std::make_unique<control::server>(ioc.get_executor(), s, be);
        auto r = srv->start();
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        be.on_feed = [this](std::uint64_t seq) { srv->notify_feed(seq); };
        th = std::thread([this] { ioc.run(); });
    }
    ~running_server() {
        auto done = boost::asio::co_spawn(ioc, srv->stop(std::chrono::seconds(2)), boost::asio::use_future);
        CHECK(done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
        be.on_feed = nullptr;
        work.reset();
        ioc.stop();
        th.join();
    }
    net::uds_client client(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const { return net::uds_client(path, timeout); }
    // Runs `f` on the server thread and returns its value.
    template <class F>
    auto on_server(F f) {
        std::promise<decltype(f())> p;
        auto fut = p.get_future();
        boost::asio::post(ioc, [&] { p.set_value(f()); });
        return fut.get();
    }
};

inline const char* k_order = R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":"53613","ticketType":"1AHG"}]})";

}  // namespace agentd::test
