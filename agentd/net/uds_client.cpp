#include "agentd/net/uds_client.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <strings.h>

namespace agentd::net {
namespace {

namespace http = boost::beast::http;
using steady = std::chrono::steady_clock;

int ms_left(steady::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

bool wait_fd(int fd, short events, steady::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int r = ::poll(&p, 1, ms_left(deadline));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return true;  // let the following call report the error
    }
}

constexpr std::size_t k_max_reply = 64 * 1024 * 1024;

}  // namespace

std::optional<std::string> http_reply::header(std::string_view name) const {
    for (auto& [k, v] : headers)
        if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
    return std::nullopt;
}

uds_client::uds_client(std::string socket_path, std::chrono::milliseconds timeout)
    : path_(std::move(socket_path)), timeout_(timeout) {}

uds_client::~uds_client() { close(); }

uds_client::uds_client(uds_client&& o) noexcept
    : path_(std::move(o.path_)), timeout_(o.timeout_), fd_(std::exchange(o.fd_, -1)), in_(std::move(o.in_)) {}

uds_client& uds_client::operator=(uds_client&& o) noexcept {
    if (this != &o) {
        close();
        path_ = std::move(o.path_);
        timeout_ = o.timeout_;
        fd_ = std::exchange(o.fd_, -1);
        in_ = std::move(o.in_);
    }
    return *this;
}

void uds_client::close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    in_.clear();
}

result<void> uds_client::connect() {
    close();
    sockaddr_un addr{};
    if (path_.size() >= sizeof addr.sun_path) return fail(errc::invalid_argument, "connect " + path_ + ": path too long");
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail(errc::io_error, "connect " + path_ + ": socket: " + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int e = errno;
        ::close(fd);
        return fail(errc::unavailable, "connect " + path_ + ": " + std::strerror(e));
    }
    fd_ = fd;
    return {};
}

