// config/files: internal to config. Reads the configuration file and secret files, refusing
// the ones another local user could have written (or could read, for secrets): agentd's
// callers are local users, and whoever writes these files decides what agentd does. A file
// is trusted when owned by root, by the user running agentd, or by the service user `agentd`
// of the shipped unit (so root's `agentctl config check` judges the files as the daemon does).
// Thread-safe: pure functions.
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/core/secret.hpp"

#include <string>

namespace agentd::config::detail {

// The whole configuration file, at most 4 MiB. Refused when not a regular file, writable by
// group or others, or not owned by a trusted user. Messages start with "PATH: ".
result<std::string> read_config_file(const std::string& path);

// A secret file's trimmed contents. Refused when not a regular file, readable by group or
// others, not owned by a trusted user, empty or over 64 KiB. `what` ("FILE:LINE: option ...")
// prefixes every message; the value never enters one.
result<secret> read_secret(const std::string& path, const std::string& what);

}  // namespace agentd::config::detail
