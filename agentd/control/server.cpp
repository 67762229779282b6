// The accept loop and the HTTP session of the local API server (see server.hpp).
#include "agentd/control/server_impl.hpp"

#include "agentd/log/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cmath>

namespace agentd::control {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

server::impl::impl(asio::any_io_executor ex, server_settings s, backend& be)
    : ex_(ex), settings_(std::move(s)), be_(be), tasks_(ex), ctx_{be_, settings_, changes_, {}, &gate_} {
    ctx_.add_metrics = [this](api::metrics_snapshot& m) { add_metrics(m); };
}

server::server(asio::any_io_executor ex, server_settings settings, backend& be)
    : impl_(std::make_unique<impl>(ex, std::move(settings), be)) {}

server::~server() = default;

std::size_t server::connections() const noexcept { return impl_->connections_; }

std::size_t server::live_feed_subscribers() const noexcept {
    std::size_t n = 0;
    for (auto* s : impl_->subscribers_) n += s->live ? 1 : 0;
    return n;
}

result<void> server::start() {
    auto& m = *impl_;
    auto acc = net::open_uds_listener(m.ex_, {m.settings_.socket_path, m.settings_.socket_mode, 1024});
    if (!acc) return acc.error().wrap("start local API");
    m.acceptor_.emplace(std::move(*acc));
    m.tasks_.spawn(m.accept_loop(), "control.accept");
    log::info("control", "start", "local API listening",
              {{"path", m.settings_.socket_path}, {"channels", m.settings_.channels.size()}});
    return {};
}

void server::update_settings(server_settings s) {
    boost::asio::post(impl_->ex_, [m = impl_.get(), s = std::move(s)]() mutable {
        s.socket_path = m->settings_.socket_path;
        s.socket_mode = m->settings_.socket_mode;
        m->settings_ = std::move(s);
        m->buckets_.clear();  // rebuilt lazily at the new rate
        m->rescope_subscribers();
    });
}

void server::notify_feed(std::uint64_t seq) {
    asio::post(impl_->ex_, [m = impl_.get(), seq] { m->on_feed(seq); });
}

awaitable<void> server::stop(std::chrono::milliseconds grace) {
    auto& m = *impl_;
    if (m.stopping_) {  // a second stop only waits for the first
        co_await m.tasks_.wait();
        co_return;
    }
    m.stopping_ = true;
    if (m.acceptor_) {
        boost::system::error_code ec;
        m.acceptor_->close(ec);
        net::remove_uds_file(m.settings_.socket_path);
    }
    // Closing the sockets ends reads and writes at once; sessions waiting on the backend finish
    // their current call and then find their socket closed.
    for (auto* s : m.streams_) s->close();
    for (auto* sub : m.subscribers_) sub->wake.cancel();
    m.changes_.close();
    if (!co_await m.tasks_.wait_until(std::chrono::steady_clock::now() + grace)) {
        log::warn("control", "stop", "sessions still running after grace period; cancelling", {{"tasks", m.tasks_.size()}});
        m.tasks_.cancel();
        co_await m.tasks_.wait();
    }
    log::info("control", "stop", "local API stopped");
}

namespace {

std::string canned(const reply& r, std::string_view reason) {
    return "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason) +
           "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + std::to_string(r.body.size()) +
           "\r\n\r\n" + r.body;
}

// What a refused peer may still send is read and dropped, so its request write does not fail
// before it reads the answer; past these bounds the socket is closed regardless.
constexpr std::size_t k_max_rejecting = 64;
constexpr std::size_t k_reject_drain = 64 * 1024;
constexpr auto k_reject_time = std::chrono::seconds(1);

// Framing of a request beyond its fields (chunk-size lines, chunk extensions, trailers) is
// counted against max_header; the read buffer holds at most one header block plus this.
constexpr std::size_t k_buffer_slack = 4096;

bool closed_or_timed_out(const boost::system::error_code& ec) {
    return ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == http::error::end_of_stream ||
           ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == http::error::partial_message;
}

}  // namespace

bool server::impl::allow(const std::string& channel, std::chrono::seconds& retry_after) {
    auto now = std::chrono::steady_clock::now();
    auto it = buckets_.find(channel);
    if (it == buckets_.end())
        it = buckets_.emplace(channel, token_bucket(settings_.requests_per_second, settings_.burst, now)).first;
    if (it->second.try_take(now)) return true;
    auto wait = std::chrono::duration<double>(it->second.wait_time(now)).count();
    retry_after = std::chrono::seconds(std::max<long>(1, static_cast<long>(std::ceil(wait))));
    return false;
}

awaitable<void> server::impl::accept_loop() {
    asio::steady_timer backoff(ex_);
    while (!stopping_) {
        boost::system::error_code ec;
        auto sock = co_await acceptor_->async_accept(redirect_error(use_awaitable, ec));
        if (ec) {
            if (stopping_ || ec == asio::error::operation_aborted) co_return;
            // Out of descriptors or similar: pause instead of spinning.
            log::warn("control", "accept", "accept failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(redirect_error(use_awaitable, ec));
            continue;
        }
        auto creds = peer_credentials_of(sock.native_handle());
        if (!creds) {
            log::warn("control", "auth", "peer credentials unreadable; closing", {{"error", creds.error().message}});
            continue;  // the socket closes here
        }
        // Refusals are decided before any byte is read: an unknown or greedy peer gets no
        // session, no read buffer and no idle timeout to hold a slot with.
        if (!identify(settings_.channels, *creds)) {
            ++rejected_peer_;
            log::warn("control", "auth", "peer not mapped to a channel", {{"uid", creds->uid}, {"gid", creds->gid}, {"pid", creds->pid}});
            refuse(std::move(sock), canned(error_reply(fail(errc::permission_denied, "identify caller: uid " + std::to_string(creds->uid) +
                                                                                         " / gid " + std::to_string(creds->gid) +
                                                                                         " is not mapped to a channel")),
                                           "Forbidden"));
            continue;
        }
        if (connections_ >= settings_.max_connections) {
            ++rejected_conn_;
            refuse(std::move(sock), canned(error_reply(fail(errc::unavailable, "connect: too many connections")), "Service Unavailable"));
            continue;
        }
        if (auto u = per_uid_.find(creds->uid); u != per_uid_.end() && u->second >= settings_.max_connections_per_uid) {
            ++rejected_conn_;
            refuse(std::move(sock), canned(error_reply(fail(errc::unavailable, "connect: too many connections from uid " +
                                                                                   std::to_string(creds->uid))),
                                           "Service Unavailable"));
            continue;
        }
        tasks_.spawn(session(std::move(sock), *creds), "control.session");
    }
}

void server::impl::refuse(net::uds_socket sock, std::string text) {
    if (rejecting_ >= k_max_rejecting) return;  // the socket closes here, unanswered
    ++rejecting_;  // counted from here: many accepts may come before the first reject runs
    tasks_.spawn(reject(std::move(sock), std::move(text)), "control.reject");
}

awaitable<void> server::impl::reject(net::uds_socket sock, std::string text) {
    struct guard {
        std::size_t& n;
        ~guard() { --n; }
    } g{rejecting_};
    stream_type stream(std::move(sock));
    stream.expires_after(k_reject_time);
    boost::system::error_code ec;
    co_await asio::async_write(stream, asio::buffer(text), redirect_error(use_awaitable, ec));
    if (ec) co_return;
    stream.socket().shutdown(asio::socket_base::shutdown_send, ec);
    std::array<char, 4096> sink;
    for (std::size_t drained = 0; drained < k_reject_drain && !stopping_;) {
        auto n = co_await stream.async_read_some(asio::buffer(sink), redirect_error(use_awaitable, ec));
        if (ec) break;
        drained += n;
    }
}

awaitable<void> server::impl::session(net::uds_socket sock, peer_credentials peer) {
    ++connections_;
    ++per_uid_[peer.uid];
    stream_type stream(std::move(sock));
    streams_.push_back(&stream);
    auto self = std::prev(streams_.end());
    struct guard {
        impl* m;
        std::list<stream_type*>::iterator it;
        std::uint32_t uid;
        ~guard() {
            m->streams_.erase(it);
            --m->connections_;
            if (auto u = m->per_uid_.find(uid); u != m->per_uid_.end() && --u->second == 0) m->per_uid_.erase(u);
        }
    } g{this, self, peer.uid};

    auto too_large = [&](std::string what) { return error_reply(fail(errc::too_large, std::move(what))); };
    // Bounded: one header block plus a little framing. Body bytes move into the body (itself
    // bounded by max_body) as they arrive, so nothing else accumulates here; a chunk-size line
    // or trailer that does not fit is refused (buffer_overflow) instead of growing it.
    beast::flat_buffer buf(settings_.max_header + k_buffer_slack);
    boost::system::error_code ec;
    while (!stopping_) {
        // Idle keep-alive: wait for the first byte of the next request.
        if (buf.size() == 0) {
            stream.expires_after(settings_.idle_timeout);
            auto n = co_await stream.async_read_some(buf.prepare(4096), redirect_error(use_awaitable, ec));
            if (ec) co_return;  // idle timeout, peer closed, or stop
            buf.commit(n);
        }
        // From the first byte on, the whole request must arrive within header_timeout.
        stream.expires_after(settings_.header_timeout);
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(settings_.max_header));
        parser.body_limit(settings_.max_body);

        std::optional<reply> early;
        auto body_too_large = [&] { return too_large("request body: larger than " + std::to_string(settings_.max_body) + " bytes"); };
        std::size_t consumed = co_await http::async_read_header(stream, buf, parser, redirect_error(use_awaitable, ec));
        if (ec == http::error::body_limit) {
            early = body_too_large();
        } else if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
            early = error_reply(431, "too_large", "request header: larger than " + std::to_string(settings_.max_header) + " bytes");
        } else if (closed_or_timed_out(ec)) {
            co_return;
        } else if (ec) {
            early = error_reply(fail(errc::decode_error, "request: malformed HTTP: " + ec.message()));
        } else if (parser.content_length() && *parser.content_length() > settings_.max_body) {
            early = body_too_large();
        } else {
            auto& hreq = parser.get();
            if (beast::iequals(hreq[http::field::expect], "100-continue")) {
                static constexpr std::string_view k_continue = "HTTP/1.1 100 Continue\r\n\r\n";
                co_await asio::async_write(stream, asio::buffer(k_continue), redirect_error(use_awaitable, ec));
                if (ec) co_return;
            }
            // Step by step so chunked framing (size lines, extensions, trailers) is counted:
            // together with the header it may not exceed max_header.
            while (!ec && !parser.is_done()) {
                consumed += co_await http::async_read_some(stream, buf, parser, redirect_error(use_awaitable, ec));
                if (!ec && consumed - parser.get().body().size() > settings_.max_header) {
                    early = too_large("request framing: header, chunk extensions and trailers larger than " +
                                      std::to_string(settings_.max_header) + " bytes");
                    break;
                }
            }
            if (early) {
            } else if (ec == http::error::body_limit) {
                early = body_too_large();
            } else if (ec == http::error::buffer_overflow) {
                early = too_large("request framing: a chunk-size line or trailer larger than " +
                                  std::to_string(settings_.max_header) + " bytes");
            } else if (closed_or_timed_out(ec)) {
                co_return;
            } else if (ec) {
                early = error_reply(fail(errc::decode_error, "request: malformed HTTP: " + ec.message()));
            }
        }

        auto& req = parser.get();
        bool keep_alive = !early && req.keep_alive();
        // Identity and role come from the table in force now, for every request: a reload that
        // removes or demotes a channel applies to its open connections at once.
        auto who = identify(settings_.channels, peer);
        reply rep;
        if (early) {
            rep = std::move(*early);
        } else if (!who) {
            rep = error_reply(fail(errc::permission_denied, "identify caller: uid " + std::to_string(peer.uid) + " / gid " +
                                                                std::to_string(peer.gid) + " is not mapped to a channel"));
            keep_alive = false;
        } else {
            std::chrono::seconds retry_after{1};
            ++requests_;
            if (!allow(who->channel, retry_after)) {
                ++rejected_rate_;
                rep = error_reply(fail(errc::rate_limited, "channel " + who->channel + ": request rate limit exceeded"));
                rep.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
            } else {
                request_view view{req.method_string(), req.target(), req.body(), req[http::field::content_type],
                                  req["Idempotency-Key"]};
                // The handler may long-poll: lift the request deadline meanwhile.
                stream.expires_never();
                rep = co_await handle(ctx_, *who, view);
            }
        }
        if (stopping_) co_return;

        if (rep.start_feed) {
            co_await run_feed(stream, rep.feed_since, *who);
            co_return;
        }

        http::response<http::string_body> res{static_cast<http::status>(rep.status), req.version() ? req.version() : 11};
        res.set(http::field::content_type, rep.content_type);
        for (auto& [k, v] : rep.headers) res.set(k, v);
        res.keep_alive(keep_alive);
        res.body() = std::move(rep.body);
        res.prepare_payload();
        stream.expires_after(settings_.write_timeout);
        co_await http::async_write(stream, res, redirect_error(use_awaitable, ec));
        if (ec || !keep_alive) {
            stream.socket().shutdown(asio::socket_base::shutdown_send, ec);
            co_return;
        }
    }
}

void server::impl::add_metrics(api::metrics_snapshot& s) const {
    auto add = [&](std::string name, std::string help, std::string type, double v) {
        s.samples.push_back({std::move(name), std::move(help), std::move(type), {}, v});
    };
    add("agentd_api_connections", "Open local API connections.", "gauge", static_cast<double>(connections_));
    add("agentd_api_feed_subscribers", "Open feed (SSE) subscribers.", "gauge", static_cast<double>(subscribers_.size()));
    add("agentd_api_requests_total", "Local API requests from mapped peers.", "counter", static_cast<double>(requests_));
    add("agentd_api_rate_limited_total", "Requests refused by the per-channel rate limit.", "counter",
        static_cast<double>(rejected_rate_));
    add("agentd_api_connections_refused_total", "Connections refused over the connection caps (total or per uid).",
        "counter", static_cast<double>(rejected_conn_));
    add("agentd_api_peers_refused_total", "Connections refused because the peer maps to no channel.", "counter",
        static_cast<double>(rejected_peer_));
    add("agentd_api_feed_overflows_total", "Feed subscribers cut off for reading too slowly.", "counter",
        static_cast<double>(overflows_));
}

}  // namespace agentd::control
