#include "agentd/config/config.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <sstream>

using namespace agentd;
using namespace agentd::config;
using namespace std::chrono_literals;

namespace {

std::string load_error(std::string_view text) {
    auto r = load_string(text, "agentd.toml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::config_error);
    return r.error().message;
}

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("an empty file yields every default from the table") {
    auto r = load_string("", "empty.toml");
    REQUIRE(r.has_value());
    const settings& s = *r;
    CHECK(s.daemon.socket_path == "/run/agentd/agentd.sock");
    CHECK(s.daemon.database == "/var/lib/agentd/agentd.db");
    CHECK(s.daemon.log_level == "info");
    CHECK(s.daemon.drain_timeout == 10s);
    CHECK(s.daemon.socket_mode == 0660u);
    CHECK(s.daemon.node.empty());  // the host name, resolved by the daemon
    CHECK(s.daemon.lease_ttl == 15s);
    CHECK(s.sync.catalogue_interval == 1h);
    CHECK(s.sync.catalogue_days_ahead == 180);
    CHECK(s.sync.tier_24h == 15s);
    CHECK(s.sync.tier_7d == 60s);
    CHECK(s.sync.tier_30d == 5min);
    CHECK(s.sync.tier_later == 30min);
    CHECK(s.sync.hot_window == 10min);
    CHECK(s.sync.tombstone_after == 3);
    CHECK(s.sync.max_removal_share == doctest::Approx(0.25));
    CHECK(s.sync.seat_status);
    CHECK(s.sync.max_parallel_per_client == 2);
    CHECK(s.reservations.basket_lifetime == 20min);
    CHECK(s.reservations.expiry_margin == 2min);
    CHECK(s.reservations.max_hold == 1h);
    CHECK(s.reservations.max_quantity == 10);
    CHECK(s.reservations.queue_limit == 10000);
    CHECK(s.reservations.channel_backlog_limit == 1000);
    CHECK(s.reservations.inflight_per_client == 4);
    CHECK(s.reservations.best_available_retries == 3);
    CHECK(s.reservations.confirm_timeout == 30s);
    CHECK(s.api.max_body == 64u * 1024);
    CHECK(s.api.max_header == 8u * 1024);
    CHECK(s.api.requests_per_second == 200);
    CHECK(s.api.burst == 400);
    CHECK(s.api.max_connections == 1024);
    CHECK(s.api.idle_timeout == 60s);
    CHECK(s.api.header_timeout == 10s);
    CHECK(s.api.longpoll_max == 60s);
    CHECK(s.api.feed_buffer == 1024);
    CHECK(s.api.feed_heartbeat == 15s);
    CHECK(s.clients.empty());
    CHECK(s.channels.empty());
    CHECK(to_string(s) == to_string(defaults()));
}

TEST_CASE("durations and sizes round-trip through their text forms") {
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("15s") == 15s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("2d") == 48h);
    CHECK_FALSE(parse_duration("15").has_value());
    CHECK_FALSE(parse_duration("s").has_value());
    CHECK_FALSE(parse_duration("1.5s").has_value());
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("99999999999999d").has_value());
    CHECK_FALSE(parse_size("99999999999999GiB").has_value());
    CHECK(format_duration(90s) == "90s");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(2h) == "2h");
    CHECK(parse_size("64KiB") == 65536u);
    CHECK(parse_size("32MiB") == 32u << 20);
    CHECK(parse_size("100") == 100u);
    CHECK_FALSE(parse_size("64kb").has_value());
    CHECK(format_size(65536) == "64KiB");
    CHECK(format_size(1000) == "1000B");
}

TEST_CASE("values in the file override defaults") {
    auto r = load_string(R"(
[daemon]
log_level = "debug"
socket_mode = "0600"
[sync]
tier_24h = "5s"
max_removal_share = 0.5
seat_status = false
[api]
max_body = "1MiB"
)", "t.toml");
    REQUIRE_MESSAGE(r.has_value(), (r.has_value() ? "" : r.error().message));
    CHECK(r->daemon.log_level == "debug");
    CHECK(r->daemon.socket_mode == 0600u);
    CHECK(r->sync.tier_24h == 5s);
    CHECK(r->sync.max_removal_share == doctest::Approx(0.5));
    CHECK_FALSE(r->sync.seat_status);
    CHECK(r->api.max_body == 1u << 20);
}

