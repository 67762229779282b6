// The answers only agentctl decodes (listings, detail, seat plan, history, reconcile, sync) and
// agentctl's own --json documents: every decoder round-trips what the encoder wrote, wrong
// types are typed errors naming the member, and the documents have their documented bytes.
#include "agentd/api/json.hpp"

#include <doctest/doctest.h>

using namespace agentd;

namespace {

template <class T>
void round_trip(const T& v) {
    auto text = api::to_json(v);
    auto back = api::from_json<T>(text);
    REQUIRE_MESSAGE(back.has_value(), back.error().message);
    CHECK(api::to_json(*back) == text);
}

template <class T>
void refused(std::string_view text, std::string_view message) {
    auto r = api::from_json<T>(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::decode_error);
    CHECK(r.error().message == message);
}

api::reservation sample_reservation() {
    api::reservation r;
    r.id = "r_1";
    r.channel = "web";
    r.state = "confirm_unknown";
    r.version = 4;
    r.client = "rc";
    r.instance = "I1";
    r.request = {"rc", "I1", {{"S1", "T1"}}, std::nullopt};
    r.seats = {{"S1", "A1", "Stalls", "B1", "T1", "35.00", std::nullopt}};
    r.error = api::error_body{"confirm_unknown", "timed out", false, std::nullopt};
    r.created_at = r.updated_at = "2026-11-26T21:30:00Z";
    return r;
}

}  // namespace

TEST_CASE("answers agentctl reads round-trip through api") {
    round_trip(std::vector<api::client_state>{{"rc", "ok", "2026-11-26T21:30:00Z", std::nullopt, 1.5, 99.25}});
    round_trip(std::vector<api::event>{{"E1", "rc", "The Seagull", "by Chekhov", "2026-12-01T19:30:00", std::nullopt, true}});
    round_trip(std::vector<api::instance_summary>{{"I1", "rc", "E1", "The Seagull", "2026-12-01T19:30:00",
                                                   "2026-12-01T19:30:00Z", true, false, 117}});
    api::instance i;
    i.id = "I1";
    i.client = "rc";
    i.prices = {{"B1", "T1", "Adult", "35.00"}};
    i.avail = {117, 120, 1, {{"A1", "Stalls", 17, 20}}};
    i.availability_age = 2.5;
    i.availability_confirmed_at = "2026-11-26T21:30:00Z";
    round_trip(i);
    round_trip(api::seat_plan{"I1", "P1", "2026-11-26T21:30:00Z", {{"S1", "A1", "Stalls", "A", "B1", "held", 1.5, std::nullopt}}});
    round_trip(std::vector<api::history_entry>{{1, "queued", "2026-11-26T21:30:00Z", ""}, {2, "held", "2026-11-26T21:30:01Z", "n"}});
    api::reconcile_report rep;
    rep.confirm_unknown = {sample_reservation()};
    rep.orphan_baskets = {{"rc", "B-1", "2026-11-26T21:30:00Z"}};
    rep.sold_unread = {sample_reservation()};
    round_trip(rep);
    round_trip(api::admin_sync_answer{true, "queued"});
}

TEST_CASE("answers with members of the wrong type are typed errors naming the member") {
    refused<std::vector<api::client_state>>(R"({"clients":[{"name":1}]})", "clients[0].name: expected a string");
    refused<std::vector<api::client_state>>(R"({"clients":[7]})", "clients[0]: expected an object");
    refused<std::vector<api::event>>(R"({"events":{}})", "events: expected an array");
    refused<std::vector<api::instance_summary>>(R"({"instances":[{"available":"3"}]})",
                                                "instances[0].available: expected an integer");
    refused<api::instance>(R"({"availability":{"areas":[{"capacity":true}]}})",
                           "availability.areas[0].capacity: expected an integer");
    refused<api::seat_plan>(R"({"seats":[{"x":"left"}]})", "seats[0].x: expected a number");
    refused<std::vector<api::history_entry>>(R"({"history":[{"version":1.5}]})", "history[0].version: expected an integer");
    refused<api::reconcile_report>(R"({"soldUnread":[{"id":"r","channel":5}]})", "soldUnread[0].channel: expected a string");
    refused<api::admin_sync_answer>(R"({"accepted":"yes"})", "accepted: expected a boolean");
    refused<api::admin_sync_answer>("not json", "body: malformed JSON at offset 1: Invalid value.");
}

TEST_CASE("agentctl's --json documents have their documented shapes") {
    api::config_check_report bad{"/etc/agentd.toml", false, "line 3: \"x\"", 0, 0, ""};
    CHECK(api::to_json(bad) == R"({"ok":false,"file":"/etc/agentd.toml","error":"line 3: \"x\""})");
    api::config_check_report good{"a.toml", true, "", 2, 1, "[daemon]\n"};
    CHECK(api::to_json(good) == R"({"ok":true,"file":"a.toml","clients":2,"channels":1,"effective":"[daemon]\n"})");
    api::db_stats_report st{"x.db", 7, 7, 4096, 10, 1, 40960, 0, {{"feed", 3}, {"reservations", 0}}};
    CHECK(api::to_json(st) == R"({"path":"x.db","schemaVersion":7,"binarySchemaVersion":7,"pageSize":4096,"pageCount":10,)"
                              R"("freelistCount":1,"fileBytes":40960,"walBytes":0,"tables":{"feed":3,"reservations":0}})");
    CHECK(api::to_json(api::db_check_report{"x.db", false, {"row 3 \u0001"}}) ==
          "{\"path\":\"x.db\",\"ok\":false,\"problems\":[\"row 3 \\u0001\"]}");
    api::instance_summary s{"I1", "rc", "E1", "S", "2026-12-01T19:30:00", "2026-12-01T19:30:00Z", true, false, 3};
    CHECK(api::to_json(std::vector<api::instance_with_age>{{s, 2.5}, {s, std::nullopt}}) ==
          R"({"instances":[{"id":"I1","client":"rc","event":"E1","eventName":"S","start":"2026-12-01T19:30:00",)"
          R"("startUtc":"2026-12-01T19:30:00Z","onSale":true,"cancelled":false,"available":3,"availabilityAge":2.5},)"
          R"({"id":"I1","client":"rc","event":"E1","eventName":"S","start":"2026-12-01T19:30:00",)"
          R"("startUtc":"2026-12-01T19:30:00Z","onSale":true,"cancelled":false,"available":3}]})");
    api::reservation_with_history rh{{{1, "queued", "t", ""}}, sample_reservation()};
    auto text = api::to_json(rh);
    CHECK(text.starts_with(R"({"history":[{"version":1,"state":"queued","at":"t","note":""}],"reservation":{"id":"r_1",)"));
    CHECK(api::from_json<api::reservation>(text.substr(text.find("\"reservation\":") + 14, text.size() - text.find("\"reservation\":") - 15)).has_value());
}

TEST_CASE("json_escape_c1 escapes DEL and C1 controls and nothing else") {
    CHECK(api::json_escape_c1("{\"a\":\"x\xC2\x9By\x7f\"}") == R"({"a":"x\u009by\u007f"})");
    CHECK(api::json_escape_c1("caf\xC3\xA9 \xC2\xA0") == "caf\xC3\xA9 \xC2\xA0");
    CHECK(api::json_escape_c1("\xC2") == "\xC2");
}
