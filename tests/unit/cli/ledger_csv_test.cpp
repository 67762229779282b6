// agentctl's CSV (RFC 4180) and the statement diff of `agentctl ledger diff`, as pure functions.
// The CSV written is parsed back by an independent reader written here, not by cli/csv.
#include "agentd/cli/csv.hpp"
#include "agentd/cli/ledger_diff.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::cli;

namespace {

// A straightforward RFC 4180 reader: a state machine over characters, CRLF record ends.
std::vector<std::vector<std::string>> rfc4180(const std::string& s) {
    std::vector<std::vector<std::string>> rows(1);
    std::string f;
    enum { start, plain, quoted, quote_in_quoted } st = start;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (st == quoted) {
            if (c == '"') st = quote_in_quoted;
            else f += c;
            continue;
        }
        if (st == quote_in_quoted && c == '"') {
            f += '"';
            st = quoted;
            continue;
        }
        if (c == '"' && st == start) {
            st = quoted;
        } else if (c == ',') {
            rows.back().push_back(f);
            f.clear();
            st = start;
        } else if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
            rows.back().push_back(f);
            f.clear();
            rows.emplace_back();
            st = start;
            ++i;
        } else {
            REQUIRE_MESSAGE(st != quote_in_quoted, "text after a closing quote at " << i);
            f += c;
            st = plain;
        }
    }
    REQUIRE(st != quoted);
    REQUIRE(rows.back().empty());  // every record ends with CRLF
    rows.pop_back();
    return rows;
}

api::ledger_entry sale(std::int64_t n, std::string order, std::int64_t tickets, std::string face, std::string commission,
                       std::string net) {
    api::ledger_entry e;
    e.entry = n;
    e.kind = "sale";
    e.order_id = std::move(order);
    e.reservation = "r_" + std::to_string(n);
    e.tickets = tickets;
    e.face = std::move(face);
    e.commission = std::move(commission);
    e.net = std::move(net);
    return e;
}

}  // namespace

TEST_CASE("csv_line quotes only what RFC 4180 needs and reads back field for field") {
    const std::vector<std::string> fields = {"plain", "with, comma", "say \"hi\"", "two\r\nlines", "", "35.50", "£ GBP"};
    const auto line = csv_line(fields);
    CHECK(line == "plain,\"with, comma\",\"say \"\"hi\"\"\",\"two\r\nlines\",,35.50,£ GBP\r\n");
    auto back = rfc4180(line + csv_line({"a", "b"}));
    REQUIRE(back.size() == 2);
    CHECK(back[0] == fields);
    CHECK(back[1] == std::vector<std::string>{"a", "b"});
    // And cli's own reader, used for statements, agrees.
    auto mine = parse_csv(line);
    REQUIRE(mine.has_value());
    REQUIRE(mine->size() == 1);
    CHECK(mine->front() == fields);
}

TEST_CASE("parse_csv: LF or CRLF, a BOM, quoted line breaks; malformed quoting is a typed error") {
    auto r = parse_csv("\xEF\xBB\xBFh1,h2\n\"a\nb\",2\r\nx,\"\"\n");
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 3);
    CHECK((*r)[0] == std::vector<std::string>{"h1", "h2"});
    CHECK((*r)[1] == std::vector<std::string>{"a\nb", "2"});
    CHECK((*r)[2] == std::vector<std::string>{"x", ""});
    CHECK(parse_csv("a,\"open\n").error().code == errc::decode_error);
    CHECK(parse_csv("a,\"x\"y\n").error().code == errc::decode_error);
}

