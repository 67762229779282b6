// tests/unit/domain/reservation_support: reservations built by driving the state machine from
// `queued`, so every test starts from a record the rules themselves produced. Single-threaded.
#pragma once

#include "agentd/domain/reservation.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace agentd::test::res {

using namespace agentd::domain;
using std::chrono::hours;
using std::chrono::minutes;

inline const sys_time t0 = sys_time{} + hours(24 * 365 * 56);

inline held_seat seat(std::string id, std::int64_t minor) { return held_seat{id, "TT1", "tk" + id, money{minor}, ""}; }

inline end_customer ada() { return {"Ada", "Lovelace", "1 Main St", "WEB-1042"}; }

// Drives a fresh reservation along `events`, requiring every step to succeed.
inline reservation drive(std::initializer_list<event> events, sys_time now = t0) {
    reservation r = make_reservation(now);
    for (const auto& e : events) {
        auto out = transition(r, e, now);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        r = out->next;
    }
    return r;
}

inline const event k_place = ev::place_started{};
inline const event k_basket = ev::basket_created{"B1", t0};
inline const event k_hold = ev::placed{{seat("S1", 3500), seat("S2", 3500)}, t0 + minutes(18), t0};
inline const event k_confirm = ev::confirm_requested{ada()};

// `confirming` before the confirm was marked sent: nothing can have been sold yet.
inline reservation in_state(reservation_state s) {
    using rs = reservation_state;
    switch (s) {
    case rs::queued: return drive({});
    case rs::placing: return drive({k_place, k_basket});
    case rs::held: return drive({k_place, k_basket, k_hold});
    case rs::confirming: return drive({k_place, k_basket, k_hold, k_confirm});
    case rs::confirmed:
        return drive({k_place, k_basket, k_hold, k_confirm, ev::confirm_sending{}, ev::confirmed{"O1", {"BC1", "BC2"}, "upstream_order", ""}});
    case rs::confirm_unknown:
        return drive({k_place, k_basket, k_hold, k_confirm, ev::confirm_sending{}, ev::confirm_ambiguous{"timeout"}});
    case rs::rejected: return drive({k_place, ev::place_failed{"unavailable", false}});
    case rs::cancelled: return drive({ev::cancel_requested{}});
    case rs::releasing: return drive({k_place, k_basket, k_hold, ev::release_requested{}});
    case rs::released: return drive({k_place, k_basket, k_hold, ev::release_requested{}, ev::released{}});
    case rs::expired: return drive({k_place, k_basket, k_hold, ev::expired{}});
    }
    return drive({});
}

// `confirming` after confirm_sent_at was stored: the sale may exist upstream.
inline reservation confirm_sent() { return drive({k_place, k_basket, k_hold, k_confirm, ev::confirm_sending{}}); }

// Requeued after a transient placing failure, still owning its basket (and maybe tickets).
inline reservation queued_with_basket() { return drive({k_place, k_basket, ev::place_failed{"503", true}}); }

inline std::vector<event> all_events() {
    return {ev::place_started{},
            ev::basket_created{"B1", t0},
            ev::placed{{seat("S1", 100)}, t0 + minutes(10), t0},
            ev::place_failed{"x", false},
            ev::confirm_requested{ada()},
            ev::confirm_sending{},
            ev::confirmed{"O1", {}, "upstream_order", ""},
            ev::confirm_ambiguous{"x"},
            ev::confirm_failed_permanent{"x"},
            ev::confirm_abandoned{"x"},
            ev::basket_gone{"x"},
            ev::release_requested{},
            ev::released{},
            ev::expiry_due{},
            ev::expired{},
            ev::cancel_requested{},
            ev::extend_requested{t0 + minutes(30), t0},
            ev::resolve_sold{"O9", ""},
            ev::resolve_not_sold{""},
            ev::drawn{"web", "p1"},
            ev::deadline_clipped{t0 + minutes(5), "nightly"}};
}

}  // namespace agentd::test::res
