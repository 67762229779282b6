#include "agentd/api/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <set>

namespace agentd::api {
namespace {

void escape(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

void number(std::string& out, double v) {
    if (std::isnan(v)) { out += "NaN"; return; }
    if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, ec == std::errc{} ? p : buf);
}

}  // namespace

std::string to_prometheus(const metrics_snapshot& s) {
    std::string out;
    std::set<std::string> described;
    // Samples of one name must be contiguous in the exposition: emit name by name.
    for (std::size_t i = 0; i < s.samples.size(); ++i) {
        auto& head = s.samples[i];
        if (!described.insert(head.name).second) continue;
        out += "# HELP " + head.name + " ";
        for (char c : head.help) out += c == '\n' ? ' ' : c;
        out += "\n# TYPE " + head.name + " " + (head.type.empty() ? "gauge" : head.type) + "\n";
        for (std::size_t j = i; j < s.samples.size(); ++j) {
            auto& m = s.samples[j];
            if (m.name != head.name) continue;
            out += m.name;
            if (!m.labels.empty()) {
                out += '{';
                for (std::size_t k = 0; k < m.labels.size(); ++k) {
                    if (k) out += ',';
                    out += m.labels[k].first + "=\"";
                    escape(out, m.labels[k].second);
                    out += '"';
                }
                out += '}';
            }
            out += ' ';
            number(out, m.value);
            out += '\n';
        }
    }
    return out;
}

}  // namespace agentd::api
