// tests/support/stub_server: a scripted socket server for client tests. It listens on a Unix
// path or on 127.0.0.1:<ephemeral>, and runs `handler(fd, n)` on its own thread for the n-th
// accepted connection (0-based) with plain blocking I/O, so a test can answer exactly the bytes
// it means to, stall, or close at any point. The handler owns nothing: the stub closes the fd
// after it returns. Header-only. Threading: construct, query and destroy from the test thread;
// handlers run on the stub's threads (share state with the test through atomics).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace agentd::test {

class stub_server {
public:
    using handler = std::function<void(int fd, int n)>;

    // Unix socket at `path`.
    stub_server(const std::string& path, handler h) : handler_(std::move(h)) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("stub: bind " + path);
        start();
    }
    // TCP on 127.0.0.1, port chosen by the kernel (port()).
    explicit stub_server(handler h) : handler_(std::move(h)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            throw std::runtime_error("stub: bind 127.0.0.1:0");
        port_ = ntohs(a.sin_port);
        start();
    }
    ~stub_server() {
        stop_ = true;
        accept_thread_.join();
        std::vector<std::thread> workers;
        {
            std::lock_guard lock(mu_);
            workers.swap(workers_);
        }
        for (auto& t : workers) t.join();
        ::close(fd_);
    }
    stub_server(const stub_server&) = delete;
    stub_server& operator=(const stub_server&) = delete;

    int port() const noexcept { return port_; }
    int accepted() const noexcept { return accepted_.load(); }
    // Connections whose handler returned and whose fd is closed.
    int closed() const noexcept { return closed_.load(); }

    // One request (header block, then Content-Length body bytes); "" when the peer closed or
    // nothing came within the socket's receive timeout.
    static std::string read_request(int fd) {
        std::string in;
        char buf[4096];
        for (;;) {
            auto end = in.find("\r\n\r\n");
            if (end != std::string::npos) {
                std::size_t want = end + 4;
                auto cl = in.find("Content-Length: ");
                if (cl != std::string::npos && cl < end) want += std::stoul(in.substr(cl + 16));
                if (in.size() >= want) return in;
            }
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return "";
            in.append(buf, static_cast<std::size_t>(n));
        }
    }
    static void write_all(int fd, const std::string& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return;
            off += static_cast<std::size_t>(n);
        }
    }
    // "HTTP/1.1 <status_line>" with a JSON body framed by Content-Length.
    static std::string answer(const std::string& status_line, const std::string& body, const std::string& extra_headers = "") {
        return "HTTP/1.1 " + status_line + "\r\nContent-Type: application/json\r\n" + extra_headers +
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

private:
    void start() {
        if (::listen(fd_, 16) != 0) throw std::runtime_error("stub: listen");
        accept_thread_ = std::thread([this] { accept_loop(); });
    }
    void accept_loop() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) continue;  // wakes to see stop_
            int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            timeval tv{10, 0};  // a handler never blocks a test for ever
            ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            int n = accepted_++;
            if (n >= k_max_handled) {  // a client reconnecting in a loop: count, do not serve
                ::close(c);
                ++closed_;
                continue;
            }
            std::lock_guard lock(mu_);
            workers_.emplace_back([this, c, n] {
                handler_(c, n);
                ::close(c);
                ++closed_;
            });
        }
    }

    static constexpr int k_max_handled = 64;
    handler handler_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0}, closed_{0};
    std::mutex mu_;
    std::vector<std::thread> workers_;
    std::thread accept_thread_;
};

}  // namespace agentd::test
