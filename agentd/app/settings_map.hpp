// app/settings_map: the one place that turns the validated config file into the plain settings
// structs of each module (modules never see config::settings). Pure functions.
#pragma once

#include "agentd/config/settings.hpp"
#include "agentd/control/server_settings.hpp"
#include "agentd/mirror/settings.hpp"
#include "agentd/reservations/pools.hpp"
#include "agentd/reservations/settings.hpp"
#include "agentd/upstream/settings.hpp"

#include <string>
#include <string_view>

namespace agentd::app {

upstream::client_settings to_upstream(const config::client_settings& c);
upstream::account_settings to_upstream(const config::account_settings& a);
control::server_settings to_server(const config::settings& s, std::string version);
// Every value is taken as configured (the option table validated it): 0 s margins stay 0 s.
reservations::settings to_reservations(const config::settings& s);
reservations::pool_settings to_pools(const config::settings& s);
// [[client]] basket_best_available, already checked by the loader to be auto|always|never.
reservations::best_available_form to_best_available_form(std::string_view mode);
mirror::settings to_mirror(const config::settings& s);

}  // namespace agentd::app
