// cli/args: agentctl's hand-written command-line parser. Splits argv into positional words and
// `--name value` / `--name=value` options; flags (`--json`, `--help`, `-h`, `--version`) take
// no value. Which options a command accepts is checked by the command table
// (cli/commands.hpp), not here. Thread-safe: pure functions over values.
#pragma once

#include "agentd/core/error.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::cli {

struct parsed_args {
    std::vector<std::string> words;              // positionals in order (command words first)
    std::map<std::string, std::string> options;  // name without dashes → value ("" for flags)

    bool flag(std::string_view name) const { return options.count(std::string(name)) != 0; }
    std::optional<std::string> get(std::string_view name) const;
};

// True for the options that take no value.
bool is_flag(std::string_view name) noexcept;

// errc::invalid_argument for an option missing its value, a repeated option or an empty name.
// "--" ends option parsing: everything after it is positional.
result<parsed_args> parse_args(const std::vector<std::string>& argv);

// Seconds as "2", "2.5", "1500ms", "30s", "2m"; invalid_argument otherwise.
result<double> parse_seconds(std::string_view text);

}  // namespace agentd::cli
