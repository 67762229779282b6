// The doctest runner of every test binary. Test cases about one store engine are tagged with
// test suite "sqlite" or "postgresql"; a run on PostgreSQL (AGENTD_TEST_PG_URL set, see
// tests/support/test_database.hpp) leaves out the "sqlite" ones and any other run the
// "postgresql" ones, unless the command line chooses suites itself.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    doctest::Context ctx;
    const char* pg = std::getenv("AGENTD_TEST_PG_URL");
    ctx.setOption("test-suite-exclude", pg && *pg ? "sqlite" : "postgresql");
    ctx.applyCommandLine(argc, argv);
    return ctx.run();
}
