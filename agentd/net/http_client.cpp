// Connection pool and request/response exchange over beast::tcp_stream (optionally wrapped in
// TLS). Step timeouts use the stream's own expiry, which Beast also applies under TLS.
#include "agentd/net/http_client.hpp"

#include "agentd/net/tls.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <deque>

namespace agentd::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;
using boost::system::error_code;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct connection {
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    steady::time_point idle_since{};

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

struct slot_waiter {
    asio::steady_timer timer;
    bool granted = false;
};

// Time left for one step: the step's own bound, cut by the call's deadline.
steady::duration step_limit(std::chrono::milliseconds step, steady::time_point deadline) {
    return std::min<steady::duration>(step, deadline - steady::now());
}

bool is_reset(const error_code& ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == asio::error::eof ||
           ec == http::error::end_of_stream || ec == asio::error::connection_aborted || ec == ssl::error::stream_truncated;
}

// Maps a transport error to the project's vocabulary; `stale` marks an exchange on a reused
// connection that failed before any answer byte (safe to resend when idempotent).
struct step_error {
    error err;
    bool stale = false;
};

error map_error(const error_code& ec, std::string_view step, std::string_view host) {
    std::string ctx = std::string(step) + " " + std::string(host) + ": ";
    if (ec == beast::error::timeout) return fail(errc::timeout, ctx + "timed out");
    if (ec == asio::error::operation_aborted) return fail(errc::cancelled, ctx + "cancelled");
    if (ec == http::error::body_limit || ec == http::error::header_limit || ec == http::error::buffer_overflow)
        return fail(errc::too_large, ctx + "response exceeds size limit");
    if (is_reset(ec) || ec == http::error::partial_message || ec == asio::error::connection_refused ||
        ec == asio::error::host_unreachable || ec == asio::error::network_unreachable)
        return fail(errc::unavailable, ctx + ec.message());
    if (ec.category() == http::make_error_code(http::error::bad_version).category())
        return fail(errc::decode_error, ctx + "malformed HTTP: " + ec.message());
    if (ec.category() == asio::error::get_ssl_category())
        return fail(errc::upstream_permanent, ctx + "TLS refused: " + ec.message());
    return fail(errc::unavailable, ctx + ec.message());
}

}  // namespace

struct http_client::impl {
    asio::any_io_executor ex;
    http_client_options opt;
    std::shared_ptr<ssl::context> ctx;
    std::vector<std::unique_ptr<connection>> idle;
    std::deque<slot_waiter*> waiters;
    int active = 0;
    std::uint64_t opened = 0;

    asio::awaitable<result<void>> acquire_slot(steady::time_point deadline) {
        if (active < opt.max_connections) {
            ++active;
            co_return result<void>{};
        }
        slot_waiter w{asio::steady_timer(ex, deadline)};
        waiters.push_back(&w);
        co_await w.timer.async_wait(tuple_awaitable);
        if (w.granted) co_return result<void>{};
        waiters.erase(std::remove(waiters.begin(), waiters.end(), &w), waiters.end());
        if (steady::now() >= deadline) co_return fail(errc::timeout, "wait for a connection to " + opt.origin.host + ": timed out");
        co_return fail(errc::cancelled, "wait for a connection to " + opt.origin.host + ": cancelled");
    }

    void release_slot() {
        if (!waiters.empty()) {
            auto* w = waiters.front();
            waiters.pop_front();
            w->granted = true;
            w->timer.cancel();
            return;
        }
        --active;
    }

    std::unique_ptr<connection> take_idle() {
        auto now = steady::now();
        while (!idle.empty()) {
            auto c = std::move(idle.back());
            idle.pop_back();
            if (now - c->idle_since < opt.idle_timeout) return c;
        }
        return nullptr;
    }