TEST_CASE("config errors name the file, the line and the option") {
    SUBCASE("missing file") {
        auto r = load_file("/nonexistent/agentd.toml");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        CHECK(contains(r.error().message, "/nonexistent/agentd.toml"));
        CHECK(contains(r.error().message, "No such file"));
    }
    SUBCASE("a directory is not a configuration") {
        test::temp_dir dir;
        auto r = load_file(dir.path());
        REQUIRE_FALSE(r.has_value());
        CHECK(contains(r.error().message, "not a regular file"));
    }
    SUBCASE("bad TOML") {
        auto m = load_error("[daemon]\nlog_level = \"info\n");
        CHECK(contains(m, "agentd.toml:2:"));
        CHECK(contains(m, "invalid TOML"));
    }
    SUBCASE("unknown option, with a suggestion") {
        auto m = load_error("[sync]\ntier_24h = \"15s\"\ntier24h = \"15s\"\n");
        CHECK(contains(m, "agentd.toml:3:"));
        CHECK(contains(m, "unknown option 'sync.tier24h'"));
        CHECK(contains(m, "did you mean 'sync.tier_24h'"));
    }
    SUBCASE("unknown section") {
        auto m = load_error("\n[deamon]\nlog_level = \"info\"\n");
        CHECK(contains(m, "unknown option 'deamon'"));
        CHECK(contains(m, "agentd.toml:2:"));
    }
    SUBCASE("wrong type") {
        auto m = load_error("[sync]\n\ntier_24h = 15\n");
        CHECK(m == "agentd.toml:3: option 'sync.tier_24h': expected a duration like \"15s\"");
    }
    SUBCASE("out of range") {
        CHECK(contains(load_error("[sync]\nmax_removal_share = 1.5\n"), "agentd.toml:2: option 'sync.max_removal_share': 1.5 is out of range 0.0..1.0"));
        CHECK(contains(load_error("[sync]\ntier_24h = \"2h\"\n"), "option 'sync.tier_24h': 2h is out of range 1s..1h"));
        CHECK(contains(load_error("[api]\nmax_body = \"1GiB\"\n"), "option 'api.max_body': 1GiB is out of range"));
        CHECK(contains(load_error("[reservations]\nmax_quantity = 0\n"), "option 'reservations.max_quantity': 0 is out of range 1..1000"));
    }
    SUBCASE("bad choice and mode") {
        CHECK(contains(load_error("[daemon]\nlog_level = \"loud\"\n"), "option 'daemon.log_level': \"loud\" is not one of debug,info,warn,error,off"));
        CHECK(contains(load_error("[daemon]\nsocket_mode = \"0980\"\n"), "option 'daemon.socket_mode': expected an octal mode"));
    }
    SUBCASE("relations between options") {
        CHECK(contains(load_error("[reservations]\nexpiry_margin = \"30m\"\n"), "reservations.expiry_margin"));
        CHECK(contains(load_error("[sync]\ntier_24h = \"10m\"\n"), "sync.tier_7d"));
    }
}

