// agentctl's dispatch in-process: usage errors, help, and the codecs it relies on.
#include "agentd/api/json.hpp"
#include "agentd/cli/cli.hpp"
#include "agentd/cli/exit_codes.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace agentd;

namespace {

struct outcome {
    int code;
    std::string out, err;
};

outcome run(std::vector<std::string> args) {
    std::ostringstream out, err;
    int c = cli::run(args, out, err);
    return {c, out.str(), err.str()};
}

}  // namespace

TEST_CASE("help and usage errors") {
    auto h = run({"--help"});
    CHECK(h.code == 0);
    CHECK(h.out.find("Exit codes:") != std::string::npos);
    CHECK(h.out.find("seats C ID") != std::string::npos);

    auto s = run({"seats", "--help"});
    CHECK(s.code == 0);
    CHECK(s.out.starts_with("Usage: agentctl seats C ID [--area ...] [--width ...]"));
    CHECK(s.out.find("  3  agentd is not running") != std::string::npos);

    CHECK(run({}).code == cli::exit_usage);
    auto u = run({"frobnicate"});
    CHECK(u.code == cli::exit_usage);
    CHECK(u.err.find("unknown command 'frobnicate'") != std::string::npos);
    auto sub = run({"db"});
    CHECK(sub.code == cli::exit_usage);
    CHECK(sub.err.find("db stats") != std::string::npos);
    auto opt = run({"status", "--client", "x"});
    CHECK(opt.code == cli::exit_usage);
    CHECK(opt.err.find("status has no option --client") != std::string::npos);
    CHECK(run({"instance", "only-one"}).code == cli::exit_usage);
    CHECK(run({"status", "--timeout", "0"}).code == cli::exit_usage);
    CHECK(run({"events", "--from", "someday", "--socket", "/nonexistent/x.sock"}).code == cli::exit_usage);
    CHECK(run({"hold", "c", "i", "--best", "2", "--socket", "/nonexistent/x.sock"}).code == cli::exit_usage);
    CHECK(run({"--version"}).out == std::string("agentctl ") + cli::k_version + "\n");
}

TEST_CASE("a missing socket is 'not running' with exit 3") {
    auto r = run({"status", "--socket", "/nonexistent/agentd.sock"});
    CHECK(r.code == cli::exit_not_running);
    CHECK(r.err.find("agentd is not running") != std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("decoders read what the API encodes") {
    api::instance i;
    i.id = "67201AVC";
    i.client = "rc";
    i.prices = {{"7801", "1AHG", "Adult", "35.00"}};
    i.avail = {118, 120, 2, {{"A1", "Stalls", 70, 70}}};
    i.availability_age = 4.5;
    i.availability_confirmed_at = "2026-11-26T21:39:56Z";
    auto d = api::from_json<api::instance>(api::to_json(i));
    REQUIRE(d.has_value());
    CHECK(api::to_json(*d) == api::to_json(i));

    api::seat_plan p{"I", "P", "2026-11-26T21:39:56Z", {{"1", "A1", "A1", "A", "7801", "available", 1.0, 2.0}}};
    p.seats.push_back({"2", "A2", "A1", "A", "7801", "sold", std::nullopt, std::nullopt});
    auto sp = api::from_json<api::seat_plan>(api::to_json(p));
    REQUIRE(sp.has_value());
    CHECK(api::to_json(*sp) == api::to_json(p));

    api::reconcile_report rep;
    api::reservation r;
    r.id = "r_1";
    r.channel = "ops";
    r.state = "confirm_unknown";
    r.version = 4;
    r.client = "rc";
    r.instance = "I1";
    r.request = {"rc", "I1", {{"53613", "1AHG"}}, std::nullopt};
    r.created_at = r.updated_at = "2026-11-26T21:30:00Z";
    rep.confirm_unknown.push_back(r);
    rep.orphan_baskets.push_back({"rc", "B-77", "2026-11-26T20:00:00Z"});
    auto rr = api::from_json<api::reconcile_report>(api::to_json(rep));
    REQUIRE(rr.has_value());
    CHECK(api::to_json(*rr) == api::to_json(rep));

    CHECK(api::from_json<std::vector<api::client_state>>("{\"clients\":[{\"name\":1}]}").error().message == "clients[0].name: expected a string");
    CHECK(api::from_json<std::vector<api::event>>("not json").error().code == errc::decode_error);
}
