// upstream/client: what sync and reservations need from a venue's Spektrix Agency API, one
// instance per (venue client, agent account). Owned by its consumers; the Spektrix
// implementation is in spektrix_client.hpp, a fake in tests/support/fake_upstream.hpp.
//
// Contract for every method:
// - Returns a value or a `failure` whose class says what to do (failure.hpp); never throws
//   for expected outcomes, never hides a 4xx as success.
// - Retries transient failures (timeouts, resets, 5xx, 429) with jittered capped backoff only
//   when `call_options::retry_safe` allows it (default: GETs yes, writes no), and never past
//   `call_options::deadline`. A write that failed ambiguously (timeout, reset, 5xx) may have
//   been applied upstream: the caller reconciles by reading the basket back.
// - Every id given (for a path, a query or a body) must pass valid_upstream_id (ids.hpp);
//   otherwise the call fails at once, before anything is signed or sent, with class
//   permanent and `invalid_argument` set. Ids in answers pass the same rule or the answer is
//   a decode failure.
// - Cancellation of the awaiting coroutine ends the call with class `cancelled` (or returns
//   the result it already has); the connection in use is then discarded.
// Threading: io_context thread only; calls may run concurrently on that thread.
#pragma once

#include "agentd/upstream/call_options.hpp"
#include "agentd/upstream/failure.hpp"
#include "agentd/upstream/types.hpp"

#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>
#include <vector>

namespace agentd::upstream {

template <class T>
using call = boost::asio::awaitable<result<T>>;

class client {
public:
    virtual ~client() = default;

    // Catalogue. `from`/`to` are "YYYY-MM-DD" (instanceStart_from / _to, start_from / start_to).
    virtual call<std::vector<event>> list_events(date_text from, date_text to, call_options o = {}) = 0;
    virtual call<event> get_event(std::string id, call_options o = {}) = 0;
    virtual call<std::vector<instance>> list_instances(std::string event_id, date_text from, date_text to,
                                                       call_options o = {}) = 0;
    virtual call<instance> get_instance(std::string id, call_options o = {}) = 0;
    virtual call<price_list> get_price_list(std::string instance_id, call_options o = {}) = 0;
    virtual call<plan> get_plan(std::string instance_id, call_options o = {}) = 0;

    // Availability. get_instance_status asks for lock information and child plans (areas[]).
    virtual call<instance_status> get_instance_status(std::string instance_id, call_options o = {}) = 0;
    virtual call<instance_status> get_area_status(std::string instance_id, std::string area_id, call_options o = {}) = 0;
    // A 404 (endpoint switched off upstream) is class not_found.
    virtual call<std::vector<seat_status>> get_seat_status(std::string instance_id, call_options o = {}) = 0;
    virtual call<std::vector<best_seat>> best_available(std::string instance_id, int quantity,
                                                        std::optional<std::string> band_id = std::nullopt,
                                                        std::optional<std::string> area_id = std::nullopt,
                                                        call_options o = {}) = 0;

    // Baskets and orders.
    virtual call<basket> create_basket(call_options o = {}) = 0;
    virtual call<basket> get_basket(std::string id, call_options o = {}) = 0;
    virtual call<basket> set_agent_customer(std::string basket_id, agent_customer c, call_options o = {}) = 0;
    // A modifying call that changes nothing (PATCH with an empty object): restarts a sliding
    // basket lifetime without sending any customer data.
    virtual call<basket> touch_basket(std::string basket_id, call_options o = {}) = 0;
    // The answer's tickets must be the asked ones (answer_check.hpp), else class decode: the
    // add may have been applied, so callers read the basket back as for any ambiguous write.
    virtual call<std::vector<ticket>> add_tickets(std::string basket_id, std::vector<new_ticket> tickets,
                                                  call_options o = {}) = 0;
    // POST baskets/{id}/tickets/best-available: upstream chooses the seats and adds them in one
    // write, so placements of ours running side by side are never offered the same block (the
    // query form offers every one of them the best block; all but one then conflict). The
    // answer must be `quantity` seated tickets of that instance and type, else class decode.
    // Some venues answer errorCode 22 ("not possible") where the query form works.
    virtual call<std::vector<ticket>> add_best_available(std::string basket_id, std::string instance_id, int quantity,
                                                         std::string type_id, std::optional<std::string> band_id,
                                                         call_options o = {}) = 0;
    virtual call<void> remove_tickets(std::string basket_id, std::vector<std::string> ticket_ids, call_options o = {}) = 0;
    virtual call<void> clear_basket(std::string basket_id, call_options o = {}) = 0;
    virtual call<order> confirm_basket(std::string basket_id, call_options o = {}) = 0;
    virtual call<order> get_order(std::string order_id, call_options o = {}) = 0;
};

}  // namespace agentd::upstream
