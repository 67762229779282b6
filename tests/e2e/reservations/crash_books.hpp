// The audit of the crash e2e test (tests/e2e/reservations): the daemon's reservations checked
// against the simulator's orders and baskets once everything has settled, with the figures the
// test reports. Not thread-safe: the test thread alone uses it.
#pragma once

#include "tests/e2e/reservations/crash_support.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace agentd::test::crash {

// What the test was told (a 2xx answer) about one reservation.
struct acked {
    bool confirm_acked = false;
    bool release_acked = false;
};

struct books_input {
    std::string sock, client;
    const sim_process* sim = nullptr;
    std::map<std::string, acked> acks;               // every acknowledged reservation
    std::vector<reservation_view> settled;           // the listing once the stream settled, before the final releases
    std::vector<reservation_view> final_view;        // the listing at the end
    std::set<std::string> orders_before, baskets_before;  // upstream before agentd ran
};

struct books_figures {
    int acknowledged = 0, lost = 0, ordered_twice = 0, orders_without_customer = 0, orders_differing = 0,
        new_orders = 0, confirm_unknown = 0;
    std::size_t seats_in_baskets = 0;      // open baskets made during the test, before the clock advance
    std::size_t seats_left_in_baskets = 0; // the same once the basket lifetime has passed
};

// Runs every check (doctest CHECKs, each with the reservation's history on failure), advances
// the simulator's clock past the basket lifetime for the basket check, and returns the figures.
books_figures check_books(const books_input& in);

}  // namespace agentd::test::crash
