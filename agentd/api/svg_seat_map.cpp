#include "agentd/api/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>

namespace agentd::api {
namespace {

// Layout in CSS pixels (the SVG's user units): seats on a 10 px pitch with radius 4.
constexpr int k_margin = 10, k_pitch = 10, k_radius = 4, k_label_w = 34, k_head = 20, k_gap = 14;
constexpr int k_grid_cols = 40;          // seats per line when a plan gives no usable coordinates
constexpr double k_max_extent = 4000.0;  // px; a plan with a huge spread is scaled down to this
constexpr int k_legend_item = 120;

struct placed {
    const seat* s;
    long x, y;  // px inside the area's seat region
};

struct area_layout {
    std::string id;
    std::vector<const seat*> seats;
    std::vector<placed> dots;
    std::vector<std::pair<std::string, long>> rows;  // row name → y
    long w = 0, h = 0;                               // seat region size
};

bool usable(const seat& s) { return s.x && s.y && std::isfinite(*s.x) && std::isfinite(*s.y); }

// Plan coordinates when every seat has its own point; otherwise a grid in the seats' order.
void lay_out(area_layout& a) {
    bool coords = !a.seats.empty();
    std::set<std::pair<double, double>> points;
    for (auto* s : a.seats) {
        if (!usable(*s) || !points.emplace(*s->x, *s->y).second) {
            coords = false;
            break;
        }
    }
    if (!coords) {
        std::string last_row = "\x01";
        for (std::size_t i = 0; i < a.seats.size(); ++i) {
            long x = long(i % k_grid_cols) * k_pitch, y = long(i / k_grid_cols) * k_pitch;
            a.dots.push_back({a.seats[i], x, y});
            if (i % k_grid_cols == 0 && a.seats[i]->row != last_row) a.rows.emplace_back(last_row = a.seats[i]->row, y);
            a.w = std::max(a.w, x);
            a.h = std::max(a.h, y);
        }
        return;
    }
    // The pitch is the smallest gap between neighbours in a row (or between rows for one-seat rows).
    std::map<std::string, std::vector<double>> xs_by_row;
    std::set<double> ys;
    double minx = *a.seats[0]->x, miny = *a.seats[0]->y, maxx = minx, maxy = miny;
    for (auto* s : a.seats) {
        xs_by_row[s->row.empty() ? std::to_string(*s->y) : s->row].push_back(*s->x);
        ys.insert(*s->y);
        minx = std::min(minx, *s->x), maxx = std::max(maxx, *s->x);
        miny = std::min(miny, *s->y), maxy = std::max(maxy, *s->y);
    }
    double pitch = 0;
    auto consider = [&](double d) {
        if (d > 1e-9 && (pitch == 0 || d < pitch)) pitch = d;
    };
    for (auto& [row, xs] : xs_by_row) {
        std::sort(xs.begin(), xs.end());
        for (std::size_t i = 1; i < xs.size(); ++i) consider(xs[i] - xs[i - 1]);
    }
    if (pitch == 0)
        for (auto it = ys.begin(); it != ys.end() && std::next(it) != ys.end(); ++it) consider(*std::next(it) - *it);
    double scale = pitch > 0 ? k_pitch / pitch : 1.0;
    double extent = std::max(maxx - minx, maxy - miny) * scale;
    if (extent > k_max_extent) scale *= k_max_extent / extent;
    std::map<std::string, long> row_y;
    for (auto* s : a.seats) {
        long x = std::lround((*s->x - minx) * scale), y = std::lround((*s->y - miny) * scale);
        a.dots.push_back({s, x, y});
        if (!s->row.empty() && row_y.try_emplace(s->row, y).second) a.rows.emplace_back(s->row, y);
        a.w = std::max(a.w, x);
        a.h = std::max(a.h, y);
    }
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 for an invalid one.
std::size_t decode_utf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < n; ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        if ((c >> 6) != 2) return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::array<std::uint32_t, 5> k_min{0, 0, 0x80, 0x800, 0x10000};
    if (cp < k_min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}

std::string num(long v) { return std::to_string(v); }

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        auto n = decode_utf8(text, i, cp);
        if (n == 0) {
            append_utf8(out, 0xFFFD);
            ++i;
            continue;
        }
        i += n;
        switch (cp) {
        case '&': out += "&amp;"; continue;
        case '<': out += "&lt;"; continue;
        case '>': out += "&gt;"; continue;
        case '"': out += "&quot;"; continue;
        case '\'': out += "&#39;"; continue;
        default: break;
        }
        if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
            append_utf8(out, 0xFFFD);
        } else if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            static constexpr char k_hex[] = "0123456789abcdef";
            out += "&#x";
            out += k_hex[cp >> 4];
            out += k_hex[cp & 15];
            out += ';';
        } else {
            append_utf8(out, cp);
        }
    }
    return out;
}

