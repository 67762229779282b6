// control/reply: a transport-neutral request view and answer, and the one mapping from error
// codes to HTTP statuses. Handlers see only these, so they are tested without sockets.
// Pure values, thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::control {

struct request_view {
    std::string_view method;
    std::string_view target;  // path + query
    std::string_view body;
    std::string_view content_type;
    std::string_view idempotency_key;
};

struct reply {
    int status = 200;
    std::string body;
    std::string_view content_type = "application/json";  // a literal: no copy per answer
    std::vector<std::pair<std::string, std::string>> headers;
    bool start_feed = false;  // the session switches to server-sent events from `feed_since`
    std::uint64_t feed_since = 0;
};

// HTTP status for an error code (documented in docs/local-api.md).
int http_status(errc c) noexcept;

// {"error":{"code","message","retryable"}} with the status of `e.code`.
reply error_reply(const error& e);
// For conditions that have no errc (405, 415, 431): explicit status and stable code.
reply error_reply(int status, std::string_view code, std::string message, bool retryable = false);

}  // namespace agentd::control
