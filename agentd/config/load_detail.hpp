// config/load_detail: what the loader's files share (load.cpp reads the file and its sections,
// load_pools.cpp the [[pool]] tables): the message context and the table helpers. Internal to
// the config module; only its .cpp files include it. Threading: pure functions.
#pragma once

#include "agentd/config/config.hpp"

#include <toml++/toml.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::config::detail {

struct context {
    std::string file;      // name used in messages
    std::string base_dir;  // relative secret files resolve against it ("" = cwd)
};

// "<file>:<line>: " for messages.
std::string at(const context& c, const toml::source_region& where);
error config_fail(const context& c, const toml::source_region& where, std::string_view option, std::string_view what);

// Applies every key of `t` to `target`, defaults first; `nested` are keys holding sub-tables
// handled by the caller (client.account, client.window).
result<void> apply_table(const context& c, const toml::table& t, std::string_view section, void* target,
                         std::initializer_list<std::string_view> nested = {});

// One [[pool]] table: its options, sizes, fill_at and instance/event range.
result<void> load_pool(const context& c, const toml::table& t, pool_settings& p, std::int64_t max_quantity);
// Pools name configured clients, and a client's pools fit its pool_max_seats together.
result<void> check_pools(const context& c, const settings& s, const std::vector<toml::source_region>& where);
// A locked_only pool's lock type ids, from its own list or its client's allocation.
void resolve_lock_types(settings& s);

}  // namespace agentd::config::detail