std::size_t seat_map_status_index(std::string_view status) noexcept {
    constexpr std::size_t last = std::size(k_seat_map_statuses) - 1;
    for (std::size_t i = 0; i < last; ++i)
        if (k_seat_map_statuses[i].status == status) return i;
    return last;
}

std::string to_svg(const seat_plan& plan, const seat_map_svg_options& opt) {
    std::vector<area_layout> areas;
    std::map<std::string, std::size_t> index;
    std::array<std::size_t, std::size(k_seat_map_statuses)> counts{};
    for (auto& s : plan.seats) {
        if (!opt.areas.empty() && std::find(opt.areas.begin(), opt.areas.end(), s.area) == opt.areas.end()) continue;
        auto [it, added] = index.try_emplace(s.area, areas.size());
        if (added) areas.push_back(area_layout{s.area, {}, {}, {}, 0, 0});
        areas[it->second].seats.push_back(&s);
        ++counts[seat_map_status_index(s.status)];
    }
    for (auto& a : areas) lay_out(a);

    // Positions: areas stacked top to bottom, then the legend.
    long width = 0, y = k_margin;
    std::vector<long> tops;
    for (auto& a : areas) {
        tops.push_back(y);
        width = std::max(width, k_label_w + a.w + 2 * k_radius + 2);
        y += k_head + a.h + 2 * k_radius + 2 + k_gap;
    }
    std::size_t legend_items = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) legend_items += (counts[i] > 0 || i + 1 < counts.size());
    width = std::max<long>(width, long(legend_items) * k_legend_item);
    const long legend_y = y + 6;
    const long W = width + 2 * k_margin, H = legend_y + 14 + k_margin;

    std::string out;
    out.reserve(512 + plan.seats.size() * 56);
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(W) + "\" height=\"" + num(H) + "\" viewBox=\"0 0 " +
           num(W) + ' ' + num(H) + "\" font-family=\"sans-serif\" font-size=\"11\">";
    out += "<title>" + xml_escape(opt.title.empty() ? "seat map " + plan.instance : opt.title) + "</title>";
    out += "<style>circle{r:" + num(k_radius) + "px}.m circle{cursor:pointer}text{fill:#333}.r{text-anchor:end;fill:#777}"
           ".b{fill:none;stroke:#c8c8c8}";
    for (auto& st : k_seat_map_statuses) out += "." + std::string(st.css_class) + "{fill:" + std::string(st.colour) + "}";
    out += "</style><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>";

    const long ox = k_margin;
    for (std::size_t ai = 0; ai < areas.size(); ++ai) {
        auto& a = areas[ai];
        std::string name = a.id;
        for (auto& [id, n] : opt.area_names)
            if (id == a.id && !n.empty()) name = n;
        const long top = tops[ai];
        out += "<text x=\"" + num(ox) + "\" y=\"" + num(top + 13) + "\" font-weight=\"bold\">" + xml_escape(name) + "</text>";
        out += "<rect class=\"b\" x=\"" + num(ox + k_label_w - 4) + "\" y=\"" + num(top + k_head - 4) + "\" width=\"" +
               num(a.w + 2 * k_radius + 10) + "\" height=\"" + num(a.h + 2 * k_radius + 10) + "\"/>";
        const long sx = ox + k_label_w + k_radius + 1, sy = top + k_head + k_radius + 1;
        for (auto& [row, ry] : a.rows)
            out += "<text class=\"r\" x=\"" + num(ox + k_label_w - 8) + "\" y=\"" + num(sy + ry + 4) + "\">" +
                   xml_escape(row) + "</text>";
        for (std::size_t st = 0; st < std::size(k_seat_map_statuses); ++st) {
            bool open = false;
            for (auto& d : a.dots) {
                if (seat_map_status_index(d.s->status) != st) continue;
                if (!open) {
                    out += "<g class=\"m " + std::string(k_seat_map_statuses[st].css_class) + "\">";
                    open = true;
                }
                out += "<circle id=\"" + xml_escape(d.s->id) + "\" cx=\"" + num(sx + d.x) + "\" cy=\"" + num(sy + d.y) +
                       "\"><title>" + xml_escape(d.s->name.empty() ? d.s->id : d.s->name) + "</title></circle>";
            }
            if (open) out += "</g>";
        }
    }

    long lx = ox;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (counts[i] == 0 && i + 1 == counts.size()) continue;
        auto& st = k_seat_map_statuses[i];
        out += "<circle class=\"" + std::string(st.css_class) + "\" cx=\"" + num(lx + k_radius) + "\" cy=\"" +
               num(legend_y + 5) + "\"/><text x=\"" + num(lx + 2 * k_radius + 5) + "\" y=\"" + num(legend_y + 9) + "\">" +
               std::string(st.label) + ' ' + num(long(counts[i])) + "</text>";
        lx += k_legend_item;
    }
    out += "</svg>\n";
    return out;
}

}  // namespace agentd::api
