// The SVG seat map as a web shop shows it: agentd on agentd-sim's small world serves
// seatmap.svg (fetched with `agentctl seats --svg`), headless Chromium renders it to PNG, and
// every seat's pixel has its status colour, the colours' pixel areas match the seat counts, and
// a click at a seat's position, found by document.elementFromPoint, yields that seat's id.
#include "png_reader.hpp"

#include "agentd/api/svg.hpp"
#include "tests/support/cli_world.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <regex>
#include <unistd.h>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {


std::string find_chromium() {
    if (auto* e = std::getenv("AGENTD_CHROMIUM"); e && *e) return e;
    for (auto* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
        if (::access(p, X_OK) == 0) return p;
    return {};
}

// Runs Chromium headless on `url`; returns its stdout (the DOM with --dump-dom).
std::string run_chromium(const std::string& chromium, const temp_dir& dir, std::vector<std::string> extra,
                         const std::string& url) {
    std::vector<std::string> argv = {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                     "--hide-scrollbars", "--force-device-scale-factor=1", "--no-first-run",
                                     "--force-color-profile=srgb", "--user-data-dir=" + dir.file("profile")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    child_process p(argv, dir.file("chromium.log"), {"HOME=" + dir.path()});
    std::string out;
    while (auto l = p.read_line(60s)) out += *l + "\n";
    auto st = p.wait(60s);
    REQUIRE_MESSAGE(st.has_value(), "chromium did not exit");
    CHECK_MESSAGE(*st == 0, read_file(dir.file("chromium.log")));
    return out;
}

struct dot {
    std::string id, css_class;
    int x = 0, y = 0;
};

// The seats of the SVG with their group's status class and centre.
std::vector<dot> seats_of(const std::string& svg) {
    std::vector<dot> out;
    static const std::regex group(R"re(<g class="m ([a-z])">)re");
    static const std::regex circle(R"re(<circle id="([^"]+)" cx="(\d+)" cy="(\d+)">)re");
    static const std::regex either(R"re(<g class="m [a-z]">|<circle id="[^"]+" cx="\d+" cy="\d+">)re");
    std::string cls;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), either);
         it != std::sregex_iterator(); ++it) {
        std::smatch m;
        auto s = it->str();
        if (std::regex_match(s, m, group)) cls = m[1];
        else if (std::regex_match(s, m, circle)) out.push_back({m[1], cls, std::stoi(m[2]), std::stoi(m[3])});
    }
    return out;
}

rgb parse_colour(std::string_view hex) {
    auto v = std::stoi(std::string(hex.substr(1)), nullptr, 16);
    return {(v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF};
}

bool near(rgb a, rgb b, int tol = 4) {
    return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

std::string css_class_of(std::string_view status) {
    return std::string(api::k_seat_map_statuses[api::seat_map_status_index(status)].css_class);
}

std::string size_attr(const std::string& svg, const char* name) {
    std::smatch m;
    REQUIRE(std::regex_search(svg, m, std::regex(std::string(" ") + name + R"re(="(\d+)")re")));
    return m[1];
}

}  // namespace

TEST_CASE("the SVG seat map in headless Chromium: colours match the seats, a click finds the seat id") {
    auto chromium = find_chromium();
    if (chromium.empty()) {
        auto* ci = std::getenv("CI");
        REQUIRE_MESSAGE(!(ci && std::string(ci) == "true"), "CI=true but chromium is not installed (scripts/deps installs it)");
        std::printf("SKIPPED: chromium is not installed\n");
        return;
    }
    auto world = make_cli_world();
    auto& cw = *world;
    auto& dir = cw.dir;
    cw.start_synced();
    const std::string client = cw.first_client();
    const auto inst = cw.on_sale_instance(client, 2);
    const std::string instance = inst.id;

    // Two seats held by us, so the map shows more than one status.
    auto hold = api::from_json<api::reservation>(
        cw.ctl({"hold", client, instance, "--best", "2", "--ticket-type", inst.prices[0].ticket_type, "--json"}).out);
    REQUIRE(hold.has_value());
    REQUIRE(cw.ctl({"wait", hold->id, "--state", "held", "--timeout", "30"}).code == 0);

    // The plan and the map read together: retried if a sync changed the plan in between.
    api::seat_plan plan;
    std::string svg;
    bool stable = wait_until(
        [&] {
            auto before = cw.ctl({"seats", client, instance, "--json"}).out;
            auto got = cw.ctl({"seats", client, instance, "--svg", dir.file("map.svg")});
            auto after = cw.ctl({"seats", client, instance, "--json"}).out;
            if (got.code != 0 || before != after) return false;
            auto p = api::from_json<api::seat_plan>(before);
            if (!p) return false;
            plan = std::move(*p);
            svg = read_file(dir.file("map.svg"));
            return true;
        },
        30s, 50ms);
    REQUIRE(stable);
    auto dots = seats_of(svg);
    REQUIRE(dots.size() == plan.seats.size());
    std::map<std::string, std::string> status_of;
    std::map<std::string, std::size_t> count_of;
    for (auto& s : plan.seats) {
        status_of[s.id] = css_class_of(s.status);
        ++count_of[css_class_of(s.status)];
    }
    for (auto& d : dots) CHECK_MESSAGE(status_of[d.id] == d.css_class, "seat " << d.id);
    MESSAGE("seat map: " << plan.seats.size() << " seats, " << svg.size() << " bytes");

    const auto w = size_attr(svg, "width"), h = size_attr(svg, "height");
    write_file(dir.file("shot.html"),
               "<!doctype html><html><head><style>html,body{margin:0;overflow:hidden}</style></head><body>" + svg +
                   "</body></html>\n");
    run_chromium(chromium, dir, {"--screenshot=" + dir.file("shot.png"), "--window-size=" + w + "," + h},
                 "file://" + dir.file("shot.html"));
    if (auto* keep = std::getenv("AGENTD_SEATMAP_OUT"); keep && *keep) {  // to look at the picture
        write_file(std::string(keep) + "/seatmap.svg", svg);
        write_file(std::string(keep) + "/seatmap.png", read_file(dir.file("shot.png")));
    }
    std::string why;
    auto png = read_png(read_file(dir.file("shot.png")), why);
    REQUIRE_MESSAGE(png.has_value(), why);
    CHECK(png->width == std::stoi(w));
    CHECK(png->height == std::stoi(h));

    // Every seat's centre pixel has its status colour.
    std::map<std::string, rgb> colour;
    for (auto& st : api::k_seat_map_statuses) colour[std::string(st.css_class)] = parse_colour(st.colour);
    std::map<std::string, std::size_t> seen;
    for (auto& d : dots) {
        REQUIRE(d.x < png->width);
        REQUIRE(d.y < png->height);
        auto px = png->at(d.x, d.y);
        for (auto& [cls, c] : colour)
            if (near(px, c)) ++seen[cls];
        CHECK_MESSAGE(near(px, colour[d.css_class]), "seat " << d.id << " at " << d.x << "," << d.y << " is " << px.r << ","
                                                          << px.g << "," << px.b << ", want class " << d.css_class);
    }
    CHECK(seen == count_of);
    // Each colour's area is its seats' discs (radius 4: about 50 px each) plus its legend disc.
    std::map<std::string, std::size_t> area;
    for (int y = 0; y < png->height; ++y)
        for (int x = 0; x < png->width; ++x)
            for (auto& [cls, c] : colour)
                if (near(png->at(x, y), c)) ++area[cls];
    for (auto& [cls, n] : count_of) {
        MESSAGE("class " << cls << ": " << n << " seats, " << area[cls] << " px");
        CHECK(area[cls] >= n * 28);  // the disc's interior: edge pixels are blended with white
        CHECK(area[cls] <= n * 60 + 60);
    }

    // A click where a web shop's customer would click: on an available seat's position. With
    // --dump-dom Chromium ignores --window-size (the viewport is tiny), so the page scrolls the
    // seat into view first and converts its page position to the viewport's.
    const dot* target = nullptr;
    for (auto& d : dots)
        if (d.css_class == "a" && (!target || d.id > target->id)) target = &d;
    REQUIRE(target != nullptr);
    write_file(dir.file("click.html"),
               "<!doctype html><html><head><style>html,body{margin:0;overflow:hidden}#picked{position:absolute;left:0;"
               "top:0;visibility:hidden}</style></head><body>" +
                   svg +
                   "<pre id=\"picked\">none</pre><script>"
                   "document.addEventListener('click',e=>{const c=e.target.closest('circle[id]');"
                   "document.getElementById('picked').textContent='seat:'+(c?c.id:'none');});"
                   "const x=" + std::to_string(target->x) + ",y=" + std::to_string(target->y) +
                   ";scrollTo(x-10,y-10);const cx=x-scrollX,cy=y-scrollY,el=document.elementFromPoint(cx,cy);"
                   "if(el)el.dispatchEvent(new MouseEvent('click',{bubbles:true,clientX:cx,clientY:cy}));"
                   "</script></body></html>\n");
    auto dom = run_chromium(chromium, dir, {"--dump-dom", "--window-size=" + w + "," + h}, "file://" + dir.file("click.html"));
    CHECK_MESSAGE(dom.find("<pre id=\"picked\">seat:" + target->id + "</pre>") != std::string::npos, dom.substr(std::min(dom.size(), dom.rfind("<pre"))));

    // ?include= limits the map to one area; an unknown area is a usage error.
    auto area_id = plan.seats.front().area;
    auto one = cw.ctl({"seats", client, instance, "--svg", "-", "--area", area_id});
    REQUIRE(one.code == 0);
    std::size_t in_area = 0;
    for (auto& s : plan.seats) in_area += s.area == area_id;
    CHECK(seats_of(one.out).size() == in_area);
    CHECK(cw.ctl({"seats", client, instance, "--svg", "-", "--area", "NO-SUCH-AREA"}).code == 2);
}