TEST_CASE("clients, accounts and secret files") {
    test::temp_dir dir;
    const std::string key = dir.file("rc.key");
    test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600);
    auto client = [&](std::string extra = "", std::string file = "") {
        return "[[client]]\nname = \"royalcourt\"\n" + extra + "[[client.account]]\nname = \"main\"\nlogin = \"agent1\"\nsecret_file = \"" +
               (file.empty() ? key : file) + "\"\n";
    };

    SUBCASE("a private secret file is loaded and never printed") {
        auto r = load_string(client("requests_per_minute = 120\n"), "c.toml");
        REQUIRE(r.has_value());
        REQUIRE(r->clients.size() == 1);
        const auto& c = r->clients[0];
        CHECK(c.name == "royalcourt");
        CHECK(c.base_url == "https://system.spektrix.com");
        CHECK(c.requests_per_minute == 120);
        CHECK(c.customer_first_name_field == "firstName");
        REQUIRE(c.accounts.size() == 1);
        CHECK(c.accounts[0].login == "agent1");
        CHECK(c.accounts[0].secret.reveal() == "c2VjcmV0LWtleQ==");
        auto dump = to_string(*r);
        CHECK_FALSE(contains(dump, "c2VjcmV0LWtleQ"));
        CHECK(contains(dump, "[redacted]"));
        CHECK(contains(dump, "login = \"agent1\""));
        std::ostringstream os;
        os << c.accounts[0].secret;
        CHECK(os.str() == "[redacted]");
    }
    SUBCASE("a secret file readable by group or others is refused") {
        const std::string open_key = dir.file("open.key");
        test::write_file(open_key, "c2VjcmV0LWtleQ==\n", 0640);
        auto r = load_string(client("", open_key), "c.toml");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        CHECK(contains(r.error().message, "c.toml:6: option 'client.account.secret_file'"));
        CHECK(contains(r.error().message, open_key));
        CHECK(contains(r.error().message, "readable by group or others"));
        CHECK(contains(r.error().message, "0640"));
        CHECK_FALSE(contains(r.error().message, "c2VjcmV0"));
    }
    SUBCASE("missing and empty secret files are refused") {
        auto r = load_string(client("", dir.file("none.key")), "c.toml");
        REQUIRE_FALSE(r.has_value());
        CHECK(contains(r.error().message, "none.key"));
        test::write_file(dir.file("empty.key"), " \n", 0600);
        r = load_string(client("", dir.file("empty.key")), "c.toml");
        REQUIRE_FALSE(r.has_value());
        CHECK(contains(r.error().message, "is empty"));
    }
    SUBCASE("relative secret paths resolve against the config file's directory") {
        test::write_file(dir.file("agentd.toml"), client("", "rc.key"));
        auto r = load_file(dir.file("agentd.toml"));
        REQUIRE(r.has_value());
        CHECK(r->clients[0].accounts[0].secret.reveal() == "c2VjcmV0LWtleQ==");
    }
    SUBCASE("systemd credentials are read from CREDENTIALS_DIRECTORY") {
        ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
        auto r = load_string("[[client]]\nname = \"rc\"\n[[client.account]]\nname = \"a\"\nlogin = \"l\"\nsecret_credential = \"rc.key\"\n", "c.toml");
        ::unsetenv("CREDENTIALS_DIRECTORY");
        REQUIRE(r.has_value());
        CHECK(r->clients[0].accounts[0].secret.reveal() == "c2VjcmV0LWtleQ==");
    }
    SUBCASE("duplicate clients, missing accounts, bad names and required options") {
        CHECK(contains(load_error(client() + client()), "duplicate client 'royalcourt'"));
        CHECK(contains(load_error("[[client]]\nname = \"rc\"\n"), "at least one [[client.account]]"));
        CHECK(contains(load_error("[[client]]\nname = \"royal court\"\n"), "option 'client.name': \"royal court\" is not a valid name"));
        CHECK(contains(load_error("[[client]]\nbase_url = \"https://x\"\n"), "agentd.toml:1: option 'client.name': is required"));
        CHECK(contains(load_error(client("base_url = \"ftp://x\"\n")), "option 'client.base_url'"));
        CHECK(contains(load_error("[[client]]\nname = \"rc\"\n[[client.account]]\nname = \"a\"\nlogin = \"l\"\n"), "set exactly one of"));
        CHECK(contains(load_error(client("reqests_per_minute = 5\n")), "unknown option 'client.reqests_per_minute'"));
    }
}

