// libpq is a run-time dependency loaded on first use (store/libpq_loader). That a daemon on
// SQLite never maps it is checked on a real daemon (integration_control, answer cache suite);
// the PostgreSQL suites (unit_store_pg and the other *_pg tests) exercise every forwarded
// function against a real server.
#include "agentd/store/libpq_loader.hpp"
#include "store_support.hpp"

#include <fstream>
#include <sstream>

using namespace agentd;

TEST_CASE("libpq is loaded on demand, once, and then mapped") {
    auto loaded = store::load_libpq();
    REQUIRE_MESSAGE(loaded.has_value(), (loaded ? std::string() : loaded.error().message));
    std::ifstream in("/proc/self/maps");
    std::stringstream maps;
    maps << in.rdbuf();
    CHECK(maps.str().find("/libpq.so.5") != std::string::npos);
    CHECK(store::load_libpq().has_value());  // a second call finds it loaded
}
