// cli/csv: RFC 4180 for agentctl: writing fields of --csv reports and reading a venue's
// statement. Pure functions, thread-safe.
#pragma once

#include "agentd/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace agentd::cli {

// A field as RFC 4180 writes it: quoted (quotes doubled) when it holds a comma, a quote, CR or LF.
std::string csv_field(std::string_view v);
// Fields joined by commas, ended by CRLF.
std::string csv_line(const std::vector<std::string>& fields);

// Records of `text` (CRLF or LF line ends, quoted fields with commas, doubled quotes and line
// breaks; a UTF-8 byte order mark is skipped; a final empty line is not a record).
// errc::decode_error naming the line for a quote left open or text after a closing quote.
result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text);

}  // namespace agentd::cli
