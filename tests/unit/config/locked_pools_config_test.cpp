// locked_only [[pool]]s (docs/pools.md): their lock types come from the pool or its client's
// allocation_lock_types; one without any, and lock_types without locked_only, are refused.
#include "agentd/config/config.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::config;

namespace {

struct locked_file {
    test::temp_dir dir;
    std::string key = dir.file("rc.key");
    locked_file() { test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600); }
    std::string text(const std::string& pool_body, const std::string& client_extra = "") const {
        return "[[client]]\nname = \"royalcourt\"\n" + client_extra + "[[client.account]]\nname = \"main\"\n"
               "login = \"agent1\"\nsecret_file = \"" + key + "\"\n" +
               "[[pool]]\nname = \"alloc\"\nclient = \"royalcourt\"\ninstance = \"4401AKPQ\"\nticket_type = \"1AHG\"\n"
               "sizes = \"2x2\"\n" + pool_body;
    }
};

}  // namespace

TEST_CASE("a locked_only pool takes its own lock types, else its client's allocation") {
    locked_file f;
    auto own = load_string(f.text("locked_only = true\nlock_types = \"2AB, 3CD\"\n", "allocation_lock_types = \"9ZZ\"\n"), "p.toml");
    REQUIRE_MESSAGE(own.has_value(), own.error().message);
    CHECK(own->pools[0].locked_only);
    CHECK(own->pools[0].lock_type_ids == std::vector<std::string>{"2AB", "3CD"});
    CHECK(own->clients[0].seat_lock_type_field == "lockTypeId");

    auto inherited = load_string(f.text("locked_only = true\n", "allocation_lock_types = \"9ZZ\"\nseat_lock_type_field = \"lockType\"\n"),
                                 "p.toml");
    REQUIRE_MESSAGE(inherited.has_value(), inherited.error().message);
    CHECK(inherited->pools[0].lock_type_ids == std::vector<std::string>{"9ZZ"});
    CHECK(inherited->clients[0].seat_lock_type_field == "lockType");

    // An ordinary pool has none, whatever its client's allocation.
    auto plain = load_string(f.text("", "allocation_lock_types = \"9ZZ\"\n"), "p.toml");
    REQUIRE(plain.has_value());
    CHECK_FALSE(plain->pools[0].locked_only);
    CHECK(plain->pools[0].lock_type_ids.empty());
}

TEST_CASE("a locked_only pool without lock types, and lock_types alone, are refused") {
    locked_file f;
    auto none = load_string(f.text("locked_only = true\n"), "p.toml");
    REQUIRE_FALSE(none.has_value());
    CHECK(none.error().code == errc::config_error);
    CHECK(none.error().message.find("option 'pool.locked_only'") != std::string::npos);
    CHECK(none.error().message.find("allocation_lock_types") != std::string::npos);

    auto alone = load_string(f.text("lock_types = \"2AB\"\n"), "p.toml");
    REQUIRE_FALSE(alone.has_value());
    CHECK(alone.error().message.find("option 'pool.lock_types'") != std::string::npos);
}
