// Every feed payload docs/local-api.md shows is decoded with api's decoder for its kind and
// re-encoded to the same bytes: the documented shapes are the encoders' output, not prose.
#include "agentd/api/json.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

using namespace agentd;

namespace {

std::string read_doc() {
    const char* root = std::getenv("AGENTD_SOURCE_DIR");
    REQUIRE(root != nullptr);
    std::ifstream in(std::string(root) + "/docs/local-api.md");
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Every "event: K" line followed by "data: J" in the Feed section, in order.
std::vector<std::pair<std::string, std::string>> documented_events() {
    auto doc = read_doc();
    auto from = doc.find("## Feed");
    auto to = doc.find("## Operations");
    REQUIRE(from != std::string::npos);
    REQUIRE(to != std::string::npos);
    std::istringstream in(doc.substr(from, to - from));
    std::vector<std::pair<std::string, std::string>> out;
    std::string line, kind;
    while (std::getline(in, line)) {
        if (line.starts_with("event: ")) {
            kind = line.substr(7);
        } else if (line.starts_with("data: ") && !kind.empty()) {
            out.emplace_back(kind, line.substr(6));
            kind.clear();
        }
    }
    return out;
}

}  // namespace

TEST_CASE("every feed payload in docs/local-api.md decodes with api and re-encodes to the same bytes") {
    auto events = documented_events();
    std::set<std::string> kinds;
    for (const auto& [kind, data] : events) {
        INFO(kind << ": " << data);
        auto decoded = api::decode_feed_data(kind, data);
        REQUIRE_MESSAGE(decoded.has_value(), decoded.error().message);
        CHECK(api::to_json(*decoded) == data);
        kinds.insert(kind);
    }
    // Every kind the feed sends is documented (and so checked here).
    for (const char* k : {"reservation", "event", "instance", "price_list", "plan", "availability", "sync", "overflow", "error"})
        CHECK_MESSAGE(kinds.contains(k), "no documented example of kind " << k);
}
