#include "agentd/cli/seat_map.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace agentd;

namespace {

api::seat s(std::string id, std::string area, std::string row, std::string status, double x, double y) {
    return {id, row + id, area, row, "7801", status, x, y};
}

// Two areas: Stalls (rows A, B; four seats each) above Circle (row A; three seats, offset by
// half a seat). Every status appears.
api::seat_plan small_plan() {
    api::seat_plan p{"67201AVC", "P1", "2026-11-26T21:39:56Z", {}};
    p.seats = {s("1", "A1", "A", "available", 1, 1),      s("2", "A1", "A", "InBasket", 2, 1),
               s("3", "A1", "A", "InOtherBasket", 3, 1),  s("4", "A1", "A", "sold", 4, 1),
               s("5", "A1", "B", "locked", 1, 2),         s("6", "A1", "B", "Unavailable", 2, 2),
               s("7", "A1", "B", "available", 3, 2),      s("8", "A1", "B", "available", 4, 2),
               s("9", "A2", "A", "available", 1.5, 5),    s("10", "A2", "A", "available", 2.5, 5),
               s("11", "A2", "A", "Reserved", 3.5, 5)};
    return p;
}

constexpr const char* k_legend =
    "o available  H held by us  b in other baskets  x sold/reserved  L locked  . unavailable\n";

}  // namespace

TEST_CASE("seat symbols cover the API's and Spektrix's status names") {
    CHECK(cli::seat_symbol("available") == 'o');
    CHECK(cli::seat_symbol("Available") == 'o');
    CHECK(cli::seat_symbol("held") == 'H');
    CHECK(cli::seat_symbol("InBasket") == 'H');
    CHECK(cli::seat_symbol("InOtherBasket") == 'b');
    CHECK(cli::seat_symbol("in_other_basket") == 'b');
    CHECK(cli::seat_symbol("sold") == 'x');
    CHECK(cli::seat_symbol("Reserved") == 'x');
    CHECK(cli::seat_symbol("Locked") == 'L');
    CHECK(cli::seat_symbol("Unavailable") == '.');
    CHECK(cli::seat_symbol("something new") == '.');
}

TEST_CASE("a small plan renders to the expected map") {
    cli::seat_map_options o;
    o.area_names = {{"A1", "Stalls"}, {"A2", "Circle"}};
    std::string expected = std::string(
                               "Stalls (A1)\n"
                               "  A  o H b x\n"
                               "  B  L . o o\n"
                               "Circle (A2)\n"
                               "  A   o o x\n"
                               "\n") +
                           k_legend +
                           "seats: 5 available, 1 held by us, 1 in other baskets, 2 sold/reserved, 1 locked, 1 unavailable\n";
    CHECK(cli::render_seat_map(small_plan(), o) == expected);

    SUBCASE("the order of seats in the input does not matter") {
        auto p = small_plan();
        std::reverse(p.seats.begin(), p.seats.end());
        CHECK(cli::render_seat_map(p, o) == expected);
    }
}

TEST_CASE("--area draws one area only") {
    cli::seat_map_options o;
    o.area = "A2";
    CHECK(cli::render_seat_map(small_plan(), o) == std::string("A2\n"
                                                               "  A  o o x\n"
                                                               "\n") +
                                                       k_legend + "seats: 2 available, 1 sold/reserved\n");
    o.area = "nope";
    CHECK(cli::render_seat_map(small_plan(), o).starts_with("no seats with coordinates in area nope\n"));
}

TEST_CASE("a plan wider than the terminal is scaled down to fit") {
    api::seat_plan p{"I", "P", "", {}};
    for (int i = 0; i < 200; ++i) p.seats.push_back(s(std::to_string(i), "A1", "A", "available", i, 1));
    cli::seat_map_options o;
    o.width = 40;
    auto out = cli::render_seat_map(p, o);
    auto first = out.substr(0, out.find('\n', out.find('\n') + 1));
    auto line = first.substr(first.find('\n') + 1);
    CHECK(line.size() <= 40);
    CHECK(line.starts_with("  A  o"));
    CHECK(out.find("seats overlap at this width") != std::string::npos);
    CHECK(out.find("seats: 200 available") != std::string::npos);
}

TEST_CASE("seats without coordinates are counted, not drawn") {
    api::seat_plan p{"I", "P", "", {s("1", "A1", "A", "available", 1, 1)}};
    p.seats.push_back({"2", "A2", "A1", "A", "7801", "sold", std::nullopt, std::nullopt});
    auto out = cli::render_seat_map(p, {});
    CHECK(out.find("  A  o\n") != std::string::npos);
    CHECK(out.find("(1 seats without coordinates are not drawn)") != std::string::npos);
    CHECK(out.find("1 available, 1 sold/reserved") != std::string::npos);
}
