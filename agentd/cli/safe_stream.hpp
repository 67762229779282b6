// cli/safe_stream: the streams every agentctl output goes through. Text is passed line by
// line through printable() (cli/format.hpp), so no print site can send a terminal control
// sequence that came from upstream or a channel, even one that forgot to clean a field.
// JSON output is escaped by api's encoder (C0 controls become \u00XX) except DEL and the C1
// controls U+0080..U+009F, which it writes as raw UTF-8; api::json_escape_c1 escapes those
// here: the same string to a JSON reader, inert on a terminal.
// Threading: one invocation, one thread.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace agentd::cli {

class safe_streambuf final : public std::streambuf {
public:
    enum class mode { text, json };
    safe_streambuf(std::ostream& target, mode m) : target_(target), mode_(m) {}
    ~safe_streambuf() override { finish(); }
    safe_streambuf(const safe_streambuf&) = delete;
    safe_streambuf& operator=(const safe_streambuf&) = delete;

    // Writes what is pending, including a last line without '\n', and flushes the target.
    void finish();

protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    // Complete lines only: an escape sequence is never cut in two by a flush.
    int sync() override;

private:
    void emit(std::string_view chunk);
    void emit_complete_lines();

    std::ostream& target_;
    mode mode_;
    std::string pending_;
};

}  // namespace agentd::cli
