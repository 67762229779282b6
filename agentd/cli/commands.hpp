// cli/commands: agentctl's command table (words, arguments, options, help texts) and the
// command functions. Each function receives the context and the positional arguments after
// the command words, prints its result (a table, or the API's JSON with --json) and returns the
// process exit code (cli/exit_codes.hpp). Threading: one invocation, one thread.
#pragma once

#include "agentd/cli/context.hpp"

#include <span>
#include <string>
#include <vector>

namespace agentd::cli {

using positionals = std::vector<std::string>;
using command_fn = int (*)(context&, const positionals&);

struct command_spec {
    std::vector<std::string> words;    // {"sync", "now"}
    std::string args;                  // "C ID", shown in usage
    std::size_t min_args = 0, max_args = 0;
    std::vector<std::string> options;  // accepted beyond the global ones, e.g. "client"
    std::string summary;               // one line for the command list
    std::string help;                  // the body of `agentctl CMD --help`
    command_fn fn = nullptr;
};

std::span<const command_spec> command_table();

// Inventory and health (cmd_inventory.cpp).
int cmd_status(context&, const positionals&);
int cmd_clients(context&, const positionals&);
int cmd_events(context&, const positionals&);
int cmd_instances(context&, const positionals&);
int cmd_instance(context&, const positionals&);
int cmd_seats(context&, const positionals&);
int cmd_sync_now(context&, const positionals&);
int cmd_seats_svg(context&, const positionals&);  // cmd_seatmap.cpp
int cmd_watch(context&, const positionals&);      // cmd_watch.cpp
int cmd_top(context&, const positionals&);        // cmd_top.cpp
// Reservations (cmd_reservations.cpp).
int cmd_reservations(context&, const positionals&);
int cmd_reservation(context&, const positionals&);
int cmd_release(context&, const positionals&);
int cmd_reconcile(context&, const positionals&);
int cmd_pools(context&, const positionals&);
int cmd_resolve(context&, const positionals&);
int cmd_hold(context&, const positionals&);
int cmd_confirm(context&, const positionals&);
int cmd_wait(context&, const positionals&);
// The agent's books (cmd_ledger.cpp).
int cmd_ledger(context&, const positionals&);
int cmd_ledger_diff(context&, const positionals&);
int cmd_ledger_entries(context&, const positionals&);
// Offline (cmd_offline.cpp).
int cmd_config_check(context&, const positionals&);
int cmd_db_stats(context&, const positionals&);
int cmd_db_check(context&, const positionals&);

}  // namespace agentd::cli
