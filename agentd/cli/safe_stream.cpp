#include "agentd/cli/safe_stream.hpp"

#include "agentd/api/json.hpp"
#include "agentd/cli/format.hpp"

namespace agentd::cli {

void safe_streambuf::emit(std::string_view chunk) {
    const std::string clean = mode_ == mode::json ? api::json_escape_c1(chunk) : printable(chunk, true);
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
