// [[client.window]]: recurring and one-off do-not-transact windows, their forms and their errors.
#include "agentd/config/config.hpp"
#include "tests/support/process.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::config;

namespace {

bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

struct fixture {
    test::temp_dir dir;
    std::string key = dir.file("rc.key");
    fixture() { test::write_file(key, "c2VjcmV0LWtleQ==\n", 0600); }

    result<settings> load(const std::string& windows) {
        return load_string("[[client]]\nname = \"rc\"\n[[client.account]]\nname = \"main\"\nlogin = \"a\"\nsecret_file = \"" +
                               key + "\"\n" + windows,
                           "c.toml");
    }
    std::string error(const std::string& windows) {
        auto r = load(windows);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::config_error);
        return r.error().message;
    }
};

}  // namespace

TEST_CASE("windows: recurring and one-off forms") {
    fixture f;
    auto r = f.load("[[client.window]]\nname = \"nightly\"\nstart = \"23:30\"\nend = \"00:15\"\ndays = \"fri-mon\"\n"
                    "reads = true\ncreates = \"refuse\"\n"
                    "[[client.window]]\nname = \"embargo\"\nstart = \"2026-12-01T09:00\"\nend = \"2026-12-01T10:00:30Z\"\n");
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
    const auto& w = r->clients.at(0).windows;
    REQUIRE(w.size() == 2);
    CHECK(w[0].recurring);
    CHECK(w[0].start_minute == 23 * 60 + 30);
    CHECK(w[0].end_minute == 15);
    CHECK(w[0].weekdays == ((1u << 4) | (1u << 5) | (1u << 6) | 1u));  // fri, sat, sun, mon
    CHECK(w[0].reads);
    CHECK(w[0].creates == "refuse");
    CHECK_FALSE(w[1].recurring);
    CHECK_FALSE(w[1].from_utc);
    CHECK(w[1].until_utc);
    CHECK(w[1].until - w[1].from == std::chrono::seconds(3600 + 30));
    CHECK(w[1].creates == "queue");
    CHECK_FALSE(w[1].reads);
    // The dump shows them as written.
    CHECK(contains(to_string(*r), "[[client.window]]\nname = \"nightly\"\nstart = \"23:30\""));
}

TEST_CASE("windows: bad forms are refused with the option and the client named") {
    fixture f;
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"25:00\"\nend = \"02:00\"\n"),
                   "option 'client.window.start': \"25:00\" is neither"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"2026-12-01T10:00\"\n"),
                   "option 'client.window.end'"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"02:00\"\n"), "equals start"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"03:00\"\ndays = \"funday\"\n"),
                   "option 'client.window.days'"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"2026-12-01T10:00\"\nend = \"2026-12-01T09:00\"\n"),
                   "is not after start (client 'rc' window 'w')"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"2026-02-30T10:00\"\nend = \"2026-03-01T09:00\"\n"),
                   "option 'client.window.start'"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"2026-12-01T10:00\"\nend = \"2026-12-01T11:00\"\n"
                           "days = \"mon\"\n"),
                   "recurring windows only"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"03:00\"\ncreates = \"drop\"\n"),
                   "is not one of queue,refuse"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"03:00\"\n"
                           "[[client.window]]\nname = \"w\"\nstart = \"04:00\"\nend = \"05:00\"\n"),
                   "duplicate window 'w'"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nend = \"03:00\"\n"), "'client.window.start': is required"));
    CHECK(contains(f.error("[[client.window]]\nname = \"w\"\nstart = \"02:00\"\nend = \"03:00\"\nread = true\n"),
                   "unknown option 'client.window.read'"));
}

TEST_CASE("a client's timezone is checked when the file is loaded, so a reload cannot fall back to UTC") {
    fixture f;
    auto r = load_string("[[client]]\nname = \"rc\"\ntimezone = \"Mars/Olympus_Mons\"\n[[client.account]]\nname = \"main\"\n"
                         "login = \"a\"\nsecret_file = \"" + f.key + "\"\n",
                         "c.toml");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::config_error);
    CHECK(contains(r.error().message, "client.timezone"));
    CHECK(contains(r.error().message, "client 'rc'"));
    CHECK(contains(r.error().message, "c.toml:3"));
}
