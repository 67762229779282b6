// The audit of the crash e2e test; see crash_books.hpp.
#include "tests/e2e/reservations/crash_books.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <string>

using namespace std::chrono_literals;

namespace agentd::test::crash {

namespace {

// The confirm of these ended without a sale, which the reservation says in error.code.
bool is_not_sold_code(const std::string& code) {
    return code == "confirm_refused" || code == "basket_changed" || code == "basket_gone" || code == "confirm_not_sold";
}

std::size_t seats_in_new_baskets(const books_input& in, const char* when) {
    std::size_t n = 0;
    for (const auto& b : sim_list(*in.sim, "baskets", in.client)) {
        if (in.baskets_before.count(b.id) || b.seats.empty()) continue;
        n += b.seats.size();
        MESSAGE("basket " << b.id << " holds " << b.seats.size() << " seat(s) " << std::string(when));
    }
    return n;
}

}  // namespace

books_figures check_books(const books_input& in) {
    books_figures f;
    std::map<std::string, const reservation_view*> settled, final_by_id;
    for (const auto& r : in.settled) settled[r.id] = &r;
    for (const auto& r : in.final_view) final_by_id[r.id] = &r;
    auto history = [&](const std::string& id) { return history_of(in.sock, id); };

    // Upstream orders made during the test, by the reservation their reference names.
    auto orders = sim_list(*in.sim, "orders", in.client);
    std::map<std::string, std::vector<const sim_holding*>> orders_of;  // reservation id → its orders
    std::set<std::string> order_ids;
    for (const auto& o : orders) {
        CAPTURE(o.id);
        CHECK(order_ids.insert(o.id).second);
        if (in.orders_before.count(o.id)) continue;
        ++f.new_orders;
        INFO("order " << o.id << " of basket " << o.basket);
        if (!o.customer) {
            ++f.orders_without_customer;
            std::string claims;  // who held its seats, for the post-mortem
            for (const auto& r : in.final_view)
                for (const auto& s : o.seats)
                    if (r.seats.count(s)) claims += r.id + "(" + r.state + ") " + history(r.id) + "\n";
            INFO("reservations with its seats:\n" << claims);
            FAIL_CHECK("an order without its end customer");
            continue;
        }
        const auto& ref = o.customer->reference;
        std::string owner = ref.rfind("CRASH-", 0) == 0 ? ref.substr(6) : std::string();
        auto it = final_by_id.find(owner);
        INFO("reference " << ref);
        if (it == final_by_id.end()) {
            ++f.orders_without_customer;
            FAIL_CHECK("an order whose reference names no reservation of the test");
            continue;
        }
        const auto& r = *it->second;
        orders_of[r.id].push_back(&o);
        INFO("reservation " << r.id << " (" << r.state << ") " << history(r.id));
        // Exactly one reservation owns it, and that one sold or may have sold.
        CHECK((r.state == "confirmed" || r.state == "confirm_unknown"));
        auto want = customer_for(r.id);
        bool own_customer = o.customer->first_name == want.first_name && o.customer->last_name == want.last_name &&
                            o.customer->address_line1 == want.address_line1;
        if (!own_customer) ++f.orders_without_customer;
        CHECK_MESSAGE(own_customer, "customer " << o.customer->first_name << " / " << o.customer->last_name << " / "
                                                << o.customer->address_line1);
        bool same = o.tickets == r.seat_count && o.seats == r.seats && r.total != "null" &&
                    std::fabs(o.total - std::stod(r.total)) < 0.005;
        if (!same) ++f.orders_differing;
        CHECK_MESSAGE(same, "order: " << o.tickets << " tickets, total " << o.total << "; reservation: "
                                      << r.seat_count << " seats, total " << r.total);
        if (r.order_id != "null") CHECK(r.order_id == o.id);
    }
    for (const auto& [id, os] : orders_of)
        if (os.size() > 1) {
            ++f.ordered_twice;
            std::string ids;
            for (auto* o : os) ids += o->id + " ";
            INFO("orders " << ids << "history " << history(id));
            FAIL_CHECK("reservation " << id << " ordered twice");
        }

    // Every confirmed reservation has exactly its one order upstream: the one its orderId names,
    // or (settled by "already confirmed", no orderId) the one carrying its reference.
    std::set<std::string> confirmed_orders;
    for (const auto& r : in.final_view) {
        if (r.state == "confirm_unknown") {
            ++f.confirm_unknown;
            MESSAGE("confirm_unknown " << r.id << " (" << orders_of[r.id].size() << " order(s) upstream): "
                                       << r.error_message << "\nhistory " << history(r.id));
        }
        if (r.state != "confirmed") continue;
        CAPTURE(r.id);
        INFO("settledBy " << r.settled_by << " history " << history(r.id));
        CHECK(orders_of[r.id].size() == 1);
        if (r.order_id != "null") {
            CHECK(confirmed_orders.insert(r.order_id).second);
            CHECK(order_ids.count(r.order_id) == 1);
        } else {
            CHECK(r.settled_by == "already_confirmed");
        }
    }

    // Nothing acknowledged is lost, and each acknowledged confirm or release was carried through.
    for (const auto& [id, ack] : in.acks) {
        ++f.acknowledged;
        CAPTURE(id);
        auto a = uds_request(in.sock, "GET", "/v1/reservations/" + id);
        bool there = a && a->status == 200 && final_by_id.count(id) == 1;
        if (!there) ++f.lost;
        CHECK(there);
        if (!there) continue;
        INFO(history(id));
        if (ack.confirm_acked) {
            // As the stream left it: a refused confirm returns to `held`, released at the end.
            const auto& r = settled.count(id) ? *settled[id] : *final_by_id[id];
            CAPTURE(r.state);
            CAPTURE(r.error_code);
            bool sold_or_unknown = r.state == "confirmed" || r.state == "confirm_unknown";
            CHECK((sold_or_unknown || is_not_sold_code(r.error_code)));
            if (!sold_or_unknown) CHECK(orders_of[id].empty());
        }
        if (ack.release_acked) {
            const auto& state = final_by_id[id]->state;
            CAPTURE(state);
            CHECK((state == "released" || state == "cancelled" || state == "rejected" || state == "expired"));
        }
    }
    for (const auto& r : in.final_view) {
        CAPTURE(r.id);
        INFO(history(r.id));
        CHECK(r.state != "held");  // the test released every hold
    }

    // No seat outlives its basket's lifetime in a basket made during the test.
    f.seats_in_baskets = seats_in_new_baskets(in, "before the basket lifetime passed");
    sim_advance_clock(*in.sim, 1201);
    f.seats_left_in_baskets = seats_in_new_baskets(in, "after the basket lifetime passed");
    CHECK(f.seats_left_in_baskets == 0);
    auto inv = tcp_request(in.sim->control_url, "GET", "/invariants", {}, 30s);
    REQUIRE(inv);
    CAPTURE(inv->body);
    CHECK(json_get(inv->body, "ok") == "true");
    return f;
}

}  // namespace agentd::test::crash
