// The reservation queue against a real agentd-sim process over HTTP: place/confirm/release,
// the rush (200 channels, 50 seats), and faults with "commit then drop".
#include "tests/integration/reservations/sim_rig.hpp"

#include <algorithm>

using namespace agentd;
using namespace agentd::rig_support;
namespace asio = boost::asio;

TEST_CASE("the rush: 200 channels, one seat each, 50 seats left") {
    rig g({"--seed", "11", "--size", "small", "--rate", "2000", "--burst", "2000"});
    // Leave exactly 50 seats that best available can give (reserved areas): hold the rest in
    // a blocker basket of our own.
    auto places = json(g.sim.control("GET", "seats?instance=" + g.instance));
    REQUIRE(places.IsArray());
    const auto& facts = g.cat.facts.at({g.client, g.instance});
    std::vector<std::string> free_reserved;
    for (auto& p : places.GetArray()) {
        std::string st = p["status"].GetString();
        for (auto& ch : st) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        if (st == "available" && facts.seats.count(p["id"].GetString())) free_reserved.push_back(p["id"].GetString());
    }
    REQUIRE(free_reserved.size() > 50);
    auto blocker = g.run(g.up->create_basket());
    REQUIRE(blocker.has_value());
    for (std::size_t i = 50; i < free_reserved.size(); i += 100) {
        std::vector<upstream::new_ticket> nts;
        for (std::size_t k = i; k < std::min(free_reserved.size(), i + 100); ++k)
            nts.push_back({g.instance, free_reserved[k], std::nullopt, g.ticket_type});
        REQUIRE(g.run(g.up->add_tickets(blocker->id, nts)).has_value());
    }
    const auto unreserved_left = g.available() - 50;
    g.make_service(200, 20);  // concurrent best-available answers overlap: each round one wins
    g.start_worker();

    std::vector<std::optional<result<api::created_reservation>>> created(200);
    for (int i = 0; i < 200; ++i)
        asio::co_spawn(g.ioc, g.svc->create("ch" + std::to_string(i), "rush-1", g.best(1)),
                       [&created, i](std::exception_ptr e, result<api::created_reservation> r) {
                           if (e) std::rethrow_exception(e);
                           created[std::size_t(i)].emplace(std::move(r));
                       });
    g.pump([&] { return std::all_of(created.begin(), created.end(), [](auto& c) { return c.has_value(); }); });
    std::vector<std::string> ids;
    for (auto& c : created) {
        REQUIRE((*c).has_value());
        ids.push_back((*c)->reservation.id);
    }
    g.pump([&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return g.settled(id); }); });

    int held = 0, rejected = 0;
    std::map<std::string, int> reasons;
    std::set<std::string> seats;
    std::size_t seat_rows = 0;
    for (const auto& id : ids) {
        auto r = *g.svc->get(id);
        if (r.state == "held") {
            ++held;
            for (const auto& s : r.seats) seats.insert(s.seat);
            seat_rows += r.seats.size();
        } else if (r.state == "rejected") {
            ++rejected;
            REQUIRE(r.error.has_value());
            CHECK(r.error->code == "unavailable");
            CHECK_FALSE(r.error->message.empty());
            ++reasons[r.error->message.substr(0, 120)];
        }
    }
    for (const auto& [m, k] : reasons) MESSAGE("rejected x" << k << ": " << m);
    CHECK(held == 50);
    CHECK(rejected == 150);
    CHECK(seats.size() == 50);
    CHECK(seat_rows == 50);
    CHECK(g.available() == unreserved_left);
    auto none = g.run(g.up->best_available(g.instance, 1));
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().error_code == 22);
    g.check_invariants();
    auto st = g.svc->stats();
    MESSAGE("rush: held=" << held << " rejected=" << rejected << "; daemon time per placement (excl. upstream) p50="
                          << st.placement.p50_us << "us p99=" << st.placement.p99_us << "us max=" << st.placement.max_us
                          << "us over " << st.placement.samples << " placements; excluding durable-commit waits too p50="
                          << st.placement_cpu.p50_us << "us p99=" << st.placement_cpu.p99_us << "us");

    // Confirm one, release another: the simulator agrees.
    std::string to_confirm, to_release;
    for (const auto& id : ids)
        if (g.svc->get(id)->state == "held") (to_confirm.empty() ? to_confirm : to_release) = id;
    auto c = g.run(g.svc->confirm(to_confirm, {{"Ada", "Lovelace", "1 Main St"}, "WEB-1"}));
    REQUIRE(c.has_value());
    auto r = g.run(g.svc->release(to_release));
    REQUIRE(r.has_value());
    g.pump([&] { return g.settled(to_confirm) && g.settled(to_release); });
    auto confirmed = *g.svc->get(to_confirm);
    CHECK(confirmed.state == "confirmed");
    REQUIRE(confirmed.order_id.has_value());
    CHECK(confirmed.seats.at(0).barcode.has_value());
    CHECK(g.svc->get(to_release)->state == "released");
    auto orders = json(g.sim.control("GET", "orders"));
    CHECK(orders.IsArray() ? orders.Size() == 1 : true);
    CHECK(g.available() == unreserved_left + 1);
    g.check_invariants();
    st = g.svc->stats();
    MESSAGE("confirm: daemon time p50=" << st.confirmation.p50_us << "us p99=" << st.confirmation.p99_us
                                         << "us; excluding commit waits p50=" << st.confirmation_cpu.p50_us << "us");
}

