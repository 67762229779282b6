// HTTP/HTTPS server (see server.hpp).
#include "sim/server.hpp"

#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/net/url.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <optional>
#include <thread>

namespace agentd::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

// One API request in flight, from its parse to the end of its answer (simulator stats).
struct in_flight_mark {
    explicit in_flight_mark(simulator& s) : sim(s) { sim.request_started(); }
    ~in_flight_mark() { sim.request_finished(); }
    in_flight_mark(const in_flight_mark&) = delete;
    in_flight_mark& operator=(const in_flight_mark&) = delete;
    simulator& sim;
};

constexpr std::size_t k_header_limit = 16 * 1024;
constexpr auto k_idle = std::chrono::seconds(120);
constexpr auto k_step = std::chrono::seconds(30);

http_request to_request(const http::request<http::string_body>& req) {
    http_request r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    r.host = std::string(req[http::field::host]);
    r.date = std::string(req[http::field::date]);
    r.authorization = std::string(req[http::field::authorization]);
    if (auto it = req.find("X-Agentd-Node"); it != req.end()) r.node = std::string(it->value());
    r.body = req.body();
    return r;
}

std::string serialize(const http_response& resp, bool keep_alive, std::size_t& header_size) {
    std::string reason(http::obsolete_reason(http::status(resp.status)));
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + reason + "\r\n";
    bool typed = false;  // a response that names its own type (the CSV statement)
    for (auto& h : resp.headers) typed = typed || h.first == "Content-Type";
    if (!typed) out += "Content-Type: application/json; charset=utf-8\r\n";
    out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n";
    out += "Date: " + format_rfc1123(std::chrono::system_clock::now()) + "\r\n";
    out += "Server: agentd-sim\r\n";
    for (auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
    out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    header_size = out.size();
    out += resp.body;
    return out;
}

}  // namespace

struct server::impl {
    simulator& sim;
    server_options opt;
    asio::io_context ioc;
    std::optional<ssl::context> tls;
    tcp::acceptor acceptor{ioc};
    asio::signal_set signals{ioc, SIGINT, SIGTERM};
    std::string scheme = "http";
    std::atomic<int> active{0};

    impl(simulator& s, server_options o) : sim(s), opt(std::move(o)) {}

    template <class Stream>
    asio::awaitable<void> serve(Stream& stream, bool loopback) {
        auto& lowest = beast::get_lowest_layer(stream);
        beast::flat_buffer buf(k_header_limit + 8192);
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.header_limit(k_header_limit);
            parser.body_limit(opt.max_body);
            lowest.expires_after(k_idle);
            auto [ec, n] = co_await http::async_read(stream, buf, parser, asio::as_tuple(asio::use_awaitable));
            http_response resp;
            bool keep = false;
            std::optional<in_flight_mark> counted;  // ends with this loop turn: the answer is out
            if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::operation_aborted ||
                ec == beast::error::timeout || ec == asio::error::connection_reset || ec == ssl::error::stream_truncated)
                co_return;
            if (ec == http::error::body_limit) {
                resp = error_response(api_fail(413, 0, "The request body is too large."));
            } else if (ec) {
                if (ec.category() != http::make_error_code(http::error::bad_method).category()) co_return;
                resp = error_response(api_fail(400, 0, "The request is invalid: malformed HTTP."));
            } else {
                auto r = to_request(parser.get());
                r.loopback = loopback;
                r.tls = scheme == "https";
                keep = parser.get().keep_alive();
                if (!r.target.starts_with("/_sim/")) counted.emplace(sim);
                resp = sim.handle(r);
            }
            if (resp.delay.count() > 0) {
                asio::steady_timer t(co_await asio::this_coro::executor);
                t.expires_after(resp.delay);
                co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            if (resp.fault == transport_fault::reset || resp.fault == transport_fault::drop) {
                boost::system::error_code ignored;
                if (resp.fault == transport_fault::reset) lowest.socket().set_option(tcp::socket::linger(true, 0), ignored);
                lowest.socket().close(ignored);
                co_return;
            }
            std::size_t header_size = 0;
            bool truncate = resp.fault == transport_fault::truncate;
            if (truncate) keep = false;
            auto wire = serialize(resp, keep, header_size);
            auto len = truncate ? header_size + resp.body.size() / 2 : wire.size();
            lowest.expires_after(k_step);
            auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire.data(), len), asio::as_tuple(asio::use_awaitable));
            if (wec || !keep) break;
        }
        boost::system::error_code ignored;
        lowest.socket().shutdown(tcp::socket::shutdown_send, ignored);
        // Lingering close: a client still sending (an oversized body answered with 413) would
        // otherwise get a reset that discards our answer before it reads it. Drain what it
        // sends, bounded in time and bytes, before the socket is closed.
        lowest.expires_after(std::chrono::seconds(1));
        std::array<char, 16384> sink;
        for (std::size_t drained = 0; drained < 8u * 1024 * 1024;) {
            auto [rec, rn] = co_await lowest.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
            if (rec) break;
            drained += rn;
        }
    }

    asio::awaitable<void> session(tcp::socket sock) {
        struct count_guard {
            std::atomic<int>& n;
            ~count_guard() { --n; }
        } guard{active};
        boost::system::error_code ec;
        auto remote = sock.remote_endpoint(ec);
        bool loopback = !ec && remote.address().is_loopback();
        sock.set_option(tcp::no_delay(true), ec);
        try {
            if (tls) {
                ssl::stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(sock)), *tls);
                beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
                auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
                if (hec) co_return;
                co_await serve(stream, loopback);
            } else {
                beast::tcp_stream stream(std::move(sock));
                co_await serve(stream, loopback);
            }
        } catch (const std::exception& e) {
            log::warn("sim", "session", "session ended by an exception", {{"error", e.what()}});
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, sock] = co_await acceptor.async_accept(asio::make_strand(ioc), asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
            if (active.load() >= opt.max_connections) {
                boost::system::error_code ignored;
                sock.close(ignored);
                continue;
            }
            ++active;
            auto ex = sock.get_executor();
            asio::co_spawn(ex, session(std::move(sock)), asio::detached);
        }
    }

    asio::awaitable<void> tick_loop() {
        asio::steady_timer t(co_await asio::this_coro::executor);
        for (;;) {
            // Late writes land on time rather than on the next 100 ms tick.
            auto wait = std::chrono::steady_clock::duration(std::chrono::milliseconds(100));
            if (auto due = sim.next_late_due())
                wait = std::clamp<std::chrono::steady_clock::duration>(*due - std::chrono::steady_clock::now(),
                                                                        std::chrono::milliseconds(1), wait);
            t.expires_after(wait);
            auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
            if (ec) co_return;
            sim.tick();
        }
    }
};

