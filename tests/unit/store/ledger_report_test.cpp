// store/ledger_report: every grouping of the ledger report over a real SQLite file, venue-local
// days, per-currency totals, filters, and the ledger gaps reconcile lists.
#include "agentd/core/time.hpp"
#include "agentd/store/ledger.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/sqlite.hpp"
#include "store_support.hpp"

#include <initializer_list>

using namespace agentd;
using namespace agentd::store;
using namespace agentd::store::test_support;

namespace {

struct sale_row {
    std::string id, client, channel, event, event_name, confirmed_at;
    int seats;
    std::int64_t face, commission;
    std::string state = "confirmed";
    std::string kind = "sale";
};

void add(database& db, const std::vector<sale_row>& rows) {
    auto r = db.submit_wait<int>([&](write_txn& t) -> result<int> {
        for (const auto& s : rows) {
            if (s.kind == "sale") {
                auto res = t.prepare("t.res", "INSERT INTO reservations (id, channel, idempotency_key, client, account, instance, "
                                              "request_hash, state, version, created_at, updated_at) "
                                              "VALUES (?1, ?2, ?1, ?3, 'a1', 'I1', 0, ?4, 1, ?5, ?5)");
                if (!res) return res.error();
                res->bind(1, s.id).bind(2, s.channel).bind(3, s.client).bind(4, s.state).bind(5, s.confirmed_at);
                if (auto x = res->run(); !x) return x.error();
            }
            auto st = t.prepare("t.ledger",
                                "INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, total_minor, "
                                "confirmed_at, kind, event_id, event_name, face_minor, commission_minor, net_minor, amounts_from) "
                                "VALUES (?1, ?2, ?3, ?4, 'I1', ?5, ?6, ?7, ?8, ?9, ?10, ?6, ?11, ?6 - ?11, 'order')");
            if (!st) return st.error();
            if (s.kind == "sale") st->bind(1, "O-" + s.id);
            else st->bind_null(1);
            st->bind(2, s.id).bind(3, s.client).bind(4, s.channel).bind(5, s.seats).bind(6, s.face).bind(7, s.confirmed_at);
            st->bind(8, s.kind).bind(9, s.event).bind(10, s.event_name).bind(11, s.commission);
            if (auto x = st->run(); !x) return x.error();
        }
        return 0;
    });
    REQUIRE_MESSAGE(r.has_value(), r.error().message);
}

const std::vector<sale_row> k_rows = {
    // 23:30 UTC on 30 June is 1 July in London (BST).
    {"r1", "royalcourt", "web", "E1", "Hamlet", "2026-06-30T23:30:00.000Z", 2, 7100, 710},
    {"r2", "royalcourt", "box", "E1", "Hamlet", "2026-07-01T10:00:00.000Z", 1, 3550, 355},
    {"r3", "royalcourt", "web", "E2", "Lear", "2026-07-08T10:00:00.000Z", 3, 9000, 900},
    {"r4", "broadway", "web", "E9", "Cats", "2026-07-01T10:00:00.000Z", 1, 12000, 1200},
    // A correction of r2's commission: amounts only, not an order.
    {"r2", "royalcourt", "box", "E1", "Hamlet", "2026-07-02T09:00:00.000Z", 0, 0, 100, "confirmed", "correction"},
};

struct books_fixture {
    test::temp_dir dir;
    std::unique_ptr<database> db = open_db(test::database_for(dir.file("l.db")));
    client_books london{"GBP", time_zone::load_or_utc("Europe/London")};
    client_books newyork{"USD", time_zone::utc()};
    books_lookup books = [this](std::string_view c) -> const client_books& { return c == "broadway" ? newyork : london; };

    books_fixture() { add(*db, k_rows); }
    ledger_summary run(ledger_grouping by, ledger_filter f = {}) {
        auto rd = reader::open(db->path());
        REQUIRE(rd.has_value());
        auto s = summarize_ledger(rd->conn(), f, by, books);
        REQUIRE_MESSAGE(s.has_value(), s.error().message);
        return *s;
    }
    // Rewrites rows the way a test needs them (pools, the entry a correction points at).
    void exec(std::initializer_list<const char*> sqls) {
        auto w = db->submit_wait<int>([&](write_txn& t) -> result<int> {
            for (const char* sql : sqls) {
                auto st = t.prepare(sql, sql);
                if (!st) return st.error();
                if (auto x = st->run(); !x) return x.error();
            }
            return 0;
        });
        REQUIRE_MESSAGE(w.has_value(), w.error().message);
    }
};

std::vector<std::string> keys(const ledger_summary& s) {
    std::vector<std::string> out;
    for (const auto& g : s.groups) out.push_back(g.key + "/" + g.currency);
    return out;
}

}  // namespace

