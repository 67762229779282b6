// app/ledger_books: the clients' books (currency, venue time zone, statement column names) from
// the config, for the ledger routes of control_adapter. Pure; thread-safe.
#pragma once

#include "agentd/app/control_adapter.hpp"
#include "agentd/config/settings.hpp"

#include <vector>

namespace agentd::app {

// errc::config_error naming the client when its time zone is not in the zoneinfo database.
result<std::vector<ledger_client>> to_ledger(const config::settings& s);
// What a client missing from the config is reported in: GBP, Europe/London (UTC when the
// system has no zoneinfo database).
ledger_client default_ledger_client();

}  // namespace agentd::app
