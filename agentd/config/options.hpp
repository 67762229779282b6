// config/options: the one declarative table of configuration options. Parsing, validation,
// the shipped example file (conf/agentd.toml.example) and `agentctl config` all read it, so an
// option exists exactly when it has a row here. Thread-safe: the table is immutable once built.
#pragma once

#include "agentd/config/settings.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace agentd::config {

enum class option_kind {
    boolean,
    integer,
    real,
    duration,    // "500ms", "15s", "5m", "1h", "1d"
    size,        // "512B", "64KiB", "32MiB", "1GiB" or a bare integer of bytes
    string,
    identifier,  // string accepted by agentd::valid_id
    mode,        // octal permission string such as "0660"
    choice,      // one of `choices`
};

struct option_info {
    std::string section;  // "daemon", "sync", "reservations", "api", "client", "client.account", "client.window", "channel"
    std::string key;
    option_kind kind = option_kind::string;
    std::string default_text;  // TOML literal of the default; empty when there is none
    std::string example_text;  // TOML literal shown in the example file when there is no default
    std::string bounds_text;   // human form of the accepted range, e.g. "1s..1h"; empty if unbounded
    std::string choices;       // "sales|admin" for choice options
    bool required = false;
    std::string doc;  // one line

    std::string name() const { return section + "." + key; }
};

// Every option, in the order the example file shows them.
std::span<const option_info> option_table();
const option_info* find_option(std::string_view section, std::string_view key);

// The documented example configuration, generated from the table: fixed sections with every
// option at its default, and commented [[client]]/[[channel]] blocks.
std::string render_example();

// The effective settings as TOML-like text for `agentctl config check`; secrets are shown as
// "[redacted]" and never revealed.
std::string to_string(const settings& s);

// Text forms used by the table and by error messages.
std::optional<duration> parse_duration(std::string_view text);
std::string format_duration(duration d);
std::optional<std::uint64_t> parse_size(std::string_view text);
std::string format_size(std::uint64_t bytes);

}  // namespace agentd::config
