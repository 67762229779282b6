// The daemon among hostile local users: it runs non-dumpable, keeps its database files private
// whatever the umask, takes a rotated API key on SIGHUP, and says loudly when an upstream is
// plain http. Real agentd and agentd-sim processes; the non-dumpable case runs agentd as
// another user (setpriv), so it needs root and is skipped otherwise.
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

constexpr uid_t k_daemon_uid = 65534;  // "nobody": a user that is neither root nor us

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
    return n;
}

// The secret files write_daemon_config made, in the order of the simulator's accounts.
void write_secrets(const temp_dir& dir, const sim_process& sim, const std::string* instead = nullptr) {
    int n = 0;
    for (const auto& c : sim.clients)
        for (const auto& a : c.accounts) write_file(dir.file("secret-" + std::to_string(n++)), (instead ? *instead : a.secret) + "\n", 0600);
}

// Every client's sync state in /v1/health, e.g. "ok,ok".
std::string client_states(const std::string& sock) {
    auto h = uds_request(sock, "GET", "/v1/health");
    if (!h) return "no answer";
    std::string out;
    for (int i = 0, n = json_array_size(h->body, "clients"); i < n; ++i)
        out += (i ? "," : "") + json_get(h->body, "clients." + std::to_string(i) + ".state").value_or("?");
    return out;
}

bool all_states_are(const std::string& states, const std::string& want) {
    if (states.empty() || states == "no answer") return false;
    std::size_t pos = 0;
    while (pos <= states.size()) {
        auto comma = states.find(',', pos);
        auto one = states.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (want.find("|" + one + "|") == std::string::npos) return false;
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return true;
}

}  // namespace

TEST_CASE("agentd run as a service user is non-dumpable, still serves by peer credentials, and its database files are 0600 under umask 0000") {
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
        MESSAGE("needs root and /usr/bin/setpriv to run agentd as another user; skipped");
        return;
    }
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);  // the channel is our uid (0), the daemon another one
    // The daemon's user owns its directory, config and secrets, as under the shipped unit.
    for (const auto& p : {dir.path(), config})
        REQUIRE(::chown(p.c_str(), k_daemon_uid, k_daemon_uid) == 0);
    for (int n = 0; ::access(dir.file("secret-" + std::to_string(n)).c_str(), F_OK) == 0; ++n)
        REQUIRE(::chown(dir.file("secret-" + std::to_string(n)).c_str(), k_daemon_uid, k_daemon_uid) == 0);
    // A copy the service user can surely execute, wherever the build tree lives.
    const std::string binary = dir.file("agentd");
    std::filesystem::copy_file(bin_dir() + "/agentd", binary);
    ::chmod(binary.c_str(), 0755);

    const mode_t old_umask = ::umask(0);
    child_process d({"/usr/bin/setpriv", "--reuid=" + std::to_string(k_daemon_uid), "--regid=" + std::to_string(k_daemon_uid),
                     "--clear-groups", binary, "--config", config},
                    dir.file("agentd.log"));
    ::umask(old_umask);
    const auto sock = dir.file("agentd.sock");
    INFO(read_file(dir.file("agentd.log")));
    // Health answers only a peer mapped to a channel: SO_PEERCRED works in the non-dumpable daemon.
    REQUIRE(wait_for_daemon(sock, 60s));

    const std::string proc = "/proc/" + std::to_string(d.pid());
    const std::string status = read_file(proc + "/status");
    CHECK(status.find("Uid:\t65534\t65534") != std::string::npos);  // setpriv exec'd agentd in place
    // The kernel gives a non-dumpable process's /proc entries to root; a dumpable one's belong
    // to its own uid, and so are open to every other process of that user.
    struct stat st {};
    REQUIRE(::stat((proc + "/status").c_str(), &st) == 0);
    CHECK(st.st_uid == 0u);

    // One reservation-free write is enough: the sync has written the mirror by now.
    REQUIRE(wait_until([&] { return client_states(sock).find("ok") != std::string::npos; }, 60s, 50ms));
    for (const std::string suffix : {"", "-wal", "-shm", ".lock"}) {
        CAPTURE(suffix);
        struct stat f {};
        REQUIRE(::stat(dir.file("agentd.db" + suffix).c_str(), &f) == 0);
        CHECK((f.st_mode & 07777) == 0600u);
        CHECK(f.st_uid == k_daemon_uid);
    }
    d.signal(SIGTERM);
    CHECK(d.wait(30s) == 0);
}

TEST_CASE("a rotated API key applies on SIGHUP: sync recovers from 401s without a restart") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    const std::string wrong = "d3Jvbmcta2V5LW5vdC10aGUtdmVudWVzLWtleQ==";  // valid base64, not the key
    write_secrets(dir, sim, &wrong);
    auto d = start_daemon(dir, config);
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    auto log = [&] { return read_file(dir.file("agentd.log")); };

    std::string states;
    CHECK(wait_until([&] { return all_states_are(states = client_states(sock), "|degraded|failing|"); }, 60s, 50ms));
    INFO("states: " << states);
    const std::size_t insecure_at_start = count_of(log(), "INSECURE: upstream over plain http");
    CHECK(insecure_at_start == sim.clients.size());

    write_secrets(dir, sim);
    d->signal(SIGHUP);
    CHECK(wait_until([&] { return log().find("configuration reloaded") != std::string::npos; }, 20s));
    CHECK(count_of(log(), "API credentials replaced") == [&] {
        std::size_t n = 0;
        for (const auto& c : sim.clients) n += c.accounts.size();
        return n;
    }());
    CHECK(wait_until([&] { return all_states_are(states = client_states(sock), "|ok|"); }, 60s, 50ms));
    // The reload says it again, and no secret reaches the log.
    CHECK(count_of(log(), "INSECURE: upstream over plain http") == 2 * insecure_at_start);
    CHECK(log().find(wrong) == std::string::npos);
    CHECK(log().find(sim.clients.at(0).accounts.at(0).secret) == std::string::npos);
    d->signal(SIGTERM);
    CHECK(d->wait(30s) == 0);
}

TEST_CASE("an http:// upstream without allow_insecure_http keeps the daemon from starting (exit 3)") {
    temp_dir dir;
    sim_process fake;  // never contacted: the configuration is refused first
    fake.base_url = "http://127.0.0.1:9";
    fake.clients.push_back({"royalcourt", {{"agent1", "c2VjcmV0LWtleQ=="}}});
    auto config = write_daemon_config(dir, fake);
    std::string text = read_file(config);
    const std::string allow = "allow_insecure_http = true\n";
    auto pos = text.find(allow);
    REQUIRE(pos != std::string::npos);
    text.erase(pos, allow.size());
    write_file(config, text, 0600);

    child_process d({bin_dir() + "/agentd", "--config", config}, dir.file("agentd.log"));
    auto st = d.wait(30s);
    REQUIRE(st);
    CHECK(*st == 3);
    auto err = read_file(dir.file("agentd.log"));
    CHECK(err.find(config + ":") != std::string::npos);
    CHECK(err.find("option 'client.base_url'") != std::string::npos);
    CHECK(err.find("allow_insecure_http = true") != std::string::npos);
}
