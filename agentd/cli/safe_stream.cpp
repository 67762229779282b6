#include "agentd/cli/safe_stream.hpp"

#include "agentd/cli/format.hpp"

namespace agentd::cli {

std::string json_terminal_safe(std::string_view s) {
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

void safe_streambuf::emit(std::string_view chunk) {
    const std::string clean = mode_ == mode::json ? json_terminal_safe(chunk) : printable(chunk, true);
    target_.write(clean.data(), static_cast<std::streamsize>(clean.size()));
}

void safe_streambuf::emit_complete_lines() {
    const auto end = pending_.rfind('\n');
    if (end == std::string::npos) return;
    emit(std::string_view(pending_).substr(0, end + 1));
    pending_.erase(0, end + 1);
}

safe_streambuf::int_type safe_streambuf::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    pending_ += traits_type::to_char_type(c);
    if (pending_.back() == '\n') emit_complete_lines();
    return c;
}

std::streamsize safe_streambuf::xsputn(const char* s, std::streamsize n) {
    pending_.append(s, static_cast<std::size_t>(n));
    emit_complete_lines();
    return n;
}

int safe_streambuf::sync() {
    emit_complete_lines();
    target_.flush();
    return target_ ? 0 : -1;
}

void safe_streambuf::finish() {
    emit_complete_lines();
    if (!pending_.empty()) emit(pending_);
    pending_.clear();
    target_.flush();
}

}  // namespace agentd::cli
