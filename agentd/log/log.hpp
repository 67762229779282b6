// log: structured, levelled events to stderr, one line each, journald-friendly (`<N>` priority
// prefix when stderr is the journal). Each event has a subsystem, an op and key=value fields
// with stable names. Repeats of the same (subsystem, op, message) are rate-limited and the
// number suppressed is reported with the next one let through. Secrets cannot be passed as a
// field value: `agentd::secret` renders as "[redacted]". Thread-safe: one mutex around the sink.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/secret.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

namespace agentd::log {

enum class level { debug = 0, info = 1, warn = 2, error = 3, off = 4 };

std::string_view to_string(level l) noexcept;
// Accepts "debug", "info", "warn"/"warning", "error", "off".
bool parse_level(std::string_view text, level& out) noexcept;

struct field {
    std::string_view key;
    std::string value;

    field(std::string_view k, std::string_view v) : key(k), value(v) {}
    field(std::string_view k, const std::string& v) : key(k), value(v) {}
    field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
    field(std::string_view k, const secret&) : key(k), value("[redacted]") {}
    field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
    template <class N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
    field(std::string_view k, N v) : key(k), value(std::to_string(v)) {}
};

using fields = std::initializer_list<field>;

struct options {
    level min_level = level::info;
    bool journal_prefix = false;  // "<6>" style priorities instead of timestamps
    // Same (subsystem, op, message) at most `burst` times per `window`.
    int burst = 5;
    std::chrono::seconds window{60};
};

// Replaces the process-wide sink's options. Called once by the composition root.
void configure(const options& o);
// Redirects output (tests capture lines); pass nullptr to restore stderr.
void set_writer(std::function<void(std::string_view line)> writer);

bool enabled(level l) noexcept;
void write(level l, std::string_view subsystem, std::string_view op, std::string_view message, fields f = {});

inline void debug(std::string_view s, std::string_view op, std::string_view m, fields f = {}) { if (enabled(level::debug)) write(level::debug, s, op, m, f); }
inline void info(std::string_view s, std::string_view op, std::string_view m, fields f = {}) { write(level::info, s, op, m, f); }
inline void warn(std::string_view s, std::string_view op, std::string_view m, fields f = {}) { write(level::warn, s, op, m, f); }
inline void error(std::string_view s, std::string_view op, std::string_view m, fields f = {}) { write(level::error, s, op, m, f); }

// Masks a credential-like string for display: keeps nothing of it but its length class.
std::string redact(std::string_view) ;

}  // namespace agentd::log