TEST_CASE("by client: per-currency totals never add pounds to dollars") {
    books_fixture f;
    auto s = f.run(ledger_grouping::client);
    CHECK(s.entries == 5);
    CHECK(keys(s) == std::vector<std::string>{"broadway/USD", "royalcourt/GBP"});
    const auto& rc = s.groups[1];
    CHECK(rc.orders == 3);  // the correction is not an order
    CHECK(rc.tickets == 6);
    CHECK(rc.face == money{19650});
    CHECK(rc.commission == money{710 + 355 + 900 + 100});
    CHECK(rc.net == money{19650 - 710 - 355 - 900 - 100});
    REQUIRE(s.totals.size() == 2);
    CHECK(s.totals[0].currency == "GBP");
    CHECK(s.totals[0].face == money{19650});
    CHECK(s.totals[1].currency == "USD");
    CHECK(s.totals[1].face == money{12000});
}

TEST_CASE("by day, week and month: the venue's local calendar") {
    books_fixture f;
    if (f.london.zone.name() != "Europe/London") {
        MESSAGE("no zoneinfo database; skipping");
        return;
    }
    // r1 is 1 July in London though 30 June in UTC.
    CHECK(keys(f.run(ledger_grouping::day)) ==
          std::vector<std::string>{"2026-07-01/GBP", "2026-07-01/USD", "2026-07-02/GBP", "2026-07-08/GBP"});
    auto day = f.run(ledger_grouping::day);
    CHECK(day.groups[0].orders == 2);
    CHECK(day.groups[0].face == money{7100 + 3550});
    CHECK(keys(f.run(ledger_grouping::week)) == std::vector<std::string>{"2026-W27/GBP", "2026-W27/USD", "2026-W28/GBP"});
    auto month = f.run(ledger_grouping::month);
    CHECK(keys(month) == std::vector<std::string>{"2026-07/GBP", "2026-07/USD"});
    CHECK(month.groups[0].orders == 3);
}

TEST_CASE("by channel and by event (labelled with the event's name)") {
    books_fixture f;
    auto ch = f.run(ledger_grouping::channel, {.client = std::string("royalcourt")});
    CHECK(keys(ch) == std::vector<std::string>{"box/GBP", "web/GBP"});
    CHECK(ch.groups[0].commission == money{455});
    CHECK(ch.groups[1].tickets == 5);
    auto ev = f.run(ledger_grouping::event);
    CHECK(keys(ev) == std::vector<std::string>{"E1/GBP", "E2/GBP", "E9/USD"});
    CHECK(ev.groups[0].label == "Hamlet");
    CHECK(ev.groups[2].label == "Cats");
}

TEST_CASE("by pool: sales drawn from a pool apart from the rest, a correction with the entry it corrects") {
    books_fixture f;
    // r2 was drawn from pool "gala"; the correction points at r2's sale (and carries no pool itself).
    f.exec({"UPDATE sales_ledger SET pool = 'gala' WHERE reservation_id = 'r2' AND kind = 'sale'",
            "UPDATE sales_ledger SET corrects = (SELECT entry_id FROM sales_ledger WHERE reservation_id = "
            "'r2' AND kind = 'sale') WHERE kind = 'correction'"});
    auto s = f.run(ledger_grouping::pool, {.client = std::string("royalcourt")});
    REQUIRE(keys(s) == std::vector<std::string>{"/GBP", "gala/GBP"});
    CHECK(s.groups[0].label == "no pool");
    CHECK(s.groups[0].orders == 2);
    CHECK(s.groups[1].label == "gala");
    CHECK(s.groups[1].orders == 1);
    CHECK(s.groups[1].commission == money{355 + 100});
    CHECK(parse_ledger_grouping("pool").value() == ledger_grouping::pool);
    // The entries themselves carry it.
    auto rd = reader::open(f.db->path());
    REQUIRE(rd.has_value());
    std::vector<std::string> pools;
    REQUIRE(scan_ledger(rd->conn(), {.client = std::string("royalcourt")}, [&](const ledger_entry& e) {
        pools.push_back(e.reservation_id + ":" + e.kind + ":" + e.pool);
    }).has_value());
    CHECK(pools == std::vector<std::string>{"r1:sale:", "r2:sale:gala", "r2:correction:gala", "r3:sale:"});
}

TEST_CASE("filters: channel and a UTC window, from inclusive and to exclusive") {
    books_fixture f;
    auto s = f.run(ledger_grouping::client,
                   {.channel = std::string("web"), .from = std::string("2026-07-01T10:00:00.000Z"), .to = std::string("2026-07-08T10:00:00.000Z")});
    REQUIRE(s.groups.size() == 1);
    CHECK(s.groups[0].key == "broadway");
    CHECK(s.entries == 1);
    CHECK(parse_ledger_grouping("year").error().code == errc::invalid_argument);
}

