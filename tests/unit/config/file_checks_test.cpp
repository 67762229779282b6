// What the loader refuses because another local user could tamper with it or read it: a
// configuration file others may write, files owned by someone other than root or agentd's
// user, and a plain-http upstream nobody asked for. Real files; ownership cases need root
// (to chown) and are skipped otherwise.
#include "agentd/config/config.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

using namespace agentd;
using namespace agentd::config;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// A uid that is neither root nor us: "nobody".
constexpr uid_t k_other_uid = 65534;

std::string client_block(const std::string& key_file, const std::string& extra = "") {
    return "[[client]]\nname = \"royalcourt\"\n" + extra + "[[client.account]]\nname = \"main\"\nlogin = \"agent1\"\n" +
           "secret_file = \"" + key_file + "\"\n";
}

}  // namespace

TEST_CASE("a configuration file writable by group or others is refused, naming the file and the mode") {
    test::temp_dir dir;
    const std::string path = dir.file("agentd.toml");
    test::write_file(path, "[daemon]\nlog_level = \"warn\"\n", 0644);
    auto ok = load_file(path);
    REQUIRE_MESSAGE(ok.has_value(), (ok.has_value() ? "" : ok.error().message));
    CHECK(ok->daemon.log_level == "warn");

    for (int mode : {0664, 0646, 0620}) {
        CAPTURE(mode);
        test::write_file(path, "[daemon]\nlog_level = \"warn\"\n", mode);
        auto r = load_file(path);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        CHECK(r.error().message.starts_with(path + ": configuration file has mode 0"));
        CHECK(contains(r.error().message, "writable by group or others"));
        CHECK(contains(r.error().message, "chmod go-w " + path));
    }
}

TEST_CASE("configuration and secret files owned by another non-root user are refused") {
    if (::geteuid() != 0) {
        MESSAGE("not root: cannot chown test files to another user; skipped");
        return;
    }
    test::temp_dir dir;
    const std::string key = dir.file("rc.key");
    test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600);
    const std::string path = dir.file("agentd.toml");
    test::write_file(path, client_block(key), 0644);
    REQUIRE(load_file(path).has_value());  // both owned by root: accepted

    SUBCASE("the configuration file") {
        REQUIRE(::chown(path.c_str(), k_other_uid, k_other_uid) == 0);
        auto r = load_file(path);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        CHECK(r.error().message == path + ": configuration file is owned by uid 65534, not by root, the user running "
                                          "agentd (uid 0) or the service user agentd; refusing it (chown it to root or agentd)");
    }
    SUBCASE("a secret file, even at mode 0600") {
        REQUIRE(::chown(key.c_str(), k_other_uid, k_other_uid) == 0);
        auto r = load_file(path);
        REQUIRE_FALSE(r.has_value());
        CHECK(contains(r.error().message, path + ":6: option 'client.account.secret_file'"));
        CHECK(contains(r.error().message, key + ": secret file is owned by uid 65534"));
        CHECK_FALSE(contains(r.error().message, "c2VjcmV0"));
    }
}

TEST_CASE("an http:// upstream needs allow_insecure_http = true") {
    test::temp_dir dir;
    const std::string key = dir.file("rc.key");
    test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600);

    auto refused = load_string(client_block(key, "base_url = \"http://127.0.0.1:8080\"\n"), "c.toml");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == errc::config_error);
    CHECK(contains(refused.error().message, "c.toml:3: option 'client.base_url': \"http://127.0.0.1:8080\" is plain http"));
    CHECK(contains(refused.error().message, "allow_insecure_http = true"));

    auto allowed = load_string(client_block(key, "base_url = \"http://127.0.0.1:8080\"\nallow_insecure_http = true\n"), "c.toml");
    REQUIRE_MESSAGE(allowed.has_value(), (allowed.has_value() ? "" : allowed.error().message));
    CHECK(allowed->clients[0].allow_insecure_http);
    CHECK(allowed->clients[0].base_url == "http://127.0.0.1:8080");

    auto https = load_string(client_block(key, "base_url = \"https://venue.example\"\n"), "c.toml");
    REQUIRE(https.has_value());
    CHECK_FALSE(https->clients[0].allow_insecure_http);
    CHECK(contains(to_string(*https), "allow_insecure_http = false"));
}
