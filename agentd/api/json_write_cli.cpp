// Encoders of api/json.hpp for agentctl's own --json documents, and the terminal-safe pass
// over any JSON agentctl prints. docs/agentctl.md shows the shapes.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"

namespace agentd::api {

using namespace detail;

std::string to_json(const config_check_report& r) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "ok", r.ok);
        kv(w, "file", r.file);
        if (!r.ok) {
            kv(w, "error", r.error);
        } else {
            kv(w, "clients", r.clients);
            kv(w, "channels", r.channels);
            kv(w, "effective", r.effective);
        }
        w.EndObject();
    });
}

std::string to_json(const db_stats_report& s) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "path", s.path);
        kv(w, "schemaVersion", s.schema_version);
        kv(w, "binarySchemaVersion", s.binary_schema_version);
        kv(w, "pageSize", s.page_size);
        kv(w, "pageCount", s.page_count);
        kv(w, "freelistCount", s.freelist_count);
        key(w, "fileBytes");
        w.Uint64(s.file_bytes);
        key(w, "walBytes");
        w.Uint64(s.wal_bytes);
        key(w, "tables");
        w.StartObject();
        for (const auto& [name, rows] : s.tables) kv(w, name, rows);
        w.EndObject();
        w.EndObject();
    });
}

std::string to_json(const db_check_report& r) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "path", r.path);
        kv(w, "ok", r.ok);
        key(w, "problems");
        w.StartArray();
        for (const auto& p : r.problems) str(w, p);
        w.EndArray();
        w.EndObject();
    });
}

std::string to_json(const std::vector<instance_with_age>& v) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "instances");
        w.StartArray();
        for (const auto& i : v) {
            w.StartObject();
            members(w, i.summary);
            if (i.availability_age) kv(w, "availabilityAge", *i.availability_age);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

std::string to_json(const reservation_with_history& r) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "history");
        w.StartArray();
        for (const auto& h : r.history) write(w, h);
        w.EndArray();
        key(w, "reservation");
        write(w, r.reservation);
        w.EndObject();
    });
}

std::string json_escape_c1(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        // U+0080..U+009F is C2 80..C2 9F in UTF-8; in JSON it can only sit inside a string.
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F &&
            static_cast<unsigned char>(s[i + 1]) >= 0x80) {
            const auto v = static_cast<unsigned char>(s[++i]);
            out += "\\u00";
            out += hex[v >> 4];
            out += hex[v & 15];
        } else if (c == 0x7F) {
            out += "\\u007f";
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace agentd::api
