// core/time: locale-independent date/time text. UTC ISO 8601 with 'Z' for our API, the
// upstream's local "YYYY-MM-DDTHH:MM:SS" (no offset), and RFC 1123 for HTTP Date headers.
// Pure functions, thread-safe (no strftime, no locale, no static buffers).
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"

#include <string>
#include <string_view>

namespace agentd {

// "2026-11-26T21:40:00Z" (whole seconds).
std::string format_iso_utc(sys_time t);
// "2026-11-26T21:40:00.123Z".
std::string format_iso_utc_ms(sys_time t);
// "2026-11-26" of the UTC day.
std::string format_date_utc(sys_time t);
// "Mon, 21 Oct 2020 07:28:00 GMT".
std::string format_rfc1123(sys_time t);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with optional trailing 'Z'. The value is
// interpreted as UTC; callers that hold a venue-local time keep it as text.
result<sys_time> parse_iso(std::string_view text);
// Parses an RFC 1123 date as sent in HTTP Date headers.
result<sys_time> parse_rfc1123(std::string_view text);

}  // namespace agentd
