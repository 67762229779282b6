// The documented exit codes and messages when the daemon is down, the socket or the API refuses
// us, and for the offline commands (config check, db stats, db check).
#include "agentd/store/database.hpp"
#include "tests/integration/cli/ctl_fixture.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace agentd;
using namespace agentd::test;

TEST_CASE("daemon not running: exit 3") {
    temp_dir dir;
    auto missing = agentctl({"status", "--socket", dir.file("none.sock")});
    CHECK(missing.code == 3);
    CHECK(missing.err_has("agentd is not running: no socket at " + dir.file("none.sock")));

    // A socket file nobody listens on (a daemon that died without cleaning up).
    const std::string stale = dir.file("stale.sock");
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, stale.c_str(), stale.size() + 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::close(fd);
    auto refused = agentctl({"clients", "--socket", stale});
    CHECK(refused.code == 3);
    CHECK(refused.err_has("connection refused"));

    // The socket path comes from the environment when neither --socket nor --config is given.
    ctl_process env({"status"}, {"/usr/bin/env", "AGENTD_SOCKET=" + dir.file("env.sock")});
    auto e = env.finish();
    CHECK(e.code == 3);
    CHECK(e.err_has(dir.file("env.sock")));
}

TEST_CASE("permission denied: exit 4") {
    SUBCASE("the API answers 403 for a peer that maps to no channel") {
        running_server srv([](control::server_settings& s) { s.channels.clear(); });
        auto r = ctl(srv, {"status"});
        CHECK(r.code == 4);
        CHECK(r.err_has("permission denied: "));
        CHECK(r.err_has("must map to an admin [[channel]]"));
    }
    SUBCASE("a sales channel may not use admin endpoints") {
        running_server srv([](control::server_settings& s) { s.channels[0].role = control::role::sales; });
        CHECK(ctl(srv, {"reconcile"}).code == 4);
        CHECK(ctl(srv, {"sync", "now"}).code == 4);
        CHECK(ctl(srv, {"clients"}).code == 0);
    }
    SUBCASE("the socket itself is not accessible") {
        if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
            MESSAGE("skipped: needs root to run agentctl as another user");
            return;
        }
        running_server srv;
        ::chmod(srv.dir.path().c_str(), 0700);  // only root may enter the socket's directory
        auto r = agentctl({"status", "--socket", srv.path},
                          {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
        CHECK(r.code == 4);
        CHECK(r.err_has("permission denied on socket " + srv.path));
    }
}

TEST_CASE("config check: exit 7 for an invalid file, secrets never printed") {
    temp_dir dir;
    write_file(dir.file("rc.key"), "c2VjcmV0LWtleQ==\n", 0600);
    const std::string good = dir.file("good.toml");
    write_file(good, "[daemon]\nsocket_path = \"" + dir.file("a.sock") + "\"\ndatabase = \"" + dir.file("a.db") +
                         "\"\n[[client]]\nname = \"royalcourt\"\n[[client.account]]\nname = \"main\"\nlogin = \"agent1\"\n"
                         "secret_file = \"" + dir.file("rc.key") + "\"\n");
    auto ok = agentctl({"config", "check", good});
    REQUIRE_MESSAGE(ok.code == 0, ok.err);
    CHECK(ok.has("[redacted]"));
    CHECK_FALSE(ok.has("c2VjcmV0LWtleQ"));
    CHECK_FALSE(ok.has("secret-key"));
    CHECK(ok.has("config " + good + " is valid: 1 client(s), 0 channel(s)"));
    auto okj = agentctl({"config", "check", "--config", good, "--json"});
    CHECK(okj.code == 0);
    CHECK(okj.out.starts_with("{\"ok\":true,"));
    CHECK_FALSE(okj.has("c2VjcmV0LWtleQ"));

    const std::string bad = dir.file("bad.toml");
    write_file(bad, "[daemon]\nno_such_option = 1\n");
    auto b = agentctl({"config", "check", bad});
    CHECK(b.code == 7);
    CHECK(b.err_has("config " + bad + " is invalid: "));
    CHECK(b.err_has("no_such_option"));
    CHECK(agentctl({"config", "check"}).code == 2);

    // The socket path is taken from --config; a broken config is exit 7 before any connection.
    auto via = agentctl({"status", "--config", good});
    CHECK(via.code == 3);
    CHECK(via.err_has(dir.file("a.sock")));
    CHECK(agentctl({"status", "--config", bad}).code == 7);
}

TEST_CASE("db stats and db check on a real database") {
    temp_dir dir;
    const std::string path = dir.file("agentd.db");
    {
        auto db = store::database::open({path});
        REQUIRE_MESSAGE(db.has_value(), (db ? "" : db.error().message));
    }
    auto s = agentctl({"db", "stats", "--db", path});
    REQUIRE_MESSAGE(s.code == 0, s.err);
    CHECK(s.has("database " + path + "\n"));
    CHECK(s.has("  schema version  "));
    CHECK(s.has("TABLE"));
    auto sj = agentctl({"db", "stats", "--db", path, "--json"});
    CHECK(sj.code == 0);
    CHECK(sj.has("\"schemaVersion\":"));
    CHECK(sj.has("\"tables\":{"));

    auto c = agentctl({"db", "check", "--db", path});
    CHECK(c.code == 0);
    CHECK(c.out == "database " + path + ": integrity ok\n");

    const std::string junk = dir.file("junk.db");
    write_file(junk, std::string(8192, 'x'));
    auto bad = agentctl({"db", "check", "--db", junk});
    CHECK(bad.code == 8);
    CHECK(bad.err_has("db check " + junk));
    CHECK(agentctl({"db", "stats"}).code == 2);
}
