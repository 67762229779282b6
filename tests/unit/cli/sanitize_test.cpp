// What agentctl prints of upstream and channel text: control characters and escape sequences
// removed by printable(), in table cells, in plain text and on every stream; JSON output keeps
// the data but escapes what would still reach a terminal raw.
#include "agentd/api/json.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/cli/safe_stream.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace agentd;
using cli::printable;

namespace {

// No byte a terminal would act on: C0 except '\n', DEL, raw C1 bytes or their UTF-8 forms.
bool inert(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            return false;
    }
    return true;
}

}  // namespace

TEST_CASE("printable removes escape sequences whole and keeps the text around them") {
    CHECK(printable("Ham\x1b]0;pwned\x07let") == "Hamlet");         // OSC retitle, BEL-terminated
    CHECK(printable("Ham\x1b]0;pwned\x1b\\let") == "Hamlet");       // ... ST-terminated
    CHECK(printable("\x1b[2JHamlet") == "Hamlet");                  // CSI clear screen
    CHECK(printable("\x1b[1;31mred\x1b[0m") == "red");              // SGR colours
    CHECK(printable("a\x1b" "cb") == "ab");                         // ESC c (reset)
    CHECK(printable("a\x1b(Bb") == "ab");                           // charset designation
    CHECK(printable("a\x1bP1$r\x1b\\b") == "ab");                   // DCS
    CHECK(printable("a\x1b_apc\x07" "b") == "ab");                  // APC
    CHECK(printable("a\xC2\x9B" "2Jb") == "ab");                    // C1 CSI as UTF-8
    CHECK(printable("a\xC2\x9D" "0;x\xC2\x9C" "b") == "ab");        // C1 OSC ... C1 ST
    CHECK(printable("a\xC2\x85" "b") == "ab");                      // other C1 (NEL)
    CHECK(printable("a\x9B" "2Jb") == "a?2Jb");                     // raw 8-bit CSI: not UTF-8
    CHECK(printable("tab\there") == "tab here");
    CHECK(printable("line\nforged") == "line forged");
    CHECK(printable("line\nkept\tand", true) == "line\nkept\tand");
    CHECK(printable("cr\roverwrite\x08\x7f" "z", false) == "croverwritez");
    CHECK(printable(std::string("nul\0byte", 8)) == "nulbyte");
    CHECK(printable("unterminated \x1b]0;title") == "unterminated ");
    CHECK(printable("trailing esc \x1b") == "trailing esc ");
    CHECK(printable("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xAD") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x8E\xAD");  // UTF-8 kept
    CHECK(printable("bad \xC3\x28 \xED\xA0\x80 \xC0\xAF") == "bad ?( ??? ??");  // malformed, surrogate, overlong
    CHECK(printable("") == "");
}

TEST_CASE("table cells are cleaned before they are measured") {
    cli::table t({"EVENT", "NAME"});
    t.add({"1201AVC", "Ham\x1b]0;pwned\x07let\x1b[2J"});
    t.add({"1202AVC", "Lear"});
    CHECK(t.render() ==
          "EVENT    NAME\n"
          "1201AVC  Hamlet\n"
          "1202AVC  Lear\n");
}

TEST_CASE("the safe stream cleans text line by line, however it is written") {
    std::ostringstream target;
    {
        cli::safe_streambuf buf(target, cli::safe_streambuf::mode::text);
        std::ostream out(&buf);
        out << "name: Ham\x1b]0;pw";  // a sequence split across writes and a flush
        out.flush();
        out << "ned\x07let\n";
        out << 'x' << '\x1b' << '[' << '2' << 'J' << 'y' << '\n';  // one character at a time
        out << "no newline at the end \x1b[2J";
    }
    CHECK(target.str() == "name: Hamlet\nxy\nno newline at the end ");
    CHECK(inert(target.str()));
}

TEST_CASE("JSON output keeps the data and escapes DEL and C1 controls") {
    CHECK(api::json_escape_c1(R"({"name":"a)" "\xC2\x9B" R"(2Jb)" "\x7f" R"("})") == R"({"name":"a\u009b2Jb\u007f"})");
    CHECK(api::json_escape_c1("{\"name\":\"caf\xC3\xA9\"}") == "{\"name\":\"caf\xC3\xA9\"}");
    std::ostringstream target;
    {
        cli::safe_streambuf buf(target, cli::safe_streambuf::mode::json);
        std::ostream out(&buf);
        out << "{\"x\":\"\xC2\x9D" "0;t\"}\n";
    }
    CHECK(target.str() == "{\"x\":\"\\u009d0;t\"}\n");
    CHECK(inert(target.str()));
}