server::server(simulator& sim, server_options opt) : impl_(std::make_unique<impl>(sim, std::move(opt))) {}
server::~server() = default;

result<std::string> server::start() {
    auto& s = *impl_;
    auto hp = net::parse_host_port(s.opt.listen);
    if (!hp) return hp.error().wrap("listen");
    if (!s.opt.tls_cert.empty()) {
        try {
            s.tls.emplace(ssl::context::tls_server);
            s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                               ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            s.tls->use_certificate_chain_file(s.opt.tls_cert);
            s.tls->use_private_key_file(s.opt.tls_key, ssl::context::pem);
        } catch (const std::exception& e) {
            return fail(errc::config_error, "load TLS certificate: " + std::string(e.what()));
        }
        s.scheme = "https";
    }
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(hp->host, ec);
    if (ec) return fail(errc::invalid_argument, "listen: " + hp->host + " is not an IP address");
    tcp::endpoint ep(addr, hp->port);
    s.acceptor.open(ep.protocol(), ec);
    if (!ec) s.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) s.acceptor.bind(ep, ec);
    if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return fail(errc::io_error, "listen on " + s.opt.listen + ": " + ec.message());
    auto local = s.acceptor.local_endpoint();
    std::string host = local.address().is_v6() ? "[" + local.address().to_string() + "]" : local.address().to_string();
    return s.scheme + "://" + host + ":" + std::to_string(local.port());
}

void server::run() {
    auto& s = *impl_;
    s.signals.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        log::info("sim", "shutdown", "signal received", {{"signal", sig}});
        stop();
    });
    asio::co_spawn(s.acceptor.get_executor(), s.accept_loop(), asio::detached);
    asio::co_spawn(s.ioc, s.tick_loop(), asio::detached);
    std::vector<std::thread> pool;
    for (int i = 1; i < s.opt.threads; ++i) pool.emplace_back([&] { s.ioc.run(); });
    s.ioc.run();
    for (auto& t : pool) t.join();
}

void server::stop() {
    auto& s = *impl_;
    asio::post(s.ioc, [&s] {
        boost::system::error_code ec;
        s.acceptor.close(ec);
        s.signals.cancel(ec);
        s.ioc.stop();
    });
}

result<http_request> parse_http_request(std::string_view raw, std::size_t max_body) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(k_header_limit);
    parser.body_limit(max_body);
    parser.eager(true);
    boost::system::error_code ec;
    std::size_t used = 0;
    while (!ec && used < raw.size() && !parser.is_done()) {
        auto n = parser.put(asio::buffer(raw.data() + used, raw.size() - used), ec);
        if (n == 0 && !ec) break;
        used += n;
    }
    if (ec == http::error::need_more) ec = {};
    // put_eof requires that some bytes were parsed (Beast asserts got_some()).
    if (!ec && !parser.is_done() && parser.got_some()) parser.put_eof(ec);
    if (ec == http::error::body_limit) return fail(errc::too_large, "parse request: body too large");
    if (ec || !parser.is_done()) return fail(errc::decode_error, "parse request: " + (ec ? ec.message() : std::string("incomplete")));
    return to_request(parser.get());
}

}  // namespace agentd::sim
