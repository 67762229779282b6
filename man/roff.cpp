// Plain-text help to man(7). The help texts follow one layout (see roff.hpp); anything else is
// kept as a filled paragraph, so an unusual line degrades to prose rather than vanishing.
#include "man/roff.hpp"

#include <algorithm>
#include <cctype>

namespace agentd::man {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        auto nl = text.find('\n');
        out.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

std::size_t indent_of(std::string_view l) {
    std::size_t i = 0;
    while (i < l.size() && l[i] == ' ') ++i;
    return i;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// "  --client C      only client C": the term and its description, split at the first run of
// two or more spaces after the term; nothing for lines without such a gap.
bool split_option(std::string_view line, std::string_view& term, std::string_view& desc) {
    auto body = line.substr(indent_of(line));
    auto gap = body.find("  ");
    if (gap == std::string_view::npos) return false;
    term = trim(body.substr(0, gap));
    desc = trim(body.substr(gap));
    return !term.empty() && !desc.empty();
}

bool is_heading(std::string_view l) {
    return !l.empty() && l.front() != ' ' && l.back() == ':' && l.find(". ") == std::string_view::npos && l.size() < 40;
}

}  // namespace

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\e";
        else if (c == '-') out += "\\-";
        else out += c;
    }
    if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
    return out;
}

std::string from_help_body(std::string_view body) {
    std::string out;
    auto lines = lines_of(body);
    bool in_list = false;        // after a .TP entry: continuation lines belong to it
    std::size_t list_indent = 0;  // indentation of the entry's term
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto l = lines[i];
        if (trim(l).empty()) {
            in_list = false;
            out += ".PP\n";
            continue;
        }
        auto ind = indent_of(l);
        std::string_view term, desc;
        if (ind > 0 && split_option(l, term, desc) && !(in_list && ind > list_indent + 2)) {
            out += ".TP\n.B " + escape(term) + "\n" + escape(desc) + "\n";
            in_list = true;
            list_indent = ind;
        } else if (ind > 0 && in_list) {
            out += escape(trim(l)) + "\n";
        } else if (ind > 0) {
            out += ".RS 4\n.nf\n" + escape(trim(l)) + "\n.fi\n.RE\n";
        } else {
            if (in_list) out += ".PP\n";
            in_list = false;
            out += escape(l) + "\n";
        }
    }
    while (out.size() >= 4 && out.compare(out.size() - 4, 4, ".PP\n") == 0) out.resize(out.size() - 4);
    while (out.rfind(".PP\n", 0) == 0) out.erase(0, 4);
    return out;
}

std::vector<std::pair<std::string, std::string>> split_sections(std::string_view help) {
    std::vector<std::pair<std::string, std::string>> out{{"", ""}};
    for (auto l : lines_of(help)) {
        if (is_heading(l)) {
            out.emplace_back(std::string(l.substr(0, l.size() - 1)), "");
            continue;
        }
        if (l.rfind("Usage: ", 0) == 0) {  // "Usage: agentd [...]": the heading and its first line
            out.emplace_back("Usage", std::string(l.substr(7)) + "\n");
            continue;
        }
        out.back().second.append(l).append("\n");
    }
    return out;
}

std::string render(const page& p) {
    std::string upper;
    for (char c : p.name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    std::string out = ".\\\" Generated from the help text and tables of " + p.name +
                      "; do not edit (see man/ in the source tree).\n";
    out += ".TH \"" + escape(upper) + "\" \"" + p.section + "\" \"\" \"agentd " + p.version + "\" \"" + p.manual + "\"\n";
    out += ".SH NAME\n" + escape(p.name) + " \\- " + escape(p.summary) + "\n";
    for (auto& [heading, text] : p.sections) {
        out += ".SH \"" + heading + "\"\n" + text;
        if (!text.empty() && text.back() != '\n') out += "\n";
    }
    return out;
}

page from_help(std::string_view help, std::string section, std::string version, std::string manual,
               std::string lead_heading) {
    page p;
    p.section = std::move(section);
    p.version = std::move(version);
    p.manual = std::move(manual);
    auto first = help.substr(0, help.find('\n'));
    auto sep = first.find(" - ");
    std::size_t skip = 3;
    if (sep == std::string_view::npos) {
        sep = first.find(": ");
        skip = 2;
    }
    p.name = std::string(first.substr(0, sep));
    p.summary = sep == std::string_view::npos ? "" : std::string(first.substr(sep + skip));
    auto rest = help.substr(std::min(help.size(), first.size() + 1));
    for (auto& [heading, body] : split_sections(rest)) {
        if (trim(body).empty()) continue;
        if (heading == "Usage") {
            std::string synopsis = ".nf\n";
            for (auto l : lines_of(body))
                if (!trim(l).empty()) synopsis += escape(trim(l)) + "\n";
            p.sections.emplace_back("SYNOPSIS", synopsis + ".fi\n");
            continue;
        }
        std::string upper;
        for (char c : heading.empty() ? lead_heading : heading)
            upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        p.sections.emplace_back(upper, from_help_body(body));
    }
    return p;
}

std::string plain_text(std::string_view roff) {
    std::string out;
    for (auto l : lines_of(roff)) {
        if (l.rfind(".\\\"", 0) == 0) continue;
        bool request = false;
        if (!l.empty() && l.front() == '.') {
            // A request: keep the text of .B/.I/.SS/.SH/.TH arguments, drop the rest.
            auto sp = l.find(' ');
            auto req = l.substr(0, sp);
            if (sp == std::string_view::npos || !(req == ".B" || req == ".I" || req == ".SS" || req == ".SH")) continue;
            l = l.substr(sp + 1);
            request = true;
        }
        std::string line;
        for (std::size_t i = 0; i < l.size(); ++i) {
            if (l[i] != '\\' || i + 1 >= l.size()) {
                if (!request || l[i] != '"') line += l[i];
                continue;
            }
            char n = l[++i];
            if (n == 'e') line += '\\';
            else if (n == '-') line += '-';
            else if (n == '&') continue;
            else if (n == 'f' && i + 1 < l.size()) ++i;  // \fB, \fR, \fI
            else line += n;
        }
        out += line + " ";
    }
    std::string collapsed;
    for (char c : out) {
        bool space = std::isspace(static_cast<unsigned char>(c));
        if (space && (collapsed.empty() || collapsed.back() == ' ')) continue;
        collapsed += space ? ' ' : c;
    }
    while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    return collapsed;
}

}  // namespace agentd::man
