// domain/reservation: the reservation state machine (docs/architecture.md). A pure
// function maps (record, event, now) to the next record; the store persists each outcome as
// one transaction and the queue worker turns upstream answers into events. Also says which
// states have an upstream call in flight and how each is recovered after a crash.
// Pure values and functions: thread-safe, no I/O, time is passed in.
//
// Choices the state diagram alone does not show:
// - Expiry clears the basket through `releasing` (crash-safe: the clear is an upstream call
//   in flight) and ends `expired`; held -> expired directly when the basket is found gone.
// - A retryable placing failure goes back to `queued` keeping its basket; a permanent one
//   ends `rejected` with the reason. Cancelling a reservation that has a basket always goes
//   through `releasing`, so the basket is cleared.
// - Confirming has two halves. Before `confirm_sent_at` is stored nothing can have been sold:
//   a refusal goes back to `held` (the hold stands), a basket found gone ends `expired`, a
//   basket found changed is released. Once `confirm_sent_at` is stored (durably, before the
//   confirm's first byte leaves) the reservation never returns to `held`: it ends `confirmed`
//   (order recorded, or the sale proven by "already confirmed"), `released` (proven not sold,
//   e.g. "empty basket") or `confirm_unknown`.
// - confirm_unknown is not terminal: an operator settles it (resolve_sold -> confirmed,
//   resolve_not_sold -> releasing -> released, so the basket is cleared). Never placed again.
// - Cancel while placing is deferred (cancel_pending, see follow_up), so the diagram's edges
//   stay exact and no second upstream call races the one in flight.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/core/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentd::domain {

enum class reservation_state {
    queued,
    placing,
    held,
    confirming,
    confirmed,
    confirm_unknown,
    rejected,
    cancelled,
    releasing,
    released,
    expired,
};

inline constexpr reservation_state k_all_reservation_states[] = {
    reservation_state::queued,    reservation_state::placing,         reservation_state::held,
    reservation_state::confirming, reservation_state::confirmed,      reservation_state::confirm_unknown,
    reservation_state::rejected,  reservation_state::cancelled,       reservation_state::releasing,
    reservation_state::released,  reservation_state::expired,
};

std::string_view to_string(reservation_state s) noexcept;
result<reservation_state> parse_reservation_state(std::string_view text);

// No event leaves these states. confirm_unknown is not terminal: reconciliation may still
// prove the order (-> confirmed) or prove that nothing was applied (-> released).
bool is_terminal(reservation_state s) noexcept;

// States in which an upstream call may have been sent without its answer recorded.
bool is_in_flight_upstream(reservation_state s) noexcept;

// Why seats are being released: the answer reported once the basket is cleared.
enum class release_cause { none, channel, expiry, failure };
std::string_view to_string(release_cause c) noexcept;
result<release_cause> parse_release_cause(std::string_view text);

struct held_seat {
    std::string seat;         // upstream seat id
    std::string ticket_type;  // upstream ticket type id
    std::string ticket_id;    // upstream ticket id in the basket (for removal), may be empty
    money price;
    std::string barcode;      // set once confirmed
};

// One ticket of an order as upstream answered it, for the sales ledger: face value (`price`),
// the agent's commission (`agentDiscount`) and what is owed to the venue (`total` less the
// commission). Amounts are never recomputed from the price list.
// What the agent owes the venue for one ticket. Whether the order's `total` already has the
// agent discount taken off is the venue's (unknown) convention, a per-client setting.
inline money net_owed(money total, money agent_discount, bool total_is_net) {
    return total_is_net ? total : total - agent_discount;
}

struct order_line {
    std::string ticket_id;
    std::string seat;
    std::string ticket_type;
    money face;
    money commission;
    money net;
};

struct end_customer {
    std::string first_name;
    std::string last_name;
    std::string address_line1;
    std::string reference;
};

// The durable record the state machine reads and rewrites. Identity, channel, client and the
// request itself live alongside it in the store; they never change after creation.
struct reservation {
    reservation_state state = reservation_state::queued;
    std::uint64_t version = 1;  // 1 when created (queued); +1 on every transition
    sys_time created_at{};
    sys_time updated_at{};
    std::string basket_id;                  // stored before any ticket is added
    int place_attempts = 0;                 // incremented on every place_started
    std::vector<held_seat> seats;
    money total;
    std::optional<sys_time> expires_at;     // local hold deadline (domain/hold.hpp)
    std::optional<sys_time> basket_created_at;    // send time of the basket's creation
    std::optional<sys_time> last_upstream_touch;  // send time of the last applied modifying call
    std::optional<end_customer> customer;
    std::optional<sys_time> confirm_sent_at;  // stored before the first confirm byte leaves
    std::string order_id;     // empty when the sale was proven without its order
    std::string settled_by;   // how the outcome was established: upstream_order, already_confirmed, operator
    std::string order_mismatch;  // how the order differs from the hold ("" when it matches or is unread)
    // Set only by the transition that records an order, for the ledger entry written with it;
    // not stored with the reservation (a reloaded record has none).
    std::vector<order_line> order_lines{};
    release_cause releasing_for = release_cause::none;
    bool cancel_pending = false;  // cancel asked while placing: release as soon as it is held
    std::string reason;      // why rejected / why confirm_unknown (terminal explanation)
    std::string last_error;  // latest non-fatal failure, e.g. a refused confirm back in held
};

