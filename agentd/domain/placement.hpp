// domain/placement: what the queue worker does with an upstream failure. The worker
// classifies each failed call into a small vocabulary (no dependency on the upstream module)
// and this maps (step, class, Spektrix errorCode) to a decision; bounded retries for best
// available seats taken in between; and the verdicts after reading a basket or order back.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>

namespace agentd::domain {

// How an upstream call failed, as seen by the worker.
enum class upstream_failure {
    not_sent,   // provably not applied: nothing was sent, or a 429 refused it before any effect
    transient,  // a read failed (5xx, reset...): try again; for writes see ambiguous
    permanent,  // 400, 401, 403: refused, will not change on retry
    conflict,   // 409 with an errorCode
    not_found,  // 404: unknown id or expired basket
    timeout,    // no answer in time: may or may not have been applied
    ambiguous,  // a write was sent and failed without a definite refusal (5xx, reset,
                // truncated or unreadable answer): may have been applied
};

// Spektrix Agency errorCode values on 409 (docs/upstream-contract.md U12).
namespace upstream_code {
inline constexpr int none = 0;
inline constexpr int seat_unavailable = 20;
inline constexpr int not_on_sale_to_agents = 21;
inline constexpr int best_available_impossible = 22;
inline constexpr int already_confirmed = 100;
inline constexpr int empty_basket = 101;
}  // namespace upstream_code

enum class upstream_step { create_basket, add_tickets, confirm, release };

enum class reject_reason { unavailable, not_on_sale, not_found, refused };
std::string_view to_string(reject_reason r) noexcept;

enum class decision_kind {
    retry,                      // same step again after backoff (bounded by the caller)
    reject,                     // placing: -> rejected(reason); confirm: -> held with the error
    confirm_unknown,            // cannot be proved either way
    resolve_by_reading_back,    // read the basket (and order) back before deciding
    already_done,               // the goal already holds (e.g. clearing a basket that is gone)
    wait_for_upstream_expiry,   // clearing refused: the sliding lifetime frees the seats; record
                                // `expired` once upstream_expiry(last touch) has passed
};
std::string_view to_string(decision_kind k) noexcept;

struct failure_decision {
    decision_kind kind = decision_kind::retry;
    std::optional<reject_reason> reason;  // set for reject, and for a seat-taken retry
    friend bool operator==(const failure_decision&, const failure_decision&) = default;
};

enum class request_form { specific_seats, best_available };

// `after_read_back`: the basket was already read back once for this operation and still did
// not prove the outcome; a confirm then becomes confirm_unknown instead of reading again.
failure_decision classify_failure(upstream_step step, upstream_failure f, int error_code, request_form form,
                                  bool after_read_back = false) noexcept;

struct placement_retry_policy {
    int max_attempts = 3;  // best-available placements per reservation (first try included)
};

// After a best-available seat was taken in between (errorCode 20): retry while attempts made
// so far are below the bound, else reject with reason `unavailable`.
failure_decision after_seat_taken(int attempts_made, const placement_retry_policy& p) noexcept;

// Crash or timeout in placing, basket id known: what the basket shows.
struct place_read_back {
    bool basket_found = false;
    int tickets_in_basket = 0;
    int tickets_wanted = 0;
};
enum class place_resume {
    hold_as_is,       // every ticket is there: record placed
    add_tickets,      // empty basket: add the tickets to the same basket
    clear_and_retry,  // partial (all-or-nothing): clear the basket, then place again
    reject_gone,      // basket expired upstream: reject (never a second basket)
};
std::string_view to_string(place_resume p) noexcept;
place_resume decide_after_place_read_back(const place_read_back& rb) noexcept;

// Crash or ambiguous answer in confirming: what the order and basket show.
struct confirm_read_back {
    bool order_found = false;       // GET orders/{id} or the basket names an order
    bool basket_found = false;      // GET baskets/{id} answered 200 and is not confirmed
    int tickets_in_basket = 0;
    int tickets_held = 0;
};
enum class confirm_resume {
    record_confirmed,  // order proved: record it
    resend_confirm,    // basket still whole and unconfirmed: confirm it again (same basket)
    mark_unknown,      // anything else: confirm_unknown, reconciled by an operator
};
std::string_view to_string(confirm_resume c) noexcept;
confirm_resume decide_after_confirm_read_back(const confirm_read_back& rb) noexcept;

}  // namespace agentd::domain
