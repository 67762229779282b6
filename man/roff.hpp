// man/roff: turns the plain-text help the binaries print (headings ending in ':', option lines
// "  --name ARG   what it does", indented continuation lines, paragraphs) into man(7) source,
// so each man page is generated from the very text `--help` shows. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agentd::man {

// Text escaped for a roff text line: backslashes, minus signs, and a leading '.' or '\''.
std::string escape(std::string_view text);

// A block of help text (no heading line) as roff: option lines become .TP entries (their
// continuation lines join the description), other indented lines literal, the rest filled.
std::string from_help_body(std::string_view body);

// Splits help text at its headings (a line at column 0 ending with ':', or starting "Usage: ");
// the text before the first heading has the empty heading.
std::vector<std::pair<std::string, std::string>> split_sections(std::string_view help);

struct page {
    std::string name;     // "agentctl"
    std::string section;  // "8"
    std::string version;  // shown in the footer
    std::string manual;   // "System Administration", "File Formats", "User Commands"
    std::string summary;  // NAME line after the dash
    // Body sections in order: heading (upper case as shown) and roff text.
    std::vector<std::pair<std::string, std::string>> sections;
};

std::string render(const page& p);

// A page from a whole --help text: its first line "NAME - summary" (or "NAME: summary") is the
// NAME line, a "Usage:" section the SYNOPSIS, text before the first heading goes under
// `lead_heading`, and every other heading becomes a section of the same name in upper case.
page from_help(std::string_view help, std::string section, std::string version, std::string manual,
               std::string lead_heading);

// The text of a rendered page with the markup removed and white space collapsed: what the
// reader sees, for checks that every help line is in the page.
std::string plain_text(std::string_view roff);

}  // namespace agentd::man