    asio::awaitable<result<std::unique_ptr<connection>>> open(steady::time_point deadline) {
        using namespace asio::experimental::awaitable_operators;
        const auto& host = opt.origin.host;
        tcp::resolver resolver(ex);
        asio::steady_timer timer(ex);
        timer.expires_after(step_limit(opt.resolve_timeout, deadline));
        auto raced = co_await (resolver.async_resolve(host, std::to_string(opt.origin.port), tuple_awaitable) ||
                               timer.async_wait(tuple_awaitable));
        if (raced.index() == 1) co_return fail(errc::timeout, "resolve " + host + ": timed out");
        auto [rec, endpoints] = std::get<0>(std::move(raced));
        if (rec) co_return fail(errc::unavailable, "resolve " + host + ": " + rec.message());

        auto c = std::make_unique<connection>();
        if (opt.origin.tls()) c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, *ctx);
        else c->plain = std::make_unique<beast::tcp_stream>(ex);
        auto& low = c->lowest();
        low.expires_after(step_limit(opt.connect_timeout, deadline));
        auto [cec, ep] = co_await low.async_connect(endpoints, tuple_awaitable);
        if (cec) co_return map_error(cec, "connect to", host);
        ++opened;
        if (c->tls) {
            auto* native = c->tls->native_handle();
            error_code addr_ec;
            asio::ip::make_address(host, addr_ec);
            if (addr_ec) SSL_set_tlsext_host_name(native, host.c_str());  // SNI is for names only
            if (!opt.insecure_skip_verify_for_tests) {
                c->tls->set_verify_mode(ssl::verify_peer);
                c->tls->set_verify_callback(ssl::host_name_verification(host));
            }
            low.expires_after(step_limit(opt.tls_timeout, deadline));
            auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, tuple_awaitable);
            if (hec) {
                if (hec == beast::error::timeout || hec == asio::error::operation_aborted)
                    co_return map_error(hec, "TLS handshake with", host);
                if (hec.category() == asio::error::get_ssl_category())
                    co_return fail(errc::upstream_permanent, "TLS handshake with " + host + ": " + hec.message());
                co_return map_error(hec, "TLS handshake with", host);
            }
        }
        low.expires_never();
        co_return c;
    }

    template <class Stream>
    asio::awaitable<result<std::pair<http_response, bool>>> exchange(Stream& s, connection& c, const http_request& r,
                                                                     steady::time_point deadline, bool& stale) {
        const auto& host = opt.origin.host;
        auto& low = c.lowest();
        http::request<http::string_body> req{http::string_to_verb(r.method), r.target, 11};
        req.set(http::field::host, opt.origin.host_header());
        for (const auto& [k, v] : r.headers) req.set(k, v);
        req.body() = r.body;
        req.prepare_payload();
        if (r.method == "GET" && r.body.empty()) req.content_length(boost::none);

        low.expires_after(step_limit(opt.step_timeout, deadline));
        if (r.may_send && !r.may_send()) co_return fail(errc::cancelled, "request to " + host + " not sent: refused by its sender");
        if (r.maybe_sent) *r.maybe_sent = true;
        auto [wec, wn] = co_await http::async_write(s, req, tuple_awaitable);
        if (wec) {
            stale = is_reset(wec);
            co_return map_error(wec, "send request to", host);
        }
        http::response_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
        parser.body_limit(opt.max_response_bytes);
        low.expires_after(step_limit(opt.step_timeout, deadline));
        auto [hec, hn] = co_await http::async_read_header(s, c.buffer, parser, tuple_awaitable);
        if (hec) {
            stale = is_reset(hec) && hn == 0;
            co_return map_error(hec, "read response headers from", host);
        }
        low.expires_after(step_limit(opt.step_timeout, deadline));
        auto [bec, bn] = co_await http::async_read(s, c.buffer, parser, tuple_awaitable);
        if (bec) co_return map_error(bec, "read response body from", host);
        low.expires_never();
        auto msg = parser.release();
        http_response out;
        out.status = static_cast<int>(msg.result_int());
        if (auto it = msg.find(http::field::retry_after); it != msg.end()) out.retry_after = std::string(it->value());
        if (auto it = msg.find(http::field::date); it != msg.end()) out.date = std::string(it->value());
        out.body = std::move(msg.body());
        co_return std::pair<http_response, bool>{std::move(out), msg.keep_alive()};
    }
};

http_client::http_client(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
http_client::~http_client() = default;

result<std::unique_ptr<http_client>> http_client::make(asio::any_io_executor ex, http_client_options o) {
    if (o.origin.scheme != "http" && o.origin.scheme != "https")
        return fail(errc::config_error, "make HTTP client: scheme must be http or https");
    if (o.max_connections < 1) return fail(errc::config_error, "make HTTP client: max_connections must be >= 1");
    auto p = std::make_unique<impl>();
    p->ex = std::move(ex);
    if (o.origin.tls()) {
        auto ctx = make_client_tls_context(tls_options{o.ca_file, o.insecure_skip_verify_for_tests});
        if (!ctx) return ctx.error();
        p->ctx = std::move(*ctx);
    }
    p->opt = std::move(o);
    return std::unique_ptr<http_client>(new http_client(std::move(p)));
}

const http_client_options& http_client::options() const { return impl_->opt; }

http_pool_stats http_client::stats() const {
    return http_pool_stats{impl_->active, static_cast<int>(impl_->idle.size()), static_cast<int>(impl_->waiters.size()),
                           impl_->opened};
}

asio::awaitable<result<http_response>> http_client::send(const http_request& req, steady::time_point deadline) {
    auto& p = *impl_;
    if (steady::now() >= deadline) co_return fail(errc::timeout, "send request to " + p.opt.origin.host + ": deadline passed");
    auto slot = co_await p.acquire_slot(deadline);
    if (!slot) co_return slot.error();
    struct slot_guard {
        impl& p;
        ~slot_guard() { p.release_slot(); }
    } guard{p};

    for (int attempt = 0;; ++attempt) {
        // The resend goes on a new connection: the pool's other idle ones may be just as stale.
        std::unique_ptr<connection> c;
        if (attempt == 0) c = p.take_idle();
        bool reused = c != nullptr;
        if (!c) {
            auto opened = co_await p.open(deadline);
            if (!opened) co_return opened.error();
            c = std::move(*opened);
        }
        bool stale = false;
        // (No co_await inside ?: — GCC 12 miscompiles it.)
        result<std::pair<http_response, bool>> r = fail(errc::internal, "unreachable");
        if (c->tls) r = co_await p.exchange(*c->tls, *c, req, deadline, stale);
        else r = co_await p.exchange(*c->plain, *c, req, deadline, stale);
        if (r) {
            if (r->second) {
                c->idle_since = steady::now();
                p.idle.push_back(std::move(c));
            }
            co_return std::move(r->first);
        }
        if (reused && stale && req.idempotent && attempt == 0) continue;
        co_return r.error();
    }
}

}  // namespace agentd::net
