// The single-instance lock across real processes: a child process holds the database, the
// parent is refused with the child's pid, and the lock dies with the child (kill -9).
#include "store_support.hpp"

#include <csignal>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace agentd;
using namespace agentd::store;

TEST_CASE("another process holding the database is named; its lock dies with it" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = dir.file("p.db");
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    // No database is open in this process, so it is single-threaded at fork time.
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        database_options o;
        o.path = path;
        auto db = database::open(o);
        char c = db ? 'y' : 'n';
        (void)::write(ready[1], &c, 1);
        for (;;) ::pause();  // held until the parent kills us
    }
    ::close(ready[1]);
    pollfd p{ready[0], POLLIN, 0};
    REQUIRE(::poll(&p, 1, 10000) == 1);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    REQUIRE(c == 'y');

    database_options o;
    o.path = path;
    auto refused = database::open(o);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::conflict);
    CHECK(refused.error().message == "database " + path + " is in use by another agentd (pid " + std::to_string(child) + ")");

    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    auto reopened = database::open(o);
    REQUIRE_MESSAGE(reopened.has_value(), (reopened.has_value() ? "" : reopened.error().message));
    CHECK((*reopened)->migrations_applied() == 0);
}
