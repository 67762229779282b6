// api::to_svg and api::xml_escape: seats at their coordinates with ids and titles, grouped by
// status, legend counts, --include filtering, hostile names escaped, and the size of a big plan.
#include "agentd/api/svg.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace agentd::api;

namespace {

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
    return n;
}

seat_plan big_plan(int rows, int per_row) {
    seat_plan p;
    p.instance = "67201AVC";
    const char* statuses[] = {"available", "available", "sold", "held", "locked"};
    for (int r = 0; r < rows; ++r)
        for (int k = 0; k < per_row; ++k) {
            seat s;
            s.id = std::to_string(50000 + r * per_row + k);
            s.name = std::string(1, char('A' + r % 26)) + std::to_string(k + 1);
            s.area = r < rows / 2 ? "A1" : "A2";
            s.row = std::string(1, char('A' + r % 26));
            s.status = statuses[(r * per_row + k) % 5];
            s.x = 40 + k * 20;
            s.y = 40 + (r % (rows / 2)) * 24;
            p.seats.push_back(s);
        }
    return p;
}

}  // namespace

TEST_CASE("xml_escape: markup, controls and bad UTF-8 are inert") {
    CHECK(xml_escape("Stalls & <Circle> \"A\" 'B'") == "Stalls &amp; &lt;Circle&gt; &quot;A&quot; &#39;B&#39;");
    CHECK(xml_escape("a\x01" "b") == "a\xEF\xBF\xBD" "b");
    CHECK(xml_escape("tab\there") == "tab\there");
    CHECK(xml_escape("\x7f") == "&#x7f;");
    CHECK(xml_escape("\xC2\x9B") == "&#x9b;");
    CHECK(xml_escape("caf\xC3\xA9") == "caf\xC3\xA9");
    CHECK(xml_escape("\xC3") == "\xEF\xBF\xBD");          // truncated sequence
    CHECK(xml_escape("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
    CHECK(xml_escape("\xED\xA0\x80").find("\xED") == std::string::npos);  // surrogate
}

TEST_CASE("to_svg: each seat an element with its id, position, title and status group") {
    seat_plan p;
    p.instance = "I1";
    p.seats = {{"53613", "A1", "A1", "A", "7801", "available", 10.0, 20.0},
               {"53614", "A2", "A1", "A", "7801", "sold", 11.0, 20.0},
               {"53615", "B1", "A1", "B", "7801", "held", 10.0, 21.0},
               {"53616", "<x>", "A1", "B", "7801", "weird", 11.0, 21.0}};
    seat_map_svg_options opt;
    opt.area_names = {{"A1", "Stalls & Pit"}};
    opt.title = "The Seagull, 2026-12-01T19:30:00";
    auto svg = to_svg(p, opt);
    CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    CHECK(svg.ends_with("</svg>\n"));
    CHECK(svg.find("<title>The Seagull, 2026-12-01T19:30:00</title>") != std::string::npos);
    CHECK(svg.find(">Stalls &amp; Pit</text>") != std::string::npos);
    CHECK(count(svg, "<circle id=") == 4);
    // Pitch 1.0 in plan units is 10 px: A2 sits 10 px right of A1, B1 10 px below.
    auto a1 = svg.find("<circle id=\"53613\" cx=\"");
    REQUIRE(a1 != std::string::npos);
    CHECK(svg.find("<g class=\"m a\"><circle id=\"53613\"") != std::string::npos);
    CHECK(svg.find("<g class=\"m s\"><circle id=\"53614\"") != std::string::npos);
    CHECK(svg.find("<g class=\"m h\"><circle id=\"53615\"") != std::string::npos);
    CHECK(svg.find("<g class=\"m u\"><circle id=\"53616\"") != std::string::npos);
    CHECK(svg.find("<title>&lt;x&gt;</title>") != std::string::npos);
    CHECK(svg.find("cx=\"49\" cy=\"35\"><title>A1<") != std::string::npos);
    CHECK(svg.find("cx=\"59\" cy=\"35\"><title>A2<") != std::string::npos);
    CHECK(svg.find("cx=\"49\" cy=\"45\"><title>B1<") != std::string::npos);
    CHECK(svg.find(">available 1</text>") != std::string::npos);
    CHECK(svg.find(">sold 1</text>") != std::string::npos);
    CHECK(svg.find(">unavailable 1</text>") != std::string::npos);
    CHECK(svg.find(">A</text>") != std::string::npos);  // row labels
    CHECK(svg.find(">B</text>") != std::string::npos);
}

TEST_CASE("to_svg: only the included areas; seats without coordinates on a grid") {
    auto p = big_plan(4, 5);
    seat standing{"90000", "Standing 1", "A3", "", "7803", "available", std::nullopt, std::nullopt};
    p.seats.push_back(standing);
    standing.id = "90001";
    p.seats.push_back(standing);
    seat_map_svg_options opt;
    opt.areas = {"A2", "A3"};
    auto svg = to_svg(p, opt);
    CHECK(count(svg, "<circle id=") == 12);
    CHECK(svg.find("id=\"50000\"") == std::string::npos);  // area A1
    CHECK(svg.find("id=\"90001\"") != std::string::npos);
    CHECK(svg.find(">A3</text>") != std::string::npos);  // heading falls back to the id
}

TEST_CASE("to_svg: a 2,000-seat plan stays small") {
    auto p = big_plan(40, 50);
    auto svg = to_svg(p, {});
    CHECK(count(svg, "<circle id=") == 2000);
    double per_seat = double(svg.size()) / 2000.0;
    MESSAGE("2000 seats: " << svg.size() << " bytes, " << per_seat << " bytes per seat");
    CHECK(per_seat < 70.0);  // id, centre, title: about 65 bytes with 5-digit ids
    CHECK(count(svg, "<g class=") == 2 * 4);  // one group per status per area
}
