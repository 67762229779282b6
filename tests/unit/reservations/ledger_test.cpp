// The sales ledger entries the confirm paths write (store/ledger), against the fake upstream:
// amounts from the order as upstream answered it, operator settlements and corrections as
// entries of their own.
#include "agentd/store/ledger.hpp"
#include "tests/unit/reservations/fixture.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

std::vector<store::ledger_entry> entries(res_fixture& f, store::ledger_filter filter = {}) {
    auto rd = store::reader::open(f.path);
    REQUIRE(rd.has_value());
    std::vector<store::ledger_entry> out;
    REQUIRE(store::scan_ledger(rd->conn(), filter, [&](const store::ledger_entry& e) { out.push_back(e); }).has_value());
    return out;
}

std::int64_t ticket_rows(res_fixture& f, std::int64_t entry) {
    auto rd = store::reader::open(f.path);
    REQUIRE(rd.has_value());
    return rd->conn()
        .query_int64("SELECT count(*) FROM sales_ledger_tickets WHERE entry_id = " + std::to_string(entry), "tickets")
        .value();
}

upstream::failure not_found() { return upstream::failure{upstream::error_class::not_found, 404, 0, "fake: 404"}; }

}  // namespace

TEST_CASE("a confirmed order's ledger entry carries face value, commission and net as upstream answered") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1", "S2"});
    // Upstream's answer, not the price list: one ticket at another total, both with agentDiscount.
    auto& b = f.basket_of(held.id);
    REQUIRE(b.tickets.size() == 2);
    b.tickets[0].agent_discount = money{355};
    b.tickets[1].total = money{3000};
    b.tickets[1].agent_discount = money{300};
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    REQUIRE(f.settle(held.id).state == "confirmed");
    auto e = entries(f);
    REQUIRE(e.size() == 1);
    CHECK(e[0].kind == "sale");
    CHECK(e[0].amounts_from == "order");
    CHECK(e[0].settled_by == "upstream_order");
    CHECK(e[0].face == money{7100});
    CHECK(e[0].commission == money{655});
    CHECK(e[0].net == money{(3550 - 355) + (3000 - 300)});
    CHECK(e[0].seats == 2);
    CHECK(e[0].reference == "WEB-1");
    CHECK(e[0].account == "agent1");
    CHECK(e[0].channel == "web");
    CHECK_FALSE(e[0].order_id.empty());
    CHECK(ticket_rows(f, e[0].entry_id) == 2);
    // Filters: another client or a window after the sale finds nothing.
    CHECK(entries(f, {.client = std::string("other")}).empty());
    CHECK(entries(f, {.from = std::string("2999-01-01")}).empty());
    CHECK(entries(f, {.client = std::string(k_client), .channel = std::string("web")}).size() == 1);
    f.stop_worker();
}

TEST_CASE("a venue whose totals are already net: net owed is the total, commission still recorded") {
    res_fixture f;
    f.order_total_is_net = true;
    f.make_service();
    f.start_worker();
    auto held = f.hold({"S1"});
    auto& b = f.basket_of(held.id);
    REQUIRE(b.tickets.size() == 1);
    b.tickets[0].total = money{3195};
    b.tickets[0].agent_discount = money{355};
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    REQUIRE(f.settle(held.id).state == "confirmed");
    auto e = entries(f);
    REQUIRE(e.size() == 1);
    CHECK(e[0].commission == money{355});
    CHECK(e[0].net == money{3195});
    f.stop_worker();
}

TEST_CASE("an operator-settled order is its own ledger entry from the hold; corrections never edit it") {
    res_fixture f;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.up.fail_next("confirm_basket", not_found());
    REQUIRE(f.run(f.svc->confirm(held.id, f.customer())).has_value());
    REQUIRE(f.settle(held.id).state == "confirm_unknown");
    CHECK(entries(f).empty());
    REQUIRE(f.run(f.svc->resolve(held.id, api::resolve_request{true, "1AKP", "checked in Spektrix"})).has_value());
    auto e = entries(f);
    REQUIRE(e.size() == 1);
    CHECK(e[0].settled_by == "operator");
    CHECK(e[0].order_id == "1AKP");
    CHECK(e[0].amounts_from == "hold");  // no order was read: the hold's price, commission unknown
    CHECK(e[0].face == money{3550});
    CHECK(e[0].commission == money{});
    CHECK(e[0].net == money{3550});
    CHECK(ticket_rows(f, e[0].entry_id) == 1);

    // The venue's invoice shows a commission of 3.55: a correction entry, the sale unchanged.
    store::ledger_correction c{e[0].entry_id, 0, money{}, money{355}, money{-355}, "commission per venue invoice", f.clock.now()};
    auto added = f.db->submit_wait<std::int64_t>([&](store::write_txn& t) { return store::append_correction(t, c); });
    REQUIRE(added.has_value());
    c.note.clear();
    auto refused = f.db->submit_wait<std::int64_t>([&](store::write_txn& t) { return store::append_correction(t, c); });
    CHECK(refused.error().code == errc::invalid_argument);
    c.note = "x";
    c.corrects = 999;
    auto missing = f.db->submit_wait<std::int64_t>([&](store::write_txn& t) { return store::append_correction(t, c); });
    CHECK(missing.error().code == errc::not_found);
    auto after = entries(f);
    REQUIRE(after.size() == 2);
    CHECK(after[0].entry_id == e[0].entry_id);
    CHECK(after[0].net == money{3550});
    CHECK(after[1].kind == "correction");
    CHECK(after[1].corrects == std::optional<std::int64_t>(e[0].entry_id));
    CHECK(after[1].commission == money{355});
    CHECK(after[1].net == money{-355});
    CHECK(after[1].order_id.empty());
    CHECK(after[1].note == "commission per venue invoice");

    // No gaps: the confirmed reservation has its sale entry.
    auto rd = store::reader::open(f.path);
    REQUIRE(rd.has_value());
    auto gaps = store::find_ledger_gaps(rd->conn());
    REQUIRE(gaps.has_value());
    CHECK(gaps->confirmed_without_entry.empty());
    CHECK(gaps->entry_without_confirmed.empty());
    f.stop_worker();
}
