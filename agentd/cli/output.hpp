// cli/output: small helpers shared by the command files: query strings, client lists, yes/no.
// Threading: one invocation, one thread.
#pragma once

#include "agentd/cli/context.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace agentd::cli {

// "?a=1&b=x%20y" from the present values (percent-encoded); "" when none is present.
std::string query_string(const std::vector<std::pair<std::string, std::optional<std::string>>>& params);

// --client's value alone, or every client's name from the daemon. nullopt when reported.
std::optional<std::vector<std::string>> clients_to_show(context& ctx);

// A --from / --to option resolved to a date; nullopt when absent; reports and sets `bad`.
std::optional<std::string> date_option(context& ctx, const char* name, bool& bad);

// A path segment (client or instance id), percent-encoded.
std::string seg(const std::string& s);

inline std::string yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace agentd::cli
