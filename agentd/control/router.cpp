#include "agentd/control/router.hpp"

#include <array>

namespace agentd::control {
namespace {

constexpr std::array k_routes{
    route_def{route_id::health, "GET", "/v1/health"},
    route_def{route_id::clients, "GET", "/v1/clients"},
    route_def{route_id::events, "GET", "/v1/clients/{c}/events"},
    route_def{route_id::instances, "GET", "/v1/clients/{c}/instances"},
    route_def{route_id::instance, "GET", "/v1/clients/{c}/instances/{id}"},
    route_def{route_id::seats, "GET", "/v1/clients/{c}/instances/{id}/seats"},
    route_def{route_id::seat_map_svg, "GET", "/v1/clients/{c}/instances/{id}/seatmap.svg"},
    route_def{route_id::list_reservations, "GET", "/v1/reservations"},
    route_def{route_id::create_reservation, "POST", "/v1/reservations", false, true},
    route_def{route_id::get_reservation, "GET", "/v1/reservations/{id}"},
    route_def{route_id::release_reservation, "DELETE", "/v1/reservations/{id}"},
    route_def{route_id::reservation_history, "GET", "/v1/reservations/{id}/history"},
    route_def{route_id::confirm_reservation, "POST", "/v1/reservations/{id}/confirm", false, true},
    route_def{route_id::extend_reservation, "POST", "/v1/reservations/{id}/extend", false, true},
    route_def{route_id::feed, "GET", "/v1/feed"},
    route_def{route_id::metrics, "GET", "/metrics"},
    route_def{route_id::admin_sync, "POST", "/v1/admin/sync", true, true},
    route_def{route_id::admin_reconcile, "GET", "/v1/admin/reconcile", true},
    route_def{route_id::admin_resolve, "POST", "/v1/reservations/{id}/resolve", true, true},
    route_def{route_id::ledger, "GET", "/v1/ledger", true},
    route_def{route_id::ledger_entries, "GET", "/v1/ledger/entries", true},
    route_def{route_id::pools, "GET", "/v1/pools", true},
};

// Matches `path` against `pattern` segment by segment, collecting "{x}" segments.
bool match_pattern(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
    params.clear();
    while (!pattern.empty() || !path.empty()) {
        if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
        pattern.remove_prefix(1);
        path.remove_prefix(1);
        auto pe = pattern.find('/');
        auto se = path.find('/');
        auto pseg = pattern.substr(0, pe);
        auto sseg = path.substr(0, se);
        if (!pseg.empty() && pseg.front() == '{') {
            if (sseg.empty()) return false;
            auto d = percent_decode(sseg);
            if (!d) return false;
            params.push_back(std::move(*d));
        } else if (pseg != sseg) {
            return false;
        }
        pattern.remove_prefix(pseg.size());
        path.remove_prefix(sseg.size());
    }
    return true;
}

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::span<const route_def> routes() noexcept { return k_routes; }

route_match match_route(std::string_view method, std::string_view path) {
    route_match m;
    std::vector<std::string> params;
    for (auto& r : k_routes) {
        if (!match_pattern(r.pattern, path, params)) continue;
        if (r.method == method) {
            m.result = route_match::outcome::found;
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        m.result = route_match::outcome::bad_method;
        if (!m.allow.empty()) m.allow += ", ";
        m.allow += r.method;
    }
    return m;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (s[i] == '+') {
            out.push_back(' ');
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view q) {
    std::vector<std::pair<std::string, std::string>> out;
    while (!q.empty()) {
        auto amp = q.find('&');
        auto part = q.substr(0, amp);
        q.remove_prefix(amp == std::string_view::npos ? q.size() : amp + 1);
        if (part.empty()) continue;
        auto eq = part.find('=');
        auto k = percent_decode(part.substr(0, eq));
        auto v = percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
        if (!k || !v) return std::nullopt;
        out.emplace_back(std::move(*k), std::move(*v));
    }
    return out;
}

}  // namespace agentd::control
