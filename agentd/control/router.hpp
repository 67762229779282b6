// control/router: the route table of the local API and a pure matcher from (method, path) to a
// route and its path parameters, plus query-string parsing. The table is the single list of
// routes: the server dispatches on it and a test checks that docs/local-api.md documents each.
// Pure, thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::control {

enum class route_id {
    health, clients, events, instances, instance, seats,
    create_reservation, get_reservation, list_reservations, reservation_history,
    confirm_reservation, extend_reservation, release_reservation,
    feed, metrics, admin_sync, admin_reconcile, admin_resolve,
    ledger, ledger_entries, pools,
    seat_map_svg,
};

struct route_def {
    route_id id;
    std::string_view method;
    std::string_view pattern;  // "{x}" matches one non-empty path segment
    bool admin_only = false;
    bool has_body = false;     // expects a JSON body
};

std::span<const route_def> routes() noexcept;

struct route_match {
    enum class outcome { found, no_path, bad_method } result = outcome::no_path;
    const route_def* route = nullptr;
    std::vector<std::string> params;  // path parameters in pattern order, percent-decoded
    std::string allow;                // for bad_method: "GET, POST"
};

// `path` excludes the query string.
route_match match_route(std::string_view method, std::string_view path);

// Splits "a=1&b=x%20y" into decoded pairs; nullopt on bad percent-encoding.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view query);
std::optional<std::string> percent_decode(std::string_view s);

}  // namespace agentd::control
