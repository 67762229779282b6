#include "agentd/domain/reservation.hpp"

#include <algorithm>
#include <utility>

namespace agentd::domain {

namespace {

using rs = reservation_state;

constexpr std::string_view k_state_names[] = {
    "queued", "placing", "held", "confirming", "confirmed", "confirm_unknown",
    "rejected", "cancelled", "releasing", "released", "expired",
};

error not_allowed(std::string_view verb, rs s) {
    return fail(errc::conflict,
                std::string(verb) + " reservation in state " + std::string(to_string(s)) + ": not allowed");
}

struct stepper {
    const reservation& r;
    sys_time now;

    result<transition_outcome> to(reservation next, rs target, std::string_view verb) const {
        next.state = target;
        next.version = r.version + 1;
        next.updated_at = now;
        return transition_outcome{std::move(next), r.state, target, verb};
    }

    result<transition_outcome> operator()(const ev::place_started&) const {
        if (r.state != rs::queued) return not_allowed("place", r.state);
        reservation n = r;
        ++n.place_attempts;
        n.last_error.clear();
        return to(std::move(n), rs::placing, "place");
    }

    result<transition_outcome> operator()(const ev::basket_created& e) const {
        if (r.state != rs::placing) return not_allowed("record basket for", r.state);
        if (e.basket_id.empty()) return fail(errc::invalid_argument, "record basket: basket_id is empty");
        // One basket per reservation: a second, different id means the worker lost track.
        if (!r.basket_id.empty() && r.basket_id != e.basket_id)
            return fail(errc::conflict, "record basket " + e.basket_id + ": reservation already has basket " +
                                            r.basket_id);
        reservation n = r;
        n.basket_id = e.basket_id;
        if (!n.basket_created_at) n.basket_created_at = e.sent_at;
        n.last_upstream_touch = e.sent_at;
        return to(std::move(n), rs::placing, "record basket for");
    }

    result<transition_outcome> operator()(const ev::placed& e) const {
        if (r.state != rs::placing) return not_allowed("hold", r.state);
        if (r.basket_id.empty()) return fail(errc::conflict, "hold reservation: no basket recorded");
        if (e.seats.empty()) return fail(errc::invalid_argument, "hold reservation: no seats");
        if (e.deadline <= now) return fail(errc::invalid_argument, "hold reservation: deadline is not in the future");
        reservation n = r;
        n.seats = e.seats;
        n.total = money{};
        for (const auto& s : e.seats) n.total = n.total + s.price;
        n.expires_at = e.deadline;
        n.last_upstream_touch = std::max(e.touched_at, r.last_upstream_touch.value_or(e.touched_at));
        n.last_error.clear();
        return to(std::move(n), rs::held, "hold");
    }

    result<transition_outcome> operator()(const ev::place_failed& e) const {
        if (r.state != rs::placing) return not_allowed("fail placing of", r.state);
        reservation n = r;
        if (e.retryable) {
            n.last_error = e.reason;
            return to(std::move(n), rs::queued, "requeue");
        }
        n.reason = e.reason.empty() ? "rejected" : e.reason;
        return to(std::move(n), rs::rejected, "reject");
    }

    result<transition_outcome> operator()(const ev::confirm_requested& e) const {
        if (r.state != rs::held) return not_allowed("confirm", r.state);
        // A release acknowledged while placing runs once the hold lands: it wins.
        if (r.cancel_pending) return fail(errc::conflict, "confirm reservation: a release was already acknowledged");
        if (r.expires_at && now >= *r.expires_at)
            return fail(errc::conflict, "confirm reservation: hold deadline has passed");
        if (auto ok = validate_confirm(e.customer); !ok) return ok.error();
        reservation n = r;
        n.customer = e.customer;
        n.last_error.clear();
        return to(std::move(n), rs::confirming, "confirm");
    }

    result<transition_outcome> operator()(const ev::confirm_sending&) const {
        if (r.state != rs::confirming) return not_allowed("send confirm of", r.state);
        reservation n = r;
        if (!n.confirm_sent_at) n.confirm_sent_at = now;
        return to(std::move(n), rs::confirming, "send confirm of");
    }

