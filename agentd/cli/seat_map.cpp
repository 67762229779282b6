#include "agentd/cli/seat_map.hpp"

#include "agentd/cli/format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace agentd::cli {
namespace {

std::string lower(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != '_' && c != '-' && c != ' ') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

struct line {
    std::string area, row;
    double y = 0;
    std::vector<const api::seat*> seats;
};

constexpr std::string_view k_legend = "o available  H held by us  b in other baskets  x sold/reserved  L locked  . unavailable";

}  // namespace

char seat_symbol(std::string_view status) noexcept {
    auto s = lower(status);
    if (s == "available") return 'o';
    if (s == "held" || s == "inbasket" || s == "heldbyus" || s == "ours") return 'H';
    if (s == "inotherbasket" || s == "otherbasket" || s == "inotherbaskets") return 'b';
    if (s == "sold" || s == "reserved" || s == "scanned") return 'x';
    if (s == "locked") return 'L';
    return '.';
}

std::string render_seat_map(const api::seat_plan& plan, const seat_map_options& opt) {
    const int width = std::max(opt.width, 20);
    std::vector<line> lines;
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    std::size_t uncoordinated = 0;
    std::map<char, std::size_t> counts;
    for (auto& s : plan.seats) {
        if (opt.area && s.area != *opt.area) continue;
        ++counts[seat_symbol(s.status)];
        if (!s.x || !s.y || !std::isfinite(*s.x) || !std::isfinite(*s.y)) {
            ++uncoordinated;
            continue;
        }
        // Seats without a row name each get a line keyed by their rounded y.
        std::string row = s.row.empty() ? "\x01" + std::to_string(std::lround(*s.y)) : s.row;
        auto [it, added] = index.try_emplace({s.area, row}, lines.size());
        if (added) lines.push_back({s.area, printable(s.row), 0, {}});  // the label, sized as printed
        lines[it->second].seats.push_back(&s);
    }
    std::string out;
    if (lines.empty()) {
        out += opt.area ? "no seats with coordinates in area " + *opt.area + "\n" : "no seats with coordinates\n";
    } else {
        double min_x = INFINITY, max_x = -INFINITY, gap = INFINITY;
        std::size_t label_w = 1;
        for (auto& l : lines) {
            std::sort(l.seats.begin(), l.seats.end(), [](auto* a, auto* b) { return *a->x < *b->x; });
            double sum = 0;
            for (std::size_t i = 0; i < l.seats.size(); ++i) {
                sum += *l.seats[i]->y;
                min_x = std::min(min_x, *l.seats[i]->x);
                max_x = std::max(max_x, *l.seats[i]->x);
                if (i > 0) {
                    double d = *l.seats[i]->x - *l.seats[i - 1]->x;
                    if (d > 1e-9) gap = std::min(gap, d);
                }
            }
            l.y = sum / static_cast<double>(l.seats.size());
            label_w = std::max(label_w, l.row.size());
        }
        // Areas in the order of their first (top-most) line; lines by y within an area.
        std::map<std::string, double> area_top;
        for (auto& l : lines) {
            auto [it, added] = area_top.try_emplace(l.area, l.y);
            if (!added) it->second = std::min(it->second, l.y);
        }
        std::stable_sort(lines.begin(), lines.end(), [&](const line& a, const line& b) {
            double ta = area_top[a.area], tb = area_top[b.area];
            if (ta != tb) return ta < tb;
            if (a.area != b.area) return a.area < b.area;
            return a.y < b.y;
        });
        const int cols = width - static_cast<int>(label_w) - 4;  // "  " indent, label, "  "
        const double span = max_x - min_x;
        // Neighbouring seats two columns apart ("o o") unless the plan is too wide for that.
        double scale = std::isfinite(gap) ? 2.0 / gap : 1.0;
        if (span > 0) scale = std::min(scale, (cols - 1) / span);
        std::size_t overlaps = 0;
        auto name_of = [&](const std::string& area) {
            for (auto& [id, name] : opt.area_names)
                if (id == area && !name.empty()) return printable(name + " (" + area + ")");
            return area.empty() ? std::string("(no area)") : printable(area);
        };
        const std::string* current = nullptr;
        for (auto& l : lines) {
            if (!current || *current != l.area) {
                out += name_of(l.area) + "\n";
                current = &l.area;
            }
            std::string cells(static_cast<std::size_t>(cols), ' ');
            for (auto* s : l.seats) {
                auto c = static_cast<std::size_t>(std::lround((*s->x - min_x) * scale));
                c = std::min(c, cells.size() - 1);
                if (cells[c] != ' ') ++overlaps;
                else cells[c] = seat_symbol(s->status);
            }
            while (!cells.empty() && cells.back() == ' ') cells.pop_back();
            std::string label = l.row;
            label.resize(label_w, ' ');
            out += "  " + label + "  " + cells + "\n";
        }
        if (overlaps)
            out += "(" + std::to_string(overlaps) + " seats overlap at this width; use --width or --area)\n";
    }
    if (uncoordinated) out += "(" + std::to_string(uncoordinated) + " seats without coordinates are not drawn)\n";
    out += "\n";
    out += k_legend;
    out += "\n";
    static constexpr std::pair<char, std::string_view> k_names[] = {
        {'o', "available"}, {'H', "held by us"}, {'b', "in other baskets"}, {'x', "sold/reserved"}, {'L', "locked"}, {'.', "unavailable"}};
    std::string tally;
    for (auto& [sym, name] : k_names) {
        if (!counts.count(sym)) continue;
        if (!tally.empty()) tally += ", ";
        tally += std::to_string(counts[sym]) + " " + std::string(name);
    }
    out += "seats: " + (tally.empty() ? std::string("none") : tally) + "\n";
    return out;
}

}  // namespace agentd::cli