// A fresh reservation as accepted from a channel.
reservation make_reservation(sys_time now);

// Field limits of a confirm request: reference 1-128 characters, customer names and address
// line required and at most 256 each. errc::invalid_argument naming the field otherwise.
result<void> validate_confirm(const end_customer& c);

namespace ev {
struct place_started {};  // worker takes it off the queue
struct basket_created {    // before tickets are added
    std::string basket_id;
    sys_time sent_at;      // when the create was sent
};
struct placed {
    std::vector<held_seat> seats;
    sys_time deadline;    // local hold deadline
    sys_time touched_at;  // send time of the last call known applied to the basket
};
struct place_failed {
    std::string reason;
    bool retryable = false;  // true: back to queued (basket kept); false: rejected
};
struct confirm_requested { end_customer customer; };
// The basket was proven to hold exactly the held tickets and the customer; the confirm is
// about to be sent. Stored durably first: from here on the sale may exist upstream.
struct confirm_sending {};
struct confirmed {
    std::string order_id;               // empty: proven sold ("already confirmed") without the order
    std::vector<std::string> barcodes;  // by seat order; may be empty or shorter
    std::string settled_by = "upstream_order";
    std::string mismatch;               // order differs from the hold (recorded, never hidden)
    std::vector<order_line> lines{};    // the order's tickets; empty when the order was not read
};
struct confirm_ambiguous { std::string reason; };
// Upstream refused the confirm before it was sent (e.g. 400 on the customer): the hold stays,
// the error is recorded for the channel. Refused once confirm_sent_at is set.
struct confirm_failed_permanent { std::string reason; };
// Confirming, not yet sent: the basket lost held tickets (or cannot be made exact); it is
// cleared and the reservation ends released with the reason. After sending: proven not sold.
struct confirm_abandoned { std::string reason; };
// The basket is gone upstream (404) while nothing can have been sold: ends expired.
struct basket_gone { std::string reason; };
// An operator settles a confirm_unknown from the venue's records.
struct resolve_sold { std::string order_id; std::string note; };
struct resolve_not_sold { std::string note; };
struct release_requested {};  // DELETE of a held reservation
struct released {};           // basket cleared upstream (or proved empty)
// Local deadline reached: start clearing the basket. `measured` says the caller measured the
// deadline on a monotonic clock (the wall clock may have been stepped back since).
struct expiry_due { bool measured = false; };
struct expired {};            // the upstream basket is known gone (404)
// DELETE: queued -> cancelled; held -> releasing; placing -> stays placing with
// cancel_pending set, the upstream call in flight finishes, and follow_up() then asks for the
// release (held) or the cancel (requeued).
struct cancel_requested {};
struct extend_requested {  // after the upstream touch succeeded
    sys_time new_deadline;
    sys_time touched_at;  // send time of the touch
};
// A channel takes a pool's ready hold (docs/pools.md): held -> held, owned by `channel` from
// now on. The hold must still have time left; created_at becomes the draw time, so max_hold
// and the channel's view count from when it was given the seats (history keeps the fill).
struct drawn {
    std::string channel;
    std::string pool;
};
// A do-not-transact window is coming and would stop the release of this hold: its deadline
// moves earlier (window_schedule.hpp, clipped_deadline), so it ends while writes still go.
struct deadline_clipped {
    sys_time new_deadline;
    std::string window;  // the window's name, for the history
};
}  // namespace ev

using event = std::variant<ev::place_started, ev::basket_created, ev::placed, ev::place_failed,
                           ev::confirm_requested, ev::confirm_sending, ev::confirmed, ev::confirm_ambiguous,
                           ev::confirm_failed_permanent, ev::confirm_abandoned, ev::basket_gone,
                           ev::release_requested, ev::released, ev::expiry_due, ev::expired,
                           ev::cancel_requested, ev::extend_requested, ev::resolve_sold, ev::resolve_not_sold,
                           ev::drawn, ev::deadline_clipped>;

// Verb used in messages and history rows: "place", "confirm", "release", ...
std::string_view event_name(const event& e) noexcept;

struct transition_outcome {
    reservation next;
    reservation_state from;
    reservation_state to;
    std::string_view event;  // event_name()
};

// The one rule: legal events produce the next record (version + 1, updated_at = now);
// illegal ones fail with errc::conflict "<verb> reservation in state <s>: not allowed" (or a
// more specific cause), and malformed events with errc::invalid_argument.
result<transition_outcome> transition(const reservation& r, const event& e, sys_time now);

// The event the worker must apply next without any upstream call, if any: a pending cancel
// once placing has ended in held (release_requested) or back in queued (cancel_requested).
std::optional<event> follow_up(const reservation& r);

enum class recovery_action {
    nothing,            // no upstream call can be pending; the normal loops carry on
    resume_placing,     // placing without a basket id: nothing upstream to find; place again
    read_basket_back,   // placing/confirming with a basket: read it (and the order) to decide
    clear_basket,       // releasing: clearing is idempotent, do it again
    mark_confirm_unknown,  // confirming without a basket: cannot be proved either way
};

std::string_view to_string(recovery_action a) noexcept;

// What to do at start-up for a record found in `s` after a crash.
recovery_action recovery_action_for(reservation_state s, bool has_basket) noexcept;

}  // namespace agentd::domain
