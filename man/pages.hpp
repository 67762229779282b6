// man/pages: the man pages and the bash completion that come from agentd's tables: agentctl(8)
// from the command table and agentctl's own --help text, agentd.toml(5) from the option table,
// and the completion script from the command table. Thread-safe: pure functions over the
// immutable tables.
#pragma once

#include <string>

namespace agentd::man {

std::string agentctl_page();
std::string agentd_toml_page();

// A bash completion script for agentctl: commands, their options and the global ones, files
// for --config/--db/--socket, and client names from `agentctl clients --names` (the running
// daemon, if it answers).
std::string agentctl_bash_completion();

}  // namespace agentd::man