TEST_CASE("faults, including commit then drop on add and confirm: every reservation ends defined") {
    rig g({"--seed", "12", "--size", "small", "--rate", "2000", "--burst", "2000"});
    g.make_service(4, 20);
    for (const char* ep : {"create_basket", "add_tickets", "patch_basket", "confirm", "clear_basket", "get_basket",
                           "best_available"}) {
        std::string body = std::string("{\"endpoint\":\"") + ep +
                           "\",\"p503\":0.08,\"p500\":0.04,\"reset\":0.04,\"truncate\":0.03,\"commit_drop\":" +
                           (std::string(ep) == "add_tickets" || std::string(ep) == "confirm" ? "0.25" : "0.05") + "}";
        REQUIRE(g.sim.control("PUT", "faults", body).status == 200);
    }
    g.start_worker();
    std::vector<std::string> ids;
    for (int i = 0; i < 40; ++i) {
        auto c = g.run(g.svc->create("ch" + std::to_string(i % 4), "f" + std::to_string(i), g.best(1 + i % 2)));
        REQUIRE(c.has_value());
        ids.push_back(c->reservation.id);
    }
    auto all_settled = [&] { return std::all_of(ids.begin(), ids.end(), [&](auto& id) { return g.settled(id); }); };
    g.pump(all_settled, std::chrono::seconds(90));
    // Confirm half of what is held, release the other half.
    int n = 0;
    for (const auto& id : ids) {
        if (g.svc->get(id)->state != "held") continue;
        if (n++ % 2 == 0) (void)g.run(g.svc->confirm(id, {{"Ada", "Lovelace", "1 Main St"}, "REF-" + id}));
        else (void)g.run(g.svc->release(id));
    }
    g.pump(all_settled, std::chrono::seconds(90));
    REQUIRE(g.sim.control("PUT", "faults", "{\"clear\":true}").status == 200);
    // Release whatever is still held (confirm refused, or not asked), without faults.
    for (const auto& id : ids)
        if (g.svc->get(id)->state == "held") REQUIRE(g.run(g.svc->release(id)).has_value());
    g.pump(all_settled, std::chrono::seconds(60));

    std::map<std::string, int> by_state;
    std::set<std::string> confirmed_orders, unknown_baskets, proven_baskets;
    for (const auto& id : ids) {
        auto r = *g.svc->get(id);
        ++by_state[r.state];
        CHECK((r.state == "confirmed" || r.state == "confirm_unknown" || r.state == "released" ||
               r.state == "rejected" || r.state == "expired"));
        // A sale proven by "already confirmed" has no order id: its basket names the order.
        if (r.state == "confirmed" && r.order_id) confirmed_orders.insert(*r.order_id);
        if (r.state == "confirmed" && !r.order_id) {
            CHECK(r.settled_by == std::optional<std::string>("already_confirmed"));
            proven_baskets.insert(g.basket_of(id));
        }
        if (r.state == "confirm_unknown") unknown_baskets.insert(g.basket_of(id));
    }
    auto orders = json(g.sim.control("GET", "orders"));
    REQUIRE(orders.IsArray());
    std::set<std::string> order_baskets;
    for (auto& o : orders.GetArray()) {
        const std::string oid = o["id"].GetString();
        const std::string basket = o["basket"].GetString();
        CHECK(order_baskets.insert(basket).second);  // one order per basket
        // Every upstream order is a confirmed reservation or one kept as confirm_unknown.
        CHECK((confirmed_orders.count(oid) == 1 || unknown_baskets.count(basket) == 1 || proven_baskets.count(basket) == 1));
    }
    for (const auto& b : proven_baskets) CHECK(order_baskets.count(b) == 1);
    for (const auto& oid : confirmed_orders) {
        bool found = false;
        for (auto& o : orders.GetArray()) found = found || oid == o["id"].GetString();
        CHECK(found);
    }
    // No basket leaked: nothing open still holds a seat.
    auto baskets = json(g.sim.control("GET", "baskets"));
    REQUIRE(baskets.IsArray());
    for (auto& b : baskets.GetArray()) CHECK(b["tickets"].Size() == 0);
    g.check_invariants();
    std::string summary;
    for (const auto& [s, k] : by_state) summary += s + "=" + std::to_string(k) + " ";
    MESSAGE("faults: " << summary << "; sim orders=" << orders.Size());
    CHECK(by_state["confirmed"] >= 1);
}

