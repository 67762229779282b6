// Helpers of the crash e2e test (tests/e2e/reservations): the daemon's reservations and the
// simulator's baskets and orders as plain values, and a request whose answer is never read.
// Not thread-safe: the test thread alone uses them.
#pragma once

#include "tests/support/harness.hpp"

#include <set>
#include <string>
#include <vector>

namespace agentd::test::crash {

struct reservation_view {
    std::string id, state, instance, order_id;
    std::set<std::string> seats;  // "instance/seat"
};

// An upstream basket or order as the simulator records it: its id and its seats.
struct sim_holding {
    std::string id, basket, account;
    std::set<std::string> seats;
};

// Writes one request on a fresh connection and returns the open descriptor without reading the
// answer, so a kill can land while the daemon handles it. -1 when the connection fails.
int send_unanswered(const std::string& sock, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& header);
// Ids of the client's instances on sale and not cancelled, in the mirror's order.
std::vector<std::string> on_sale_instances(const std::string& sock, const std::string& client);
// Every reservation of the client (GET /v1/reservations?client=); fails the test on a bad answer.
std::vector<reservation_view> list_reservations(const std::string& sock, const std::string& client);
// GET /_sim/{what}?client= for "orders" or "baskets"; fails the test on a bad answer.
std::vector<sim_holding> sim_list(const sim_process& sim, const std::string& what, const std::string& client);
// A state in which an upstream call may still be owed.
bool is_transient(const std::string& state);
// The reservation's history as JSON text, for failure messages.
std::string history_of(const std::string& sock, const std::string& id);

}  // namespace agentd::test::crash
