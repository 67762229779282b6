// cli/exit_codes: agentctl's documented process exit codes and how errors map onto them.
// Thread-safe: constants and pure functions.
#pragma once

#include "agentd/core/error.hpp"

namespace agentd::cli {

enum exit_code : int {
    exit_ok = 0,
    exit_failure = 1,       // anything else (timeout, I/O, daemon-side failure)
    exit_usage = 2,         // bad command line, or the daemon refused the arguments (400/422)
    exit_not_running = 3,   // socket missing or connection refused
    exit_permission = 4,    // socket not permitted (EACCES) or API 403
    exit_not_found = 5,     // 404: no such client, instance or reservation
    exit_conflict = 6,      // 409, or a reservation that ended rejected/expired/cancelled
    exit_config = 7,        // `config check` found the file invalid
    exit_db = 8,            // `db check` found problems (or the database cannot be opened)
    exit_differences = 9,   // `ledger diff` found differences between a statement and the ledger
};

// The exit code for an HTTP status of an error answer.
constexpr int exit_for_status(int status) noexcept {
    switch (status) {
    case 400: case 422: return exit_usage;
    case 403: return exit_permission;
    case 404: return exit_not_found;
    case 409: return exit_conflict;
    default: return exit_failure;
    }
}

// The exit code for a local error value.
constexpr int exit_for(errc c) noexcept {
    switch (c) {
    case errc::invalid_argument: case errc::decode_error: return exit_usage;
    case errc::permission_denied: case errc::auth_failed: return exit_permission;
    case errc::not_found: return exit_not_found;
    case errc::conflict: return exit_conflict;
    case errc::config_error: return exit_config;
    case errc::corrupt: return exit_db;
    default: return exit_failure;
    }
}

inline constexpr const char* k_exit_codes_help =
    "Exit codes:\n"
    "  0  ok\n"
    "  1  failure (timeout, I/O error, daemon-side error)\n"
    "  2  usage error (bad command line, or the daemon refused the arguments)\n"
    "  3  agentd is not running (socket missing or connection refused)\n"
    "  4  permission denied (socket not accessible, or the API answered 403)\n"
    "  5  not found (no such client, instance or reservation)\n"
    "  6  conflict or rejected (state forbids it; hold rejected, expired or cancelled)\n"
    "  7  configuration invalid (config check)\n"
    "  8  database check failed (db check) or database unreadable\n"
    "  9  differences found (ledger diff)\n";

}  // namespace agentd::cli
