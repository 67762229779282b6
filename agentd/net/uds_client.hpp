// net/uds_client: a small blocking HTTP/1.1 client over a Unix socket for agentctl and tests.
// One keep-alive connection, reopened when the server closed it; every call has a deadline
// (`timeout` from the call's start) and fails with errc::timeout rather than hanging. Also reads
// server-sent events (`open_stream` + `next_event`) and offers raw byte access for tests of
// malformed or stalled requests. Beast stays in the .cpp. Threading: one thread per client.
#pragma once

#include "agentd/core/error.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::net {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct http_reply {
    int status = 0;
    header_list headers;
    std::string body;
    // Case-insensitive header lookup.
    std::optional<std::string> header(std::string_view name) const;
};

struct sse_event {
    std::optional<std::uint64_t> id;
    std::string event = "message";
    std::string data;
};

class uds_client {
public:
    explicit uds_client(std::string socket_path, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~uds_client();
    uds_client(uds_client&&) noexcept;
    uds_client& operator=(uds_client&&) noexcept;

    void set_timeout(std::chrono::milliseconds t) noexcept { timeout_ = t; }

    // Sends one request (Host: agentd; Content-Type: application/json when a body is given and
    // `extra` does not set one) and reads the whole answer. errc::unavailable when the socket
    // cannot be reached, errc::timeout past the deadline, errc::io_error on a broken exchange.
    result<http_reply> request(std::string_view method, std::string_view target, std::string_view body = {},
                               const header_list& extra = {});
    result<http_reply> get(std::string_view target) { return request("GET", target); }

    // Server-sent events: sends GET `target`, checks a 200 text/event-stream answer, then
    // `next_event` yields events one by one (comments/heartbeats are skipped); nullopt once the
    // server closed the stream. Any other status is returned with its whole body (read by its
    // framing, not until close) and the connection closed.
    result<http_reply> open_stream(std::string_view target, const header_list& extra = {});
    result<std::optional<sse_event>> next_event();

    // Raw access for tests: connect, write bytes as they are, read whatever comes until the
    // peer closes (or the deadline passes: errc::timeout).
    result<void> connect();
    result<void> send_raw(std::string_view bytes);
    result<std::string> read_until_close();
    // Whatever arrives within `d` (stops early at EOF); not an error when nothing came.
    result<std::string> read_for(std::chrono::milliseconds d);

    bool is_open() const noexcept { return fd_ >= 0; }
    void close() noexcept;

private:
    result<void> write_all(std::string_view bytes, std::chrono::steady_clock::time_point deadline);
    // Reads more bytes into in_; 0 at EOF.
    result<std::size_t> read_some(std::chrono::steady_clock::time_point deadline);
    // `stream`: a 200 ends at its header, the events stay in in_. `nothing_arrived` is set when
    // the peer closed before the first byte of the answer (a resend is then safe).
    result<http_reply> read_reply(std::chrono::steady_clock::time_point deadline, bool stream,
                                  bool* nothing_arrived = nullptr);

    std::string path_;
    std::chrono::milliseconds timeout_;
    int fd_ = -1;
    std::string in_;  // bytes read but not consumed yet
};

}  // namespace agentd::net
