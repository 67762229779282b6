// config: loads and validates agentd's TOML configuration into `settings`. Errors are
// errc::config_error with "FILE:LINE: option 'section.key': what is wrong" messages; unknown
// options, duplicates, plain-http upstreams not explicitly allowed, a configuration file
// writable by group/others, and secret files readable by group/others are refused, as is
// either kind of file owned by another user than root, the one running agentd or the service
// user agentd (config/files.hpp). Secret values are read at load time and never appear in
// messages. Thread-safe: pure functions (they read files, the user database and the
// CREDENTIALS_DIRECTORY environment variable).
#pragma once

#include "agentd/config/options.hpp"
#include "agentd/config/settings.hpp"
#include "agentd/core/error.hpp"

#include <string>
#include <string_view>

namespace agentd::config {

// Reads and validates `path`. Relative secret_file paths are resolved against the directory
// of `path`.
result<settings> load_file(const std::string& path);

// Validates `text`; `name` stands for the file in messages. Relative secret_file paths are
// resolved against the current directory.
result<settings> load_string(std::string_view text, std::string_view name);

// The settings an empty file yields: every option at its default, no clients, no channels.
settings defaults();

}  // namespace agentd::config