    result<transition_outcome> operator()(const ev::confirmed& e) const {
        if (r.state != rs::confirming && r.state != rs::confirm_unknown) return not_allowed("record order for", r.state);
        if (!r.confirm_sent_at) return fail(errc::conflict, "record order: the confirm was never marked as sent");
        if (e.order_id.empty() && e.settled_by != "already_confirmed")
            return fail(errc::invalid_argument, "record order: order_id is empty");
        if (e.barcodes.size() > r.seats.size())
            return fail(errc::invalid_argument, "record order: more barcodes than seats");
        reservation n = r;
        n.order_id = e.order_id;
        n.settled_by = e.settled_by;
        n.order_mismatch = e.mismatch;
        n.order_lines = e.lines;
        for (std::size_t i = 0; i < e.barcodes.size(); ++i) n.seats[i].barcode = e.barcodes[i];
        n.reason.clear();
        n.last_error.clear();
        n.expires_at.reset();  // an order has no hold deadline
        return to(std::move(n), rs::confirmed, "record order for");
    }

    result<transition_outcome> operator()(const ev::confirm_ambiguous& e) const {
        if (r.state != rs::confirming) return not_allowed("mark confirm unknown for", r.state);
        reservation n = r;
        n.reason = e.reason.empty() ? "confirm outcome could not be proved" : e.reason;
        return to(std::move(n), rs::confirm_unknown, "mark confirm unknown for");
    }

    result<transition_outcome> operator()(const ev::confirm_failed_permanent& e) const {
        if (r.state != rs::confirming) return not_allowed("refuse confirm of", r.state);
        if (r.confirm_sent_at)
            return fail(errc::conflict, "refuse confirm: the confirm was sent; only proof or an operator settles it");
        reservation n = r;
        n.last_error = e.reason.empty() ? "confirm refused upstream" : e.reason;
        return to(std::move(n), rs::held, "refuse confirm of");
    }

    result<transition_outcome> operator()(const ev::confirm_abandoned& e) const {
        if (r.state != rs::confirming) return not_allowed("abandon confirm of", r.state);
        reservation n = r;
        n.reason = e.reason.empty() ? "confirm abandoned" : e.reason;
        n.releasing_for = release_cause::failure;
        n.cancel_pending = false;
        return to(std::move(n), rs::releasing, "abandon confirm of");
    }

    result<transition_outcome> operator()(const ev::basket_gone& e) const {
        if (r.state != rs::confirming && r.state != rs::held) return not_allowed("record lost basket of", r.state);
        if (r.confirm_sent_at)
            return fail(errc::conflict, "record lost basket: the confirm was sent; a 404 does not prove it unsold");
        reservation n = r;
        n.reason = e.reason.empty() ? "basket expired upstream" : e.reason;
        n.expires_at.reset();
        return to(std::move(n), rs::expired, "record lost basket of");
    }

    result<transition_outcome> operator()(const ev::resolve_sold& e) const {
        if (r.state != rs::confirm_unknown) return not_allowed("resolve as sold", r.state);
        if (e.order_id.empty()) return fail(errc::invalid_argument, "resolve reservation: order id is required");
        reservation n = r;
        n.order_id = e.order_id;
        n.settled_by = "operator";
        n.reason = e.note;
        n.expires_at.reset();
        return to(std::move(n), rs::confirmed, "resolve as sold");
    }

    result<transition_outcome> operator()(const ev::resolve_not_sold& e) const {
        if (r.state != rs::confirm_unknown) return not_allowed("resolve as not sold", r.state);
        reservation n = r;
        n.settled_by = "operator";
        n.reason = e.note.empty() ? "settled by an operator: not sold" : e.note;
        n.releasing_for = release_cause::failure;
        return to(std::move(n), rs::releasing, "resolve as not sold");
    }

    result<transition_outcome> start_release(release_cause cause, std::string_view verb) const {
        reservation n = r;
        n.releasing_for = cause;
        n.cancel_pending = false;
        return to(std::move(n), rs::releasing, verb);
    }

    result<transition_outcome> operator()(const ev::release_requested&) const {
        if (r.state != rs::held) return not_allowed("release", r.state);
        return start_release(release_cause::channel, "release");
    }