TEST_CASE("channels") {
    auto r = load_string("[[channel]]\nname = \"web\"\nuid = 1001\n[[channel]]\nname = \"ops\"\ngid = 50\nrole = \"admin\"\nweight = 5\n", "c.toml");
    REQUIRE(r.has_value());
    REQUIRE(r->channels.size() == 2);
    CHECK(r->channels[0].uid == 1001u);
    CHECK_FALSE(r->channels[0].gid.has_value());
    CHECK(r->channels[0].role == channel_role::sales);
    CHECK(r->channels[0].weight == 1);
    CHECK(r->channels[1].gid == 50u);
    CHECK(r->channels[1].role == channel_role::admin);
    CHECK(r->channels[1].weight == 5);

    CHECK(contains(load_error("[[channel]]\nname = \"web\"\nuid = 1\n[[channel]]\nname = \"web\"\nuid = 2\n"), "duplicate channel 'web'"));
    CHECK(contains(load_error("[[channel]]\nname = \"web\"\n"), "set 'channel.uid' or 'channel.gid'"));
    CHECK(contains(load_error("[[channel]]\nname = \"a\"\nuid = 1\n[[channel]]\nname = \"b\"\nuid = 1\n"), "uid 1 already identifies channel 'a'"));
    CHECK(contains(load_error("[[channel]]\nname = \"a\"\nuid = 1\nrole = \"root\"\n"), "option 'channel.role'"));
    CHECK(contains(load_error("[[channel]]\nname = \"a\"\nuid = 1\nweight = 101\n"), "option 'channel.weight': 101 is out of range 1..100"));
}

TEST_CASE("daemon.node is a name or empty (the host name)") {
    CHECK(load_string("[daemon]\nnode = \"sales-a.example:1\"\n", "t.toml").value().daemon.node == "sales-a.example:1");
    CHECK(load_string("[daemon]\nnode = \"\"\n", "t.toml").value().daemon.node.empty());
    auto bad = load_string("[daemon]\nnode = \"a b\\r\\nX-Evil: 1\"\n", "t.toml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(contains(bad.error().message, "daemon.node"));
    auto short_ttl = load_string("[daemon]\nlease_ttl = \"1s\"\n", "t.toml");
    REQUIRE_FALSE(short_ttl.has_value());
    CHECK(contains(short_ttl.error().message, "lease_ttl"));
}

TEST_CASE("the shipped example file agrees with the option table") {
    const std::string path = test::source_dir() + "/conf/agentd.toml.example";
    // AGENTD_UPDATE_EXAMPLE=1 regenerates the committed file after a change to the table.
    if (const char* u = std::getenv("AGENTD_UPDATE_EXAMPLE"); u && std::string(u) == "1")
        test::write_file(path, render_example());
    const std::string example = test::read_file(path);
    CHECK(example == render_example());

    // Every option appears with its default (or its example value for required ones).
    for (const auto& o : option_table()) {
        INFO("option " << o.name());
        const std::string& v = o.example_text.empty() ? o.default_text : o.example_text;
        REQUIRE_FALSE(v.empty());
        CHECK(contains(example, o.key + " = " + v));
        CHECK_FALSE(o.doc.empty());
    }

    // As shipped it loads to the defaults.
    auto plain = load_string(example, "agentd.toml.example");
    REQUIRE(plain.has_value());
    CHECK(to_string(*plain) == to_string(defaults()));

    // With its client and channel blocks uncommented (and a real secret file) it loads too.
    test::temp_dir dir;
    test::write_file(dir.file("k"), "a2V5\n", 0600);
    std::istringstream in(example);
    std::string line, uncommented;
    while (std::getline(in, line)) {
        if (line.size() > 1 && line[0] == '#' && (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z'))) line.erase(0, 1);
        if (line.starts_with("secret_file = ")) line = "secret_file = \"" + dir.file("k") + "\"";
        uncommented += line + "\n";
    }
    auto full = load_string(uncommented, "uncommented");
    REQUIRE_MESSAGE(full.has_value(), (full.has_value() ? "" : full.error().message));
    CHECK(full->clients.size() == 1);
    CHECK(full->channels.size() == 1);
}