TEST_CASE("expiry and extension against the simulator's basket lifetime") {
    // Upstream baskets live 6 s (sliding); agentd acts 3 s before that.
    rig g({"--seed", "14", "--size", "small", "--rate", "2000", "--burst", "2000", "--basket-ttl", "6"});
    g.make_service(1, 3, std::chrono::seconds(6), std::chrono::seconds(3));
    g.start_worker();
    const auto before = g.available();
    auto a = g.run(g.svc->create("ch0", "exp-1", g.best(2)));
    auto b = g.run(g.svc->create("ch0", "exp-2", g.best(2)));
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    g.pump([&] { return g.settled(a->reservation.id) && g.settled(b->reservation.id); });
    REQUIRE(g.svc->get(a->reservation.id)->state == "held");
    REQUIRE(g.svc->get(b->reservation.id)->state == "held");
    CHECK(g.available() == before - 4);
    const auto first_deadline = *g.svc->get(b->reservation.id)->expires_at;
    // Extend b once, a second later: its deadline moves, a's does not.
    const auto t1 = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    g.pump([&] { return std::chrono::steady_clock::now() >= t1; });
    auto e = g.run(g.svc->extend(b->reservation.id, {}));
    REQUIRE(e.has_value());
    CHECK(*e->expires_at > first_deadline);
    // a expires by agentd (basket cleared upstream: seats back on sale) before the simulator
    // would have dropped it; b is still held then.
    g.pump([&] { return g.svc->get(a->reservation.id)->state == "expired"; }, std::chrono::seconds(20));
    CHECK(g.svc->get(b->reservation.id)->state == "held");
    CHECK(g.available() == before - 2);
    g.pump([&] { return g.svc->get(b->reservation.id)->state == "expired"; }, std::chrono::seconds(20));
    CHECK(g.available() == before);
    auto h = g.svc->history(a->reservation.id);
    REQUIRE(h.has_value());
    CHECK(h->at(h->size() - 2).state == "releasing");  // cleared by agentd, not found gone
    g.check_invariants();
}
