// Fuzz target: the local API server's HTTP path, in-process. The input is the raw byte stream a
// client sends on one connection (one or more pipelined requests); it is written into one end
// of a socketpair whose other end is served by the real session coroutine (control/server.cpp:
// parsing, limits, identity, rate limit, routing, handlers, replies, long-poll, feed) over the
// in-memory fake backend. The caller is the process's own uid, mapped to an admin channel, so
// every route is reachable.
//
// Determinism: nothing waits on the clock. The io_context is polled until no handler is ready;
// a session still open then is parked on a timer (keep-alive idle, long-poll, feed heartbeat),
// and the harness stops it exactly as server::stop does.
//
// Properties: no crash, no sanitizer report, no exception escaping a session (the task group
// would log "task failed"), and every session ends once the server stops.
#include "agentd/control/server_impl.hpp"
#include "agentd/log/log.hpp"
#include "fuzz/fuzz_check.hpp"
#include "tests/support/control_fake_backend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace {

namespace asio = boost::asio;
using namespace agentd;

control::server_settings fuzz_settings() {
    control::server_settings s;
    s.socket_path = "unused-by-the-fuzz-target.sock";
    // Small limits so the 413/431 paths are within reach of short inputs.
    s.max_body = 2048;
    s.max_header = 1024;
    // A burst of 8 per input, refilled too slowly to matter: the 429 path without a clock.
    s.requests_per_second = 0.001;
    s.burst = 8;
    s.feed_buffer = 4;
    control::channel_entry ops;
    ops.name = "ops";
    ops.uid = static_cast<std::uint32_t>(::getuid());
    ops.role = control::role::admin;
    s.channels.push_back(std::move(ops));
    return s;
}

// Runs ready handlers until none is left twice in a row.
void poll_until_idle(asio::io_context& ioc) {
    for (int idle = 0; idle < 2;) idle = ioc.poll() ? 0 : idle + 1;
}

asio::awaitable<void> send_all(net::uds_socket& s, std::string bytes) {
    boost::system::error_code ec;
    co_await asio::async_write(s, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
    s.shutdown(asio::socket_base::shutdown_send, ec);
}

// Reads the server's answers until it closes. AGENTD_FUZZ_ECHO=1 copies them to stderr, to see
// what a reproducer gets back.
asio::awaitable<void> drain(net::uds_socket& s) {
    static const bool echo = std::getenv("AGENTD_FUZZ_ECHO") != nullptr;
    char sink[8192];
    boost::system::error_code ec;
    while (!ec) {
        auto n = co_await s.async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
        if (echo) std::fwrite(sink, 1, n, stderr);
    }
}

struct quiet_log {
    quiet_log() {
        log::set_writer([](std::string_view line) {
            if (line.find("task failed") != std::string_view::npos) fuzz::property_broken("control_http", line);
        });
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static quiet_log quiet;
    if (size > 64 * 1024) return 0;

    asio::io_context ioc{1};
    test::control_fake_backend be;
    control::server::impl m(ioc.get_executor(), fuzz_settings(), be);
    be.on_feed = [&](std::uint64_t seq) { asio::post(ioc, [&m, seq] { m.on_feed(seq); }); };

    net::uds_socket server_end(ioc.get_executor()), client_end(ioc.get_executor());
    asio::local::connect_pair(server_end, client_end);
    // The peer as the server would read it from the socket: this process, mapped to "ops".
    control::peer_credentials peer{static_cast<std::uint32_t>(::getuid()), static_cast<std::uint32_t>(::getgid()),
                                   static_cast<std::int32_t>(::getpid())};
    m.tasks_.spawn(m.session(std::move(server_end), peer), "fuzz.session");
    asio::co_spawn(ioc, send_all(client_end, std::string(reinterpret_cast<const char*>(data), size)), asio::detached);
    asio::co_spawn(ioc, drain(client_end), asio::detached);
    poll_until_idle(ioc);

    // server::stop without the socket file and the grace timer.
    m.stopping_ = true;
    for (auto* s : m.streams_) s->close();
    for (auto* sub : m.subscribers_) sub->wake.cancel();
    m.changes_.close();
    boost::system::error_code ec;
    client_end.close(ec);
    poll_until_idle(ioc);
    fuzz::check(m.tasks_.size() == 0, "control_http", "a session outlived the server's stop");
    be.on_feed = nullptr;
    return 0;
}