result<void> uds_client::write_all(std::string_view bytes, steady::time_point deadline) {
    while (!bytes.empty()) {
        if (!wait_fd(fd_, POLLOUT, deadline)) return fail(errc::timeout, "write request: deadline passed");
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return fail(errc::io_error, std::string("write request: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

result<std::size_t> uds_client::read_some(steady::time_point deadline) {
    char buf[16384];
    for (;;) {
        if (!wait_fd(fd_, POLLIN, deadline)) return fail(errc::timeout, "read answer: deadline passed");
        ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            if (errno == ECONNRESET) return std::size_t{0};
            return fail(errc::io_error, std::string("read answer: ") + std::strerror(errno));
        }
        if (in_.size() + static_cast<std::size_t>(n) > k_max_reply) return fail(errc::too_large, "read answer: too large");
        in_.append(buf, static_cast<std::size_t>(n));
        return static_cast<std::size_t>(n);
    }
}

result<void> uds_client::send_raw(std::string_view bytes) {
    if (fd_ < 0) {
        if (auto r = connect(); !r) return r.error();
    }
    return write_all(bytes, steady::now() + timeout_);
}

result<std::string> uds_client::read_until_close() {
    auto deadline = steady::now() + timeout_;
    for (;;) {
        auto n = read_some(deadline);
        if (!n) return n.error();
        if (*n == 0) break;
    }
    std::string out = std::move(in_);
    close();
    return out;
}

result<std::string> uds_client::read_for(std::chrono::milliseconds d) {
    auto deadline = steady::now() + d;
    while (fd_ >= 0 && steady::now() < deadline) {
        auto n = read_some(deadline);
        if (!n) {
            if (n.error().code == errc::timeout) break;
            return n.error();
        }
        if (*n == 0) {
            ::close(fd_);
            fd_ = -1;
            break;
        }
    }
    return std::exchange(in_, std::string{});
}

result<http_reply> uds_client::read_reply(steady::time_point deadline, bool stream, bool* nothing_arrived) {
    http::response_parser<http::string_body> parser;
    // A stream's 200 stops at its header (events follow); any other answer is read whole by its
    // framing, as the server may keep the connection open after it.
    auto stream_starts = [stream](const auto& p) { return stream && p.is_header_done() && p.get().result_int() == 200; };
    parser.body_limit(k_max_reply);
    parser.header_limit(64 * 1024);
    for (;;) {
        boost::system::error_code ec;
        while (!in_.empty()) {
            auto used = parser.put(boost::asio::buffer(in_.data(), in_.size()), ec);
            in_.erase(0, used);
            if (ec == http::error::need_more) { ec = {}; break; }
            if (ec) return fail(errc::decode_error, "read answer: " + ec.message());
            if (parser.is_done() || stream_starts(parser)) break;
            if (used == 0) break;
        }
        if (parser.is_done() || stream_starts(parser)) break;
        auto n = read_some(deadline);
        if (!n) return n.error();
        if (*n == 0) {
            // put_eof on a parser that saw nothing would report an empty "complete" message.
            if (!parser.got_some()) {
                if (nothing_arrived) *nothing_arrived = true;
                return fail(errc::io_error, "read answer: connection closed before an answer");
            }
            parser.put_eof(ec);
            if (ec || !parser.is_done()) return fail(errc::io_error, "read answer: connection closed early");
            break;
        }
    }
    auto& msg = parser.get();
    http_reply r;
    r.status = static_cast<int>(msg.result_int());
    for (auto& f : msg) r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    if (!stream_starts(parser)) {
        r.body = std::move(msg.body());
        if (!msg.keep_alive()) close();
    }
    return r;
}

result<http_reply> uds_client::request(std::string_view method, std::string_view target, std::string_view body,
                                       const header_list& extra) {
    auto deadline = steady::now() + timeout_;
    std::string req;
    req.reserve(256 + body.size());
    req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: agentd\r\n");
    bool has_type = false;
    for (auto& [k, v] : extra) {
        has_type = has_type || ::strcasecmp(k.c_str(), "content-type") == 0;
        req.append(k).append(": ").append(v).append("\r\n");
    }
    if (!body.empty() || method == "POST" || method == "PUT") {
        if (!has_type && !body.empty()) req.append("Content-Type: application/json\r\n");
        req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    req.append("\r\n").append(body);

    // A kept-alive connection may have been closed by the server's idle timeout: retry once on a
    // fresh connection when nothing of the answer arrived. Once any byte of it came, the server
    // took the request (a POST may be applied): the failure is the caller's to see.
    for (int attempt = 0; attempt < 2; ++attempt) {
        bool reused = fd_ >= 0;
        if (!reused) {
            if (auto r = connect(); !r) return r.error();
        }
        in_.clear();
        auto w = write_all(req, deadline);
        if (w) {
            bool nothing_arrived = false;
            auto r = read_reply(deadline, false, &nothing_arrived);
            if (r || !reused || !nothing_arrived) {
                if (!r) close();
                return r;
            }
        } else if (!reused || w.error().code == errc::timeout) {
            close();
            return w.error();
        }
        close();
    }
    return fail(errc::io_error, "request " + std::string(target) + ": connection lost");
}

result<http_reply> uds_client::open_stream(std::string_view target, const header_list& extra) {
    auto deadline = steady::now() + timeout_;
    if (auto r = connect(); !r) return r.error();
    std::string req = "GET " + std::string(target) + " HTTP/1.1\r\nHost: agentd\r\nAccept: text/event-stream\r\n";
    for (auto& [k, v] : extra) req.append(k).append(": ").append(v).append("\r\n");
    req.append("\r\n");
    if (auto w = write_all(req, deadline); !w) return w.error();
    auto r = read_reply(deadline, true);
    if (!r) {
        close();
        return r;
    }
    // No stream follows an error answer (its body is read): a later open_stream reconnects.
    if (r->status != 200) close();
    return r;
}

result<std::optional<sse_event>> uds_client::next_event() {
    auto deadline = steady::now() + timeout_;
    sse_event ev;
    bool any = false;
    for (;;) {
        auto nl = in_.find('\n');
        if (nl == std::string::npos) {
            if (fd_ < 0) return std::optional<sse_event>{};
            auto n = read_some(deadline);
            if (!n) return n.error();
            if (*n == 0) {
                close();
                return std::optional<sse_event>{};
            }
            continue;
        }
        std::string line = in_.substr(0, nl);
        in_.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) {
            // As in the SSE spec, a block without data lines dispatches nothing.
            if (any) return std::optional<sse_event>{std::move(ev)};
            ev = sse_event{};
            continue;
        }
        if (line[0] == ':') continue;  // comment / heartbeat
        auto colon = line.find(':');
        std::string field = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        if (!value.empty() && value[0] == ' ') value.erase(0, 1);
        if (field == "id") {
            try {
                ev.id = std::stoull(value);
            } catch (...) {
                return fail(errc::decode_error, "read event: bad id '" + value + "'");
            }
        } else if (field == "event") {
            ev.event = value;
        } else if (field == "data") {
            if (any) ev.data += '\n';
            any = true;
            ev.data += value;
        }
    }
}

}  // namespace agentd::net
