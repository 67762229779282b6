// The database files are private to agentd whatever umask it was started with: the channels
// are local users, and a readable database would hand any of them every other channel's
// reservations and customers. Real SQLite files; the four files are stat()ed after a write.
#include "store_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace agentd;
using namespace agentd::store;
using namespace agentd::store::test_support;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE_MESSAGE(::stat(path.c_str(), &st) == 0, path);
    return st.st_mode & 07777;
}

void write_something(database& db) {
    auto r = db.submit_wait<int>([](write_txn& t) -> result<int> {
        if (auto e = t.exec("CREATE TABLE IF NOT EXISTS probe (x INTEGER); INSERT INTO probe VALUES (1)", "probe"); !e)
            return e.error();
        return 1;
    });
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? "" : r.error().message));
}

// Sets the process umask for one scope.
struct umask_scope {
    mode_t old;
    explicit umask_scope(mode_t m) : old(::umask(m)) {}
    ~umask_scope() { ::umask(old); }
};

}  // namespace

TEST_CASE("database, WAL, shared-memory and lock files are created 0600 even under umask 0000" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = dir.file("m.db");
    umask_scope open_umask(0);
    auto db = open_db(path);
    write_something(*db);
    for (const std::string suffix : {"", "-wal", "-shm", ".lock"}) {
        CAPTURE(suffix);
        CHECK(mode_of(path + suffix) == 0600u);
    }
}

TEST_CASE("files left group- or world-readable by an older agentd are tightened on open" * doctest::test_suite("sqlite")) {
    test::temp_dir dir;
    const std::string path = dir.file("old.db");
    {
        umask_scope open_umask(0);
        auto db = open_db(path);
        write_something(*db);
    }
    for (const std::string suffix : {"", "-wal", "-shm", ".lock"})
        if (::access((path + suffix).c_str(), F_OK) == 0) ::chmod((path + suffix).c_str(), 0666);
    // A WAL left behind by a crash keeps its loose mode unless agentd tightens it.
    test::write_file(path + "-wal", "", 0644);

    auto db = open_db(path);
    write_something(*db);
    for (const std::string suffix : {"", "-wal", "-shm", ".lock"}) {
        CAPTURE(suffix);
        CHECK(mode_of(path + suffix) == 0600u);
    }
}
