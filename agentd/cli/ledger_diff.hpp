// cli/ledger_diff: a venue's statement (CSV) matched against agentd's ledger by order id:
// orders on one side only and orders whose tickets or amounts differ. Amounts are compared
// exactly in minor units. Pure functions, thread-safe.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/error.hpp"
#include "agentd/core/money.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace agentd::cli {

// One order's figures, from either side. Ledger figures include the order's corrections.
struct order_figures {
    std::string order_id;
    std::int64_t tickets = 0;
    money total, commission, net;
};

struct order_difference {
    std::string order_id;
    order_figures statement, ledger;
    std::string what;  // "tickets 2 vs 3; net 63.90 vs 60.00" (statement vs ledger)
};

struct statement_diff {
    std::size_t matched = 0;                       // orders on both sides with equal figures
    std::vector<order_figures> missing_in_ledger;  // on the statement only
    std::vector<order_figures> missing_in_statement;  // in the ledger only
    std::vector<order_difference> differences;
    std::vector<std::string> ledger_without_order_id;  // reservations sold without an order id
    bool clean() const noexcept {
        return missing_in_ledger.empty() && missing_in_statement.empty() && differences.empty();
    }
};

// The statement's rows by the configured column names. errc::invalid_argument naming the
// column or the line for a missing column, a repeated order id or an amount that is not exact
// decimal money.
result<std::vector<order_figures>> read_statement(std::string_view csv, const api::statement_columns& cols);

// The ledger's orders: sales by order id with their corrections added. errc::invalid_argument
// for an amount that is not decimal money.
result<statement_diff> diff_statement(const std::vector<order_figures>& statement, const api::ledger_entries& ledger);

}  // namespace agentd::cli
