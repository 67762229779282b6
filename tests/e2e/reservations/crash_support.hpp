// Helpers of the crash e2e test (tests/e2e/reservations): the daemon's reservations and the
// simulator's baskets and orders as plain values, and a request whose answer is never read.
// Not thread-safe: the test thread alone uses them.
#pragma once

#include "tests/support/harness.hpp"

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace agentd::test::crash {

struct reservation_view {
    std::string id, state, instance, order_id;  // order_id "null" when there is none
    std::set<std::string> seats;                 // "instance/seat"
    std::size_t seat_count = 0;                  // rows of `seats` (a duplicate would not show in the set)
    std::string total;                           // money as the API writes it; "null" when unknown
    std::string settled_by, error_code, error_message;  // "" when absent
};

// The end customer the test sends with a reservation's confirm. Derived from the reservation id,
// so an order carrying another reservation's customer is told apart from its own.
struct customer_data {
    std::string first_name, last_name, address_line1, reference;
};
customer_data customer_for(const std::string& reservation_id);
// The body of POST /v1/reservations/{id}/confirm with customer_for(id).
std::string confirm_body(const std::string& reservation_id);

// An upstream basket or order as the simulator records it.
struct sim_holding {
    std::string id, basket, account;
    std::set<std::string> seats;
    std::size_t tickets = 0;  // ticket rows
    double total = 0;
    std::optional<customer_data> customer;  // agentCustomer; nullopt when null or absent
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
// PUT /_sim/faults with one rule (a JSON object); fails the test unless the simulator takes it.
void sim_put_fault(const sim_process& sim, const std::string& rule);
// The fault set of the crash test, resembling a bad day upstream; one rule per endpoint, since
// the last rule selecting a request decides all of its faults (latency included).
void install_crash_faults(const sim_process& sim);
// "endpoint matched/fired" of each installed fault rule (GET /_sim/faults), for the report.
std::string sim_fault_counts(const sim_process& sim);
// GET /_sim/late "pending": late writes not applied yet; -1 on a bad answer.
int sim_late_pending(const sim_process& sim);
// POST /_sim/clock advance_seconds; fails the test unless the simulator takes it.
void sim_advance_clock(const sim_process& sim, int seconds);
// A state in which an upstream call may still be owed.
bool is_transient(const std::string& state);
// The reservation's history as JSON text, for failure messages.
std::string history_of(const std::string& sock, const std::string& id);
// Waits until no reservation of `client` is in flight and returns the listing; a hang fails
// the test with the histories of those still in flight.
std::vector<reservation_view> settle(const std::string& sock, const std::string& client);
// An integer from the environment (test sizes such as kill counts), else `fallback`.
int env_int(const char* name, int fallback);

}  // namespace agentd::test::crash