TEST_CASE("a statement is read by the configured column names, amounts exactly") {
    api::statement_columns cols{"Order Ref", "Qty", "Gross", "Agent Disc", "Net Due"};
    auto s = read_statement("Net Due,Order Ref,Qty,Gross,Agent Disc\r\n63.90,O1,2,71.00,7.10\r\n\"1,000.00\",O2,1,1,0\r\n",
                            cols);
    CHECK(s.error().code == errc::invalid_argument);  // "1,000.00" is not decimal money
    s = read_statement("Net Due,Order Ref,Qty,Gross,Agent Disc\r\n63.90,O1,2,71.00,7.10\r\n", cols);
    REQUIRE(s.has_value());
    REQUIRE(s->size() == 1);
    CHECK(s->front().order_id == "O1");
    CHECK(s->front().tickets == 2);
    CHECK(s->front().total == money{7100});
    CHECK(s->front().commission == money{710});
    CHECK(s->front().net == money{6390});
    CHECK(read_statement("order_id,total\r\nO1,1.00\r\n", {}).error().message.find("tickets") != std::string::npos);
    CHECK(read_statement("order_id,tickets,total,agent_discount,net\r\nO1,1,1.00,0,1.00\r\nO1,1,1.00,0,1.00\r\n", {})
              .error().message.find("repeated") != std::string::npos);
    CHECK(read_statement("order_id,tickets,total,agent_discount,net\r\nO1,1,1.005,0,1.00\r\n", {}).error().code ==
          errc::invalid_argument);
}

TEST_CASE("the statement diff: matching, missing on each side, amount differences, corrections counted") {
    api::ledger_entries books;
    books.currency = "GBP";
    books.entries.push_back(sale(1, "O1", 2, "71.00", "7.10", "63.90"));
    books.entries.push_back(sale(2, "O2", 1, "35.50", "0.00", "35.50"));  // settled by an operator: commission unknown
    books.entries.push_back(sale(3, "O3", 1, "20.00", "2.00", "18.00"));  // not invoiced
    books.entries.push_back(sale(4, "", 1, "20.00", "2.00", "18.00"));    // already confirmed, no order id
    auto correction = sale(5, "", 0, "0.00", "3.55", "-3.55");
    correction.kind = "correction";
    correction.corrects = 2;
    books.entries.push_back(correction);
    const auto statement = read_statement("order_id,confirmed_at,tickets,total,agent_discount,net\r\n"
                                          "O1,2026-11-30T18:00:00Z,2,71.00,7.10,63.90\r\n"
                                          "O2,2026-11-30T18:05:00Z,1,35.50,3.55,31.95\r\n"
                                          "O4,2026-11-30T18:10:00Z,3,90.00,9.00,81.00\r\n",
                                          {});
    REQUIRE(statement.has_value());
    auto d = diff_statement(*statement, books);
    REQUIRE(d.has_value());
    CHECK(d->matched == 2);  // O1 as is; O2 once its correction is added
    REQUIRE(d->missing_in_ledger.size() == 1);
    CHECK(d->missing_in_ledger[0].order_id == "O4");
    REQUIRE(d->missing_in_statement.size() == 1);
    CHECK(d->missing_in_statement[0].order_id == "O3");
    CHECK(d->differences.empty());
    CHECK(d->ledger_without_order_id == std::vector<std::string>{"r_4"});
    CHECK_FALSE(d->clean());

    SUBCASE("an amount difference names the field, statement first") {
        books.entries.pop_back();  // without the correction, O2 differs in commission and net
        auto d2 = diff_statement(*statement, books);
        REQUIRE(d2.has_value());
        REQUIRE(d2->differences.size() == 1);
        CHECK(d2->differences[0].order_id == "O2");
        CHECK(d2->differences[0].what == "commission 3.55 vs 0.00; net 31.95 vs 35.50");
    }
    SUBCASE("a clean statement") {
        books.entries.erase(books.entries.begin() + 2);  // O3
        auto clean = read_statement("order_id,tickets,total,agent_discount,net\r\nO1,2,71.00,7.10,63.90\r\nO2,1,35.50,3.55,31.95\r\n", {});
        auto d3 = diff_statement(*clean, books);
        REQUIRE(d3.has_value());
        CHECK(d3->clean());
        CHECK(d3->matched == 2);
    }
}
