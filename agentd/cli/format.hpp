// cli/format: human output helpers for agentctl: aligned text tables, times as
// "2026-11-26 21:40Z" with ages like "12s ago", durations like "3h 12m". Pure functions of
// their inputs (the current time is a parameter), so tests render exactly. Thread-safe.
#pragma once

#include "agentd/core/clock.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::cli {

// Text from upstream or a channel (names, references, error messages) made safe to print on a
// terminal. Removed: C0 controls and DEL, C1 controls (U+0080..U+009F), and whole escape
// sequences (ESC or CSI ... final byte; OSC, DCS, SOS, PM, APC strings up to BEL or ST), so
// "\x1b]0;title\x07" and "\x1b[2J" vanish instead of retitling or clearing the terminal. Bytes
// that are not valid UTF-8 (a lone 0x9B is CSI to an 8-bit terminal) become '?'. Newlines and
// tabs are kept with `multiline`, otherwise each becomes a space so a value cannot forge
// lines of output. Every printed cell and the text stream (safe_stream.hpp) go through this.
std::string printable(std::string_view text, bool multiline = false);

class table {
public:
    explicit table(std::vector<std::string> headings) : head_(std::move(headings)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const noexcept { return rows_.empty(); }
    // Columns separated by two spaces, padded to the widest cell (UTF-8 aware), no trailing
    // blanks; every cell passes through printable() first.
    std::string render() const;

private:
    std::vector<std::string> head_;
    std::vector<std::vector<std::string>> rows_;
};

// "2026-11-26T21:40:12Z" → "2026-11-26 21:40Z"; text that is not ISO 8601 is returned as is.
std::string short_time(std::string_view iso);
// Seconds as "12s", "4m 10s", "3h 12m", "2d 4h".
std::string span_text(double seconds);
// "12s ago" / "in 4m 10s" relative to `now`; empty when `iso` does not parse.
std::string age_text(std::string_view iso, sys_time now);
// short_time plus the age in parentheses: "2026-11-26 21:40Z (12s ago)"; "-" for nullopt.
std::string when_text(const std::optional<std::string>& iso, sys_time now);
// "-" for an empty value.
std::string or_dash(std::string_view s);

// A date option: YYYY-MM-DD or a full ISO time kept as is; "today", "tomorrow", "+Nd" relative
// to `now` (UTC). Empty optional when the text is none of these.
std::optional<std::string> resolve_date(std::string_view text, sys_time now);

}  // namespace agentd::cli
