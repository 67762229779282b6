#include "agentd/domain/placement.hpp"

namespace agentd::domain {

namespace {

failure_decision decide(decision_kind k) { return {k, std::nullopt}; }
failure_decision reject(reject_reason r) { return {decision_kind::reject, r}; }

failure_decision classify_place(upstream_step step, upstream_failure f, int code, request_form form) {
    switch (f) {
    case upstream_failure::not_sent:
    case upstream_failure::transient:
        return decide(decision_kind::retry);
    case upstream_failure::timeout:
    case upstream_failure::ambiguous:
        // An unknown basket id holds nothing we can find again and expires on its own; tickets
        // possibly added to our recorded basket must be read back, never added twice.
        return decide(step == upstream_step::create_basket ? decision_kind::retry
                                                           : decision_kind::resolve_by_reading_back);
    case upstream_failure::conflict:
        switch (code) {
        case upstream_code::seat_unavailable:
            if (form == request_form::best_available)
                return {decision_kind::retry, reject_reason::unavailable};  // bounded by after_seat_taken
            return reject(reject_reason::unavailable);
        case upstream_code::best_available_impossible: return reject(reject_reason::unavailable);
        case upstream_code::not_on_sale_to_agents: return reject(reject_reason::not_on_sale);
        default: return reject(reject_reason::refused);
        }
    case upstream_failure::not_found:
        return reject(reject_reason::not_found);
    case upstream_failure::permanent:
        return reject(reject_reason::refused);
    }
    return reject(reject_reason::refused);
}

failure_decision classify_confirm(upstream_failure f, int code, bool after_read_back) {
    const auto read_or_unknown =
        decide(after_read_back ? decision_kind::confirm_unknown : decision_kind::resolve_by_reading_back);
    switch (f) {
    case upstream_failure::not_sent:
        return decide(decision_kind::retry);
    case upstream_failure::transient:
    case upstream_failure::timeout:
    case upstream_failure::ambiguous:
    case upstream_failure::not_found:  // a confirmed basket and an expired one both answer 404
        return read_or_unknown;
    case upstream_failure::conflict:
        // 100 "already confirmed" and 101 "empty basket" can both follow our own applied
        // confirm whose answer was lost: never a licence to place again (docs/upstream-contract.md U11).
        if (code == upstream_code::already_confirmed || code == upstream_code::empty_basket) return read_or_unknown;
        return reject(reject_reason::refused);
    case upstream_failure::permanent:
        return reject(reject_reason::refused);
    }
    return read_or_unknown;
}

failure_decision classify_release(upstream_failure f) {
    switch (f) {
    case upstream_failure::not_sent:
    case upstream_failure::transient:
    case upstream_failure::timeout:
    case upstream_failure::ambiguous:
        return decide(decision_kind::retry);  // clearing is idempotent
    case upstream_failure::not_found:
        return decide(decision_kind::already_done);
    case upstream_failure::conflict:
    case upstream_failure::permanent:
        return decide(decision_kind::wait_for_upstream_expiry);
    }
    return decide(decision_kind::retry);
}

}  // namespace

std::string_view to_string(reject_reason r) noexcept {
    switch (r) {
    case reject_reason::unavailable: return "unavailable";
    case reject_reason::not_on_sale: return "not_on_sale";
    case reject_reason::not_found: return "not_found";
    case reject_reason::refused: return "refused";
    }
    return "unknown";
}

std::string_view to_string(decision_kind k) noexcept {
    switch (k) {
    case decision_kind::retry: return "retry";
    case decision_kind::reject: return "reject";
    case decision_kind::confirm_unknown: return "confirm_unknown";
    case decision_kind::resolve_by_reading_back: return "resolve_by_reading_back";
    case decision_kind::already_done: return "already_done";
    case decision_kind::wait_for_upstream_expiry: return "wait_for_upstream_expiry";
    }
    return "unknown";
}

failure_decision classify_failure(upstream_step step, upstream_failure f, int error_code, request_form form,
                                  bool after_read_back) noexcept {
    switch (step) {
    case upstream_step::create_basket:
    case upstream_step::add_tickets:
        return classify_place(step, f, error_code, form);
    case upstream_step::confirm:
        return classify_confirm(f, error_code, after_read_back);
    case upstream_step::release:
        return classify_release(f);
    }
    return reject(reject_reason::refused);
}

failure_decision after_seat_taken(int attempts_made, const placement_retry_policy& p) noexcept {
    if (attempts_made < p.max_attempts) return {decision_kind::retry, reject_reason::unavailable};
    return reject(reject_reason::unavailable);
}

std::string_view to_string(place_resume p) noexcept {
    switch (p) {
    case place_resume::hold_as_is: return "hold_as_is";
    case place_resume::add_tickets: return "add_tickets";
    case place_resume::clear_and_retry: return "clear_and_retry";
    case place_resume::reject_gone: return "reject_gone";
    }
    return "unknown";
}

place_resume decide_after_place_read_back(const place_read_back& rb) noexcept {
    if (!rb.basket_found) return place_resume::reject_gone;
    if (rb.tickets_in_basket == 0) return place_resume::add_tickets;
    if (rb.tickets_in_basket == rb.tickets_wanted) return place_resume::hold_as_is;
    return place_resume::clear_and_retry;
}

std::string_view to_string(confirm_resume c) noexcept {
    switch (c) {
    case confirm_resume::record_confirmed: return "record_confirmed";
    case confirm_resume::resend_confirm: return "resend_confirm";
    case confirm_resume::mark_unknown: return "mark_unknown";
    }
    return "unknown";
}

confirm_resume decide_after_confirm_read_back(const confirm_read_back& rb) noexcept {
    if (rb.order_found) return confirm_resume::record_confirmed;
    if (rb.basket_found && rb.tickets_held > 0 && rb.tickets_in_basket == rb.tickets_held)
        return confirm_resume::resend_confirm;
    return confirm_resume::mark_unknown;
}

}  // namespace agentd::domain