    result<transition_outcome> operator()(const ev::cancel_requested&) const {
        // A requeued reservation may carry a basket with tickets in it: clear it.
        if (r.state == rs::queued && !r.basket_id.empty()) return start_release(release_cause::channel, "cancel");
        if (r.state == rs::queued) {
            reservation n = r;
            n.cancel_pending = false;
            return to(std::move(n), rs::cancelled, "cancel");
        }
        if (r.state == rs::held) return start_release(release_cause::channel, "cancel");
        if (r.state == rs::placing) {
            if (r.cancel_pending) return fail(errc::conflict, "cancel reservation: a cancel is already pending");
            reservation n = r;
            n.cancel_pending = true;
            return to(std::move(n), rs::placing, "cancel");
        }
        return not_allowed("cancel", r.state);
    }

    result<transition_outcome> operator()(const ev::expiry_due& e) const {
        if (r.state != rs::held) return not_allowed("expire", r.state);
        if (!e.measured && (!r.expires_at || now < *r.expires_at))
            return fail(errc::conflict, "expire reservation: hold deadline not reached");
        return start_release(release_cause::expiry, "expire");
    }

    result<transition_outcome> operator()(const ev::released&) const {
        if (r.state == rs::releasing)
            return to(r, r.releasing_for == release_cause::expiry ? rs::expired : rs::released, "record release of");
        return not_allowed("record release of", r.state);
    }

    result<transition_outcome> operator()(const ev::expired&) const {
        if (r.state == rs::held) return to(r, rs::expired, "record expiry of");
        if (r.state == rs::releasing)
            return to(r, r.releasing_for == release_cause::channel ? rs::released : rs::expired, "record expiry of");
        return not_allowed("record expiry of", r.state);
    }

    result<transition_outcome> operator()(const ev::extend_requested& e) const {
        if (r.state != rs::held) return not_allowed("extend", r.state);
        if (r.expires_at && now >= *r.expires_at)
            return fail(errc::conflict, "extend reservation: hold deadline has passed");
        if (e.new_deadline <= now) return fail(errc::invalid_argument, "extend reservation: deadline is not in the future");
        reservation n = r;
        n.expires_at = e.new_deadline;
        n.last_upstream_touch = std::max(e.touched_at, r.last_upstream_touch.value_or(e.touched_at));
        return to(std::move(n), rs::held, "extend");
    }

    result<transition_outcome> operator()(const ev::drawn& e) const {
        if (r.state != rs::held) return not_allowed("draw", r.state);
        if (r.cancel_pending) return fail(errc::conflict, "draw reservation: a release is pending");
        if (!r.expires_at || now >= *r.expires_at) return fail(errc::conflict, "draw reservation: hold deadline has passed");
        if (e.channel.empty() || e.pool.empty()) return fail(errc::invalid_argument, "draw reservation: channel and pool are required");
        reservation n = r;
        n.created_at = now;
        return to(std::move(n), rs::held, "draw");
    }

