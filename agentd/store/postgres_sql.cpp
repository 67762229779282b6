// The SQL text rewrite of store/postgres.hpp (translate_sql): pure string work, no libpq.
#include "agentd/store/postgres.hpp"

#include <algorithm>
#include <cctype>

namespace agentd::store::detail {

std::string translate_sql(std::string_view sql, int& params) {
    std::string out;
    out.reserve(sql.size() + 8);
    params = 0;
    auto word_at = [&](std::size_t i, std::string_view w) {
        if (i + w.size() > sql.size()) return false;
        for (std::size_t k = 0; k < w.size(); ++k)
            if (std::toupper(static_cast<unsigned char>(sql[i + k])) != w[k]) return false;
        std::size_t end = i + w.size();
        return end == sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
    };
    auto is_word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
    std::size_t i = 0;
    while (i < sql.size()) {
        char ch = sql[i];
        if (ch == '\'' || ch == '"') {  // literal or quoted name, '' and "" escape themselves
            std::size_t j = i + 1;
            while (j < sql.size() && !(sql[j] == ch && (j + 1 >= sql.size() || sql[j + 1] != ch))) j += sql[j] == ch ? 2 : 1;
            out.append(sql.substr(i, j + 1 - i));
            i = j + 1;
        } else if (ch == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            std::size_t j = sql.find('\n', i);
            j = j == std::string_view::npos ? sql.size() : j;
            out.append(sql.substr(i, j - i));
            i = j;
        } else if (ch == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
            std::size_t j = sql.find("*/", i + 2);
            j = j == std::string_view::npos ? sql.size() : j + 2;
            out.append(sql.substr(i, j - i));
            i = j;
        } else if (ch == '?') {
            std::size_t j = i + 1;
            int n = 0;
            while (j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j]))) n = n * 10 + (sql[j++] - '0');
            if (j == i + 1) n = params + 1;
            params = std::max(params, n);
            out += '$';
            out += std::to_string(n);
            i = j;
        } else if ((i == 0 || !is_word(sql[i - 1])) && word_at(i, "INDEXED")) {
            // INDEXED BY <name>: skip the three words and the blanks between them.
            std::size_t j = i + 7;
            while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
            if (!word_at(j, "BY")) {
                out.append(sql.substr(i, 7));
                i += 7;
                continue;
            }
            j += 2;
            while (j < sql.size() && std::isspace(static_cast<unsigned char>(sql[j]))) ++j;
            while (j < sql.size() && is_word(sql[j])) ++j;
            i = j;
        } else if (is_word(ch)) {
            std::size_t j = i;
            while (j < sql.size() && is_word(sql[j])) ++j;
            out.append(sql.substr(i, j - i));
            i = j;
        } else {
            out += ch;
            ++i;
        }
    }
    return out;
}

}  // namespace agentd::store::detail
