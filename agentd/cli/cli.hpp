// cli/cli: agentctl's entry point, callable in-process for tests. `args` excludes argv[0].
// Returns the process exit code (cli/exit_codes.hpp). Threading: one call at a time per streams.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace agentd::cli {

inline constexpr const char* k_version = "0.1.0";

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace agentd::cli