TEST_CASE("ledger gaps: a confirmed reservation without a sale entry, and an entry whose reservation is not confirmed") {
    books_fixture f;
    add(*f.db, {{"r5", "royalcourt", "web", "E1", "Hamlet", "2026-07-09T10:00:00.000Z", 1, 100, 10, "releasing"}});
    REQUIRE(f.db->submit_wait<int>([](write_txn& t) -> result<int> {
        auto st = t.prepare("t.gap", "INSERT INTO reservations (id, channel, idempotency_key, client, account, instance, request_hash, "
                                     "state, version, created_at, updated_at) VALUES ('r6', 'web', 'r6', 'royalcourt', 'a1', 'I1', 0, "
                                     "'confirmed', 1, '2026-07-09T10:00:00.000Z', '2026-07-09T10:00:00.000Z')");
        if (!st) return st.error();
        if (auto r = st->run(); !r) return r.error();
        return 0;
    }).has_value());
    auto rd = reader::open(f.db->path());
    REQUIRE(rd.has_value());
    auto gaps = find_ledger_gaps(rd->conn());
    REQUIRE(gaps.has_value());
    CHECK(gaps->confirmed_without_entry == std::vector<std::string>{"r6"});
    CHECK(gaps->entry_without_confirmed == std::vector<std::string>{"r5"});
}

TEST_CASE("by pool: a correction of a correction stays with the pool, also one of a correction written before pools were copied") {
    books_fixture f;
    // r2 and r3 were drawn from pool "gala"; the correction of r2 in k_rows is an old row: it
    // points at r2's sale and carries no pool itself.
    f.exec({"UPDATE sales_ledger SET pool = 'gala' WHERE reservation_id IN ('r2', 'r3') AND kind = 'sale'",
            "UPDATE sales_ledger SET corrects = (SELECT entry_id FROM sales_ledger WHERE reservation_id = "
            "'r2' AND kind = 'sale') WHERE kind = 'correction'"});
    std::int64_t r3_sale = 0, old_correction = 0;
    {
        auto rd = reader::open(f.db->path());
        REQUIRE(rd.has_value());
        REQUIRE(scan_ledger(rd->conn(), {.client = std::string("royalcourt")}, [&](const ledger_entry& e) {
            if (e.reservation_id == "r3") r3_sale = e.entry_id;
            if (e.kind == "correction") old_correction = e.entry_id;
        }).has_value());
    }
    REQUIRE(r3_sale != 0);
    REQUIRE(old_correction != 0);
    auto correct = [&](std::int64_t entry, std::int64_t commission) {
        ledger_correction c{entry, 0, money{}, money{commission}, money{-commission}, "per venue invoice",
                            parse_iso("2026-07-10T10:00:00.000Z").value()};
        auto id = f.db->submit_wait<std::int64_t>([&](write_txn& t) { return append_correction(t, c); });
        REQUIRE_MESSAGE(id.has_value(), id.error().message);
        return *id;
    };
    const auto c1 = correct(r3_sale, 50);
    const auto c2 = correct(c1, 7);             // a correction of a correction
    const auto c3 = correct(old_correction, 3); // one of the old row

    auto s = f.run(ledger_grouping::pool, {.client = std::string("royalcourt")});
    REQUIRE(keys(s) == std::vector<std::string>{"/GBP", "gala/GBP"});
    CHECK(s.groups[0].orders == 1);  // r1
    CHECK(s.groups[0].commission == money{710});
    CHECK(s.groups[1].orders == 2);
    CHECK(s.groups[1].commission == money{355 + 100 + 900 + 50 + 7 + 3});

    // The new corrections carry the pool themselves, not only through what they correct.
    auto rd = reader::open(f.db->path());
    REQUIRE(rd.has_value());
    auto st = rd->conn().prepare("t.pools", "SELECT entry_id, pool FROM sales_ledger WHERE kind = 'correction' ORDER BY entry_id");
    REQUIRE(st.has_value());
    std::vector<std::string> stored;
    for (;;) {
        auto more = st->step();
        REQUIRE(more.has_value());
        if (!*more) break;
        const auto id = st->column_int64(0);
        stored.push_back((id == c1 ? "c1" : id == c2 ? "c2" : id == c3 ? "c3" : "old") + std::string(":") + st->column_text(1));
    }
    CHECK(stored == std::vector<std::string>{"old:", "c1:gala", "c2:gala", "c3:gala"});
}