    result<transition_outcome> operator()(const ev::deadline_clipped& e) const {
        if (r.state != rs::held) return not_allowed("clip deadline of", r.state);
        if (r.expires_at && e.new_deadline >= *r.expires_at)
            return fail(errc::conflict, "clip deadline of reservation: the hold already ends by then");
        reservation n = r;
        n.expires_at = e.new_deadline;
        return to(std::move(n), rs::held, "clip deadline of");
    }
};

struct namer {
    std::string_view operator()(const ev::place_started&) const { return "place"; }
    std::string_view operator()(const ev::basket_created&) const { return "record basket for"; }
    std::string_view operator()(const ev::placed&) const { return "hold"; }
    std::string_view operator()(const ev::place_failed&) const { return "fail placing of"; }
    std::string_view operator()(const ev::confirm_requested&) const { return "confirm"; }
    std::string_view operator()(const ev::confirm_sending&) const { return "send confirm of"; }
    std::string_view operator()(const ev::confirm_abandoned&) const { return "abandon confirm of"; }
    std::string_view operator()(const ev::basket_gone&) const { return "record lost basket of"; }
    std::string_view operator()(const ev::resolve_sold&) const { return "resolve as sold"; }
    std::string_view operator()(const ev::resolve_not_sold&) const { return "resolve as not sold"; }
    std::string_view operator()(const ev::confirmed&) const { return "record order for"; }
    std::string_view operator()(const ev::confirm_ambiguous&) const { return "mark confirm unknown for"; }
    std::string_view operator()(const ev::confirm_failed_permanent&) const { return "refuse confirm of"; }
    std::string_view operator()(const ev::release_requested&) const { return "release"; }
    std::string_view operator()(const ev::released&) const { return "record release of"; }
    std::string_view operator()(const ev::expiry_due&) const { return "expire"; }
    std::string_view operator()(const ev::expired&) const { return "record expiry of"; }
    std::string_view operator()(const ev::cancel_requested&) const { return "cancel"; }
    std::string_view operator()(const ev::extend_requested&) const { return "extend"; }
    std::string_view operator()(const ev::drawn&) const { return "draw"; }
    std::string_view operator()(const ev::deadline_clipped&) const { return "clip deadline of"; }
};

}  // namespace

std::string_view to_string(reservation_state s) noexcept {
    auto i = static_cast<std::size_t>(s);
    return i < std::size(k_state_names) ? k_state_names[i] : std::string_view("unknown");
}

result<reservation_state> parse_reservation_state(std::string_view text) {
    for (std::size_t i = 0; i < std::size(k_state_names); ++i)
        if (k_state_names[i] == text) return static_cast<reservation_state>(i);
    return fail(errc::invalid_argument, "parse reservation state: unknown state '" +
                                            std::string(text.substr(0, 40)) + "'");
}

std::string_view to_string(release_cause c) noexcept {
    switch (c) {
    case release_cause::none: return "none";
    case release_cause::channel: return "channel";
    case release_cause::expiry: return "expiry";
    case release_cause::failure: return "failure";
    }
    return "unknown";
}

result<release_cause> parse_release_cause(std::string_view text) {
    for (auto c : {release_cause::none, release_cause::channel, release_cause::expiry, release_cause::failure})
        if (to_string(c) == text) return c;
    return fail(errc::invalid_argument, "parse release cause: unknown cause '" + std::string(text.substr(0, 40)) + "'");
}

bool is_terminal(reservation_state s) noexcept {
    switch (s) {
    case rs::confirmed:
    case rs::rejected:
    case rs::cancelled:
    case rs::released:
    case rs::expired:
        return true;
    default:
        return false;
    }
}

bool is_in_flight_upstream(reservation_state s) noexcept {
    return s == rs::placing || s == rs::confirming || s == rs::releasing;
}

result<void> validate_confirm(const end_customer& c) {
    if (c.reference.empty() || c.reference.size() > 128)
        return fail(errc::invalid_argument, "confirm reservation: reference must be 1-128 characters");
    if (c.first_name.empty() || c.last_name.empty() || c.address_line1.empty())
        return fail(errc::invalid_argument,
                    "confirm reservation: customer firstName, lastName and addressLine1 are required");
    for (const auto* f : {&c.first_name, &c.last_name, &c.address_line1})
        if (f->size() > 256) return fail(errc::invalid_argument, "confirm reservation: customer field too long (max 256)");
    return {};
}

reservation make_reservation(sys_time now) {
    reservation r;
    r.created_at = now;
    r.updated_at = now;
    return r;
}

std::optional<event> follow_up(const reservation& r) {
    if (!r.cancel_pending) return std::nullopt;
    if (r.state == rs::queued) return event{ev::cancel_requested{}};
    if (r.state == rs::held) return event{ev::release_requested{}};
    return std::nullopt;
}

std::string_view event_name(const event& e) noexcept { return std::visit(namer{}, e); }

result<transition_outcome> transition(const reservation& r, const event& e, sys_time now) {
    return std::visit(stepper{r, now}, e);
}

std::string_view to_string(recovery_action a) noexcept {
    switch (a) {
    case recovery_action::nothing: return "nothing";
    case recovery_action::resume_placing: return "resume_placing";
    case recovery_action::read_basket_back: return "read_basket_back";
    case recovery_action::clear_basket: return "clear_basket";
    case recovery_action::mark_confirm_unknown: return "mark_confirm_unknown";
    }
    return "unknown";
}

recovery_action recovery_action_for(reservation_state s, bool has_basket) noexcept {
    switch (s) {
    case rs::placing:
        return has_basket ? recovery_action::read_basket_back : recovery_action::resume_placing;
    case rs::confirming:
        return has_basket ? recovery_action::read_basket_back : recovery_action::mark_confirm_unknown;
    case rs::releasing:
        return has_basket ? recovery_action::clear_basket : recovery_action::nothing;
    default:
        return recovery_action::nothing;
    }
}

}  // namespace agentd::domain
