// The answer cache's text holder: large texts in a mapping of their own (whole pages), small
// ones in a string; the text reads back byte for byte either way, and replacing one kind with
// the other leaves nothing of the first behind.
#include "agentd/mirror/answer_text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <unistd.h>

using agentd::mirror::answer_text;

TEST_CASE("answer text: large texts are mapped in whole pages, small ones kept as strings, both read back exactly") {
    const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    std::string big(answer_text::k_mapped_from + 123, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);

    answer_text t;
    CHECK(t.size() == 0);
    CHECK(t.view().empty());

    t.assign(big);
    CHECK(t.size() == big.size());
    CHECK(t.view() == big);
    CHECK(t.footprint() % page == 0);
    CHECK(t.footprint() >= big.size());
    CHECK(t.footprint() < big.size() + page);

    answer_text moved = std::move(t);
    CHECK(moved.view() == big);

    const std::string small = "{\"instance\":\"I1\"}";
    moved.assign(small);  // the mapping is given back; the string holds the text
    CHECK(moved.view() == small);
    CHECK(moved.footprint() < page);

    moved.assign(big);
    CHECK(moved.view() == big);
    const std::string just_under(answer_text::k_mapped_from - 1, 'x');
    moved.assign(just_under);
    CHECK(moved.view() == just_under);
    CHECK(moved.footprint() >= just_under.size());
}
