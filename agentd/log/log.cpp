#include "agentd/log/log.hpp"

#include "agentd/core/time.hpp"

#include <cstdio>
#include <map>
#include <mutex>
#include <tuple>

namespace agentd::log {
namespace {

struct repeat_state {
    sys_time window_start{};
    int count = 0;
    long suppressed = 0;
};

struct sink {
    std::mutex mu;
    options opts;
    std::function<void(std::string_view)> writer;
    std::map<std::tuple<std::string, std::string, std::string>, repeat_state> repeats;
};

sink& the_sink() {
    static sink s;
    return s;
}

bool needs_quotes(std::string_view v) {
    if (v.empty()) return true;
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return true;
    return false;
}

void append_value(std::string& out, std::string_view v) {
    if (!needs_quotes(v)) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
                out.append(buf);
            } else {
                out.push_back(c);
            }
        }
    }
    out.push_back('"');
}

int journal_priority(level l) {
    switch (l) {
    case level::debug: return 7;
    case level::info: return 6;
    case level::warn: return 4;
    case level::error: return 3;
    case level::off: return 6;
    }
    return 6;
}

}  // namespace

std::string_view to_string(level l) noexcept {
    switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
    case level::off: return "off";
    }
    return "info";
}

bool parse_level(std::string_view t, level& out) noexcept {
    if (t == "debug") out = level::debug;
    else if (t == "info") out = level::info;
    else if (t == "warn" || t == "warning") out = level::warn;
    else if (t == "error") out = level::error;
    else if (t == "off") out = level::off;
    else return false;
    return true;
}

void configure(const options& o) {
    auto& s = the_sink();
    std::lock_guard lk(s.mu);
    s.opts = o;
}

void set_writer(std::function<void(std::string_view)> writer) {
    auto& s = the_sink();
    std::lock_guard lk(s.mu);
    s.writer = std::move(writer);
}

bool enabled(level l) noexcept {
    auto& s = the_sink();
    std::lock_guard lk(s.mu);
    return l >= s.opts.min_level && l != level::off;
}

void write(level l, std::string_view subsystem, std::string_view op, std::string_view message, fields f) {
    auto& s = the_sink();
    const sys_time now = std::chrono::system_clock::now();
    std::lock_guard lk(s.mu);
    if (l < s.opts.min_level || l == level::off) return;

    long suppressed = 0;
    {
        auto& r = s.repeats[{std::string(subsystem), std::string(op), std::string(message)}];
        if (now - r.window_start >= s.opts.window) {
            suppressed = r.suppressed;
            r = repeat_state{now, 0, 0};
        }
        if (r.count >= s.opts.burst) {
            ++r.suppressed;
            return;
        }
        ++r.count;
        if (s.repeats.size() > 4096) s.repeats.clear();  // bound memory under unbounded message variety
    }

    std::string line;
    line.reserve(128);
    if (s.opts.journal_prefix) {
        line += '<';
        line += char('0' + journal_priority(l));
        line += '>';
    } else {
        line += format_iso_utc_ms(now);
        line += ' ';
    }
    line += to_string(l);
    line += " subsystem=";
    append_value(line, subsystem);
    line += " op=";
    append_value(line, op);
    line += " msg=";
    append_value(line, message);
    for (const auto& fl : f) {
        line += ' ';
        line.append(fl.key);
        line += '=';
        append_value(line, fl.value);
    }
    if (suppressed > 0) {
        line += " suppressed=";
        line += std::to_string(suppressed);
    }
    if (s.writer) {
        s.writer(line);
    } else {
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
}

std::string redact(std::string_view v) {
    return v.empty() ? "[empty]" : "[redacted]";
}

}  // namespace agentd::log
