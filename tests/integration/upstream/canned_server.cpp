#include "tests/integration/upstream/canned_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <cstdlib>

#include <doctest/doctest.h>

namespace agentd::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct canned_server::session {
    canned_server& srv;
    tcp::socket* sock = nullptr;
    asio::steady_timer timer;

    template <class Stream>
    asio::awaitable<void> serve(Stream& s) {
        beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            auto [ec, n] = co_await http::async_read(s, buf, req, tuple_awaitable);
            if (ec) co_return;
            seen_request seen{std::string(req.method_string()), std::string(req.target()), req.body(),
                              std::string(req[http::field::host]), std::string(req[http::field::date]),
                              std::string(req[http::field::authorization]), std::string(req[http::field::content_type]),
                              std::chrono::steady_clock::now()};
            srv.requests.push_back(seen);
            canned c = srv.handler_(seen);
            if (c.delay.count() > 0) {
                timer.expires_after(c.delay);
                auto [tec] = co_await timer.async_wait(tuple_awaitable);
                if (tec || srv.stopped_) co_return;
            }
            if (c.action == canned::act::reset) {
                sock->set_option(asio::socket_base::linger(true, 0));
                sock->close();
                co_return;
            }
            if (c.action == canned::act::garbage) {
                std::string junk = "NOT HTTP AT ALL\r\n\r\n";
                co_await asio::async_write(s, asio::buffer(junk), tuple_awaitable);
                sock->close();
                co_return;
            }
            http::response<http::string_body> res{static_cast<http::status>(c.status), 11};
            res.set(http::field::content_type, "application/json");
            for (const auto& [k, v] : c.headers) res.set(k, v);
            res.body() = c.body;
            res.prepare_payload();
            res.keep_alive(req.keep_alive());
            if (c.action == canned::act::truncate) {
                res.content_length(c.body.size() + 100);
                http::serializer<false, http::string_body> sr{res};
                co_await http::async_write(s, sr, tuple_awaitable);
                sock->close();
                co_return;
            }
            auto [wec, wn] = co_await http::async_write(s, res, tuple_awaitable);
            if (wec || !req.keep_alive()) co_return;
        }
    }
};

canned_server::canned_server(asio::io_context& ioc, handler h, asio::ssl::context* tls)
    : ioc_(ioc), handler_(std::move(h)), tls_(tls), acceptor_(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(
        ioc_,
        [this]() -> asio::awaitable<void> {
            for (;;) {
                auto [ec, sock] = co_await acceptor_.async_accept(tuple_awaitable);
                if (ec) co_return;
                ++accepted;
                asio::co_spawn(
                    ioc_,
                    [this, s = std::move(sock)]() mutable -> asio::awaitable<void> {
                        session sess{*this, nullptr, asio::steady_timer(ioc_)};
                        sessions_.push_back(&sess);
                        open_max = std::max(open_max, ++open_now);
                        if (tls_) {
                            beast::ssl_stream<tcp::socket> stream(std::move(s), *tls_);
                            sess.sock = &stream.next_layer();
                            auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
                            if (!hec) co_await sess.serve(stream);
                        } else {
                            sess.sock = &s;
                            co_await sess.serve(s);
                        }
                        --open_now;
                        sessions_.remove(&sess);
                    },
                    [](std::exception_ptr) {});
            }
        },
        [](std::exception_ptr) {});
}

canned_server::~canned_server() { stop(); }

void canned_server::stop() {
    stopped_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    for (auto* s : sessions_) {
        s->timer.cancel();
        if (s->sock) s->sock->close(ec);
    }
}

bool make_test_pki(const std::string& dir) {
    std::string d = "'" + dir + "'";
    std::string q = " >/dev/null 2>&1";
    auto run = [&](const std::string& cmd) { return std::system(cmd.c_str()) == 0; };
    auto leaf = [&](const std::string& name, const std::string& san) {
        return run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + d + "/" + name + ".key -out " + d + "/" + name +
                   ".csr -subj /CN=" + name + q) &&
               run("printf 'subjectAltName=" + san + "\\nbasicConstraints=CA:FALSE\\n' > " + d + "/" + name + ".ext") &&
               run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/ca.pem -CAkey " + d +
                   "/ca.key -CAcreateserial -days 2 -extfile " + d + "/" + name + ".ext -out " + d + "/" + name + ".pem" + q);
    };
    return run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + d + "/ca.key -out " + d +
               "/ca.pem -days 2 -subj /CN=agentd-test-ca" + q) &&
           leaf("good", "IP:127.0.0.1,DNS:localhost") && leaf("wrong", "DNS:wrong.example") &&
           run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + d + "/self.key -out " + d +
               "/self.pem -days 2 -subj /CN=self -addext subjectAltName=IP:127.0.0.1" + q);
}

const temp_dir& shared_test_pki() {
    static temp_dir dir;
    static bool ok = make_test_pki(dir.path());
    REQUIRE(ok);
    return dir;
}

}  // namespace agentd::test
