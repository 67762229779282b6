#include "agentd/cli/csv.hpp"

namespace agentd::cli {

std::string csv_field(std::string_view v) {
    if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
    return out + "\r\n";
}

result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> rec;
    std::string field;
    std::size_t line = 1, i = 0;
    bool any = false;  // the current record has started
    auto end_record = [&] {
        rec.push_back(std::move(field));
        field.clear();
        out.push_back(std::move(rec));
        rec.clear();
        any = false;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '"' && field.empty()) {
            const std::size_t opened = line;
            ++i;
            for (;;) {
                if (i >= text.size())
                    return fail(errc::decode_error, "CSV line " + std::to_string(opened) + ": quoted field never closed");
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                if (text[i] == '\n') ++line;
                field += text[i++];
            }
            any = true;
            if (i < text.size() && text[i] != ',' && text[i] != '\r' && text[i] != '\n')
                return fail(errc::decode_error, "CSV line " + std::to_string(line) + ": text after a closing quote");
            continue;
        }
        if (c == ',') {
            rec.push_back(std::move(field));
            field.clear();
            any = true;
            ++i;
        } else if (c == '\r' || c == '\n') {
            i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
            if (any || !field.empty()) end_record();
            ++line;
        } else {
            field += c;
            any = true;
            ++i;
        }
    }
    if (any || !field.empty()) end_record();
    return out;
}

}  // namespace agentd::cli
