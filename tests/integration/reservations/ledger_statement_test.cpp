// The sales ledger against a real agentd-sim: sales made through the reservation service and
// agentd's upstream client, then the simulator's own statement (/_sim/statement) matched against
// the ledger by agentctl's diff — matching, missing on each side and amount differences.
#include "agentd/cli/ledger_diff.hpp"
#include "agentd/store/ledger.hpp"
#include "tests/integration/reservations/sim_rig.hpp"

using namespace agentd;
using namespace agentd::rig_support;

namespace {

// What GET /v1/ledger/entries answers, built from the store as the daemon's adapter does.
api::ledger_entries books_of(rig& g) {
    auto rd = store::reader::open(g.db->path());
    REQUIRE(rd.has_value());
    api::ledger_entries out;
    out.client = g.client;
    out.currency = "GBP";
    REQUIRE(store::scan_ledger(rd->conn(), {.client = g.client}, [&](const store::ledger_entry& e) {
        api::ledger_entry a;
        a.entry = e.entry_id;
        a.corrects = e.corrects;
        a.kind = e.kind;
        a.order_id = e.order_id;
        a.reservation = e.reservation_id;
        a.tickets = e.seats;
        a.face = format_money(e.face);
        a.commission = format_money(e.commission);
        a.net = format_money(e.net);
        out.entries.push_back(std::move(a));
    }).has_value());
    return out;
}

// The statement with record `drop` left out, record `change` given another net, and one order
// the venue has that agentd does not.
std::string edited(const std::string& csv, std::size_t drop, std::size_t change) {
    std::string out;
    std::size_t record = 0, at = 0;
    while (at < csv.size()) {
        auto end = csv.find("\r\n", at);
        REQUIRE(end != std::string::npos);
        std::string line = csv.substr(at, end - at);
        at = end + 2;
        if (record == drop) {
            ++record;
            continue;
        }
        if (record == change) line = line.substr(0, line.rfind(',')) + ",0.01";
        out += line + "\r\n";
        ++record;
    }
    return out + "9VENUEONLY,2026-11-30T10:00:00Z,1,10.00,1.00,9.00\r\n";
}

}  // namespace

TEST_CASE("the simulator's statement matches the ledger after real sales; differences are found") {
    rig g({"--seed", "21", "--size", "small", "--agent-discount", "12.5"});
    g.make_service(1);
    g.start_worker();
    std::vector<std::string> sold;
    for (int i = 0; i < 3; ++i) {
        auto c = g.run(g.svc->create("ch0", "sale-" + std::to_string(i), g.best(i + 1)));
        REQUIRE(c.has_value());
        const std::string id = c->reservation.id;
        g.pump([&] { return g.settled(id); });
        REQUIRE(g.svc->get(id)->state == "held");
        REQUIRE(g.run(g.svc->confirm(id, {{"Ada", "Lovelace", "1 Main St"}, "WEB-" + std::to_string(i)})).has_value());
        g.pump([&] { return g.settled(id); });
        REQUIRE(g.svc->get(id)->state == "confirmed");
        sold.push_back(id);
    }
    auto statement = g.sim.control("GET", "statement?client=" + g.client);
    REQUIRE(statement.status == 200);
    const auto books = books_of(g);
    REQUIRE(books.entries.size() == 3);
    for (const auto& e : books.entries) {
        // The commission is upstream's agentDiscount (12.5% of each price), not zero or recomputed.
        const auto face = parse_money(e.face).value(), commission = parse_money(e.commission).value();
        CHECK(commission.minor > 0);
        CHECK(commission.minor * 8 >= face.minor - 8 * e.tickets);
        CHECK(commission.minor * 8 <= face.minor + 8 * e.tickets);
    }

    auto rows = cli::read_statement(statement.body, api::statement_columns{});
    REQUIRE_MESSAGE(rows.has_value(), rows.error().message);
    REQUIRE(rows->size() == 3);
    auto d = cli::diff_statement(*rows, books);
    REQUIRE(d.has_value());
    CHECK(d->clean());
    CHECK(d->matched == 3);

    // A window after the sales: an empty statement, every ledger order missing from it.
    auto later = g.sim.control("GET", "statement?client=" + g.client + "&from=2099-01-01");
    REQUIRE(later.status == 200);
    auto none = cli::read_statement(later.body, {});
    REQUIRE(none.has_value());
    CHECK(none->empty());
    CHECK(cli::diff_statement(*none, books)->missing_in_statement.size() == 3);
    CHECK(g.sim.control("GET", "statement").status == 400);
    CHECK(g.sim.control("GET", "statement?client=" + g.client + "&from=yesterday").status == 400);

    auto changed = cli::read_statement(edited(statement.body, 1, 2), {});
    REQUIRE(changed.has_value());
    auto d2 = cli::diff_statement(*changed, books);
    REQUIRE(d2.has_value());
    CHECK(d2->matched == 1);
    REQUIRE(d2->missing_in_ledger.size() == 1);
    CHECK(d2->missing_in_ledger[0].order_id == "9VENUEONLY");
    REQUIRE(d2->missing_in_statement.size() == 1);
    CHECK(d2->missing_in_statement[0].order_id == (*rows)[0].order_id);
    REQUIRE(d2->differences.size() == 1);
    CHECK(d2->differences[0].order_id == (*rows)[1].order_id);
    CHECK(d2->differences[0].what.starts_with("net 0.01 vs "));
    g.stop_worker();
    g.check_invariants();
}
