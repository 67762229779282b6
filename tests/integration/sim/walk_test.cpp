// Process-level tests of agentd-sim: a signed client walks the agent flow end to end.
#include "tests/support/sim_client.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <csignal>
#include <set>

using namespace sim_test;

namespace {

rapidjson::Document json(const reply& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body.substr(0, 300));
    return d;
}

std::string s(const rapidjson::Value& v, const char* k) {
    REQUIRE(v.HasMember(k));
    REQUIRE(v[k].IsString());
    return v[k].GetString();
}

struct tiny_ids {
    std::string instance, reserved_area, unreserved_area, type;
    std::vector<std::string> row_a;  // seat ids of the front row
};

tiny_ids discover(sim_client& c) {
    tiny_ids t;
    auto ev = c.get("events");
    REQUIRE(ev.status == 200);
    auto events = json(ev);
    REQUIRE(events.IsArray());
    REQUIRE(events.Size() == 1);
    auto inst = c.get("events/" + s(events[0], "id") + "/instances");
    REQUIRE(inst.status == 200);
    auto insts = json(inst);
    REQUIRE(insts.Size() == 2);
    t.instance = s(insts[0], "id");
    CHECK(s(insts[0], "start").back() != 'Z');
    CHECK(s(insts[0], "startUtc").back() == 'Z');
    auto pl = json(c.get("instances/" + t.instance + "/price-list"));
    REQUIRE(pl["prices"].Size() == 4);
    t.type = s(pl["prices"][0]["ticketType"], "id");
    auto plan = json(c.get("instances/" + t.instance + "/plan"));
    for (auto& a : plan["areas"].GetArray()) {
        if (s(a, "type") == "Unreserved") {
            t.unreserved_area = s(a, "id");
            CHECK(a["seats"].IsNull());
            CHECK(a["capacity"].GetInt() == 10);
        } else {
            t.reserved_area = s(a, "id");
            REQUIRE(a["seats"].Size() == 20);
            for (auto& seat : a["seats"].GetArray())
                if (s(seat, "row") == "A") t.row_a.push_back(s(seat, "id"));
        }
    }
    REQUIRE(t.row_a.size() == 10);
    REQUIRE(!t.unreserved_area.empty());
    return t;
}

std::string seat_ticket(const tiny_ids& t, const std::string& seat) {
    return R"({"instance":")" + t.instance + R"(","seat":")" + seat + R"(","type":")" + t.type + R"("})";
}

int count_of(const rapidjson::Value& status, const char* k) { return status[k].GetInt(); }

void check_counts_add_up(const rapidjson::Value& st) {
    int sum = 0;
    for (auto k : {"available", "inBasket", "inOtherBasket", "locked", "reserved", "sold", "scanned", "masked", "unavailable"})
        sum += count_of(st, k);
    CHECK(sum == count_of(st, "capacity"));
}

}  // namespace

TEST_CASE("the agent flow: list, status, basket, add, remove, add, customer, confirm, order") {
    sim_process sim({"--size", "tiny", "--seed", "7", "--rate", "1000", "--burst", "1000"});
    REQUIRE(sim.clients.size() == 1);
    CHECK(sim.clients[0].first == "tinyvenue");
    CHECK(sim.ready_line.find(R"("control_url":")" + sim.base_url + "/_sim\"") != std::string::npos);
    auto c = sim.client();
    auto t = discover(c);

    auto st = c.get("instances/" + t.instance + "/status?includeLockInformation=true&includeChildPlans=true");
    REQUIRE(st.status == 200);
    auto status = json(st);
    CHECK(count_of(status, "capacity") == 30);
    CHECK(count_of(status, "available") == 30);
    REQUIRE(status["areas"].Size() == 2);
    check_counts_add_up(status);

    auto b = c.post("baskets", "{}");
    REQUIRE(b.status == 201);
    auto basket_id = s(json(b), "id");

    auto add = c.post("baskets/" + basket_id + "/tickets", "[" + seat_ticket(t, t.row_a[4]) + "," + seat_ticket(t, t.row_a[5]) + "]");
    REQUIRE_MESSAGE(add.status == 200, add.body);
    auto tickets = json(add);
    REQUIRE(tickets.Size() == 2);
    CHECK(tickets[0]["price"].GetDouble() == doctest::Approx(40.0));
    CHECK(add.body.find(R"("price":40.0)") != std::string::npos);
    auto first_ticket = s(tickets[0], "id");

    auto after = json(c.get("instances/" + t.instance + "/status"));
    CHECK(count_of(after, "available") == 28);
    CHECK(count_of(after, "inOtherBasket") == 2);
    check_counts_add_up(after);

    auto seats = json(c.get("instances/" + t.instance + "/status/seats"));
    int mine = 0;
    for (auto& x : seats.GetArray()) mine += s(x, "status") == "InBasket";
    CHECK(mine == 2);
    auto other = sim.client(0, 1);
    auto seats2 = json(other.get("instances/" + t.instance + "/status/seats"));
    int others = 0;
    for (auto& x : seats2.GetArray()) others += s(x, "status") == "InOtherBasket";
    CHECK(others == 2);
    CHECK(other.get("baskets/" + basket_id).status == 404);  // another account's basket

    auto rm = c.del("baskets/" + basket_id + "/tickets?ticketIds=" + first_ticket);
    REQUIRE_MESSAGE(rm.status == 200, rm.body);
    CHECK(json(rm)["tickets"].Size() == 1);

    auto add2 = c.post("baskets/" + basket_id + "/tickets",
                       R"([{"instance":")" + t.instance + R"(","seatingPlan":")" + t.unreserved_area + R"(","type":")" + t.type + R"("}])");
    REQUIRE_MESSAGE(add2.status == 200, add2.body);
    CHECK(json(add2)[0]["seat"].IsNull());

    auto patched = c.patch("baskets/" + basket_id,
                           R"({"agentCustomer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 St James's Sq","reference":"R-42"}})");
    REQUIRE_MESSAGE(patched.status == 200, patched.body);
    CHECK(s(json(patched)["agentCustomer"], "reference") == "R-42");

    auto confirmed = c.post("baskets/" + basket_id + "/confirm", R"({"sendConfirmationEmail":false})");
    REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
    auto order = json(confirmed);
    auto order_id = s(order, "id");
    REQUIRE(order["tickets"].Size() == 2);
    for (auto& tk : order["tickets"].GetArray()) CHECK(!s(tk, "barcode").empty());
    CHECK(s(order["agentCustomer"], "lastName") == "Lovelace");

    auto again = c.post("baskets/" + basket_id + "/confirm", R"({"sendConfirmationEmail":false})");
    CHECK(again.status == 409);
    CHECK(json(again)["errorCode"].GetInt() == 100);
    CHECK(c.get("baskets/" + basket_id).status == 404);

    auto got = c.get("orders/" + order_id);
    REQUIRE(got.status == 200);
    CHECK(s(json(got), "id") == order_id);
    CHECK(other.get("orders/" + order_id).status == 404);

    auto sold = json(c.get("instances/" + t.instance + "/status"));
    CHECK(count_of(sold, "sold") == 2);
    check_counts_add_up(sold);

    auto orders = json(sim.control("GET", "orders"));
    REQUIRE(orders.Size() == 1);
    CHECK(s(orders[0]["agentCustomer"], "reference") == "R-42");
    CHECK(orders[0]["tickets"].Size() == 2);
    auto audit = json(sim.control("GET", "seats?instance=" + t.instance));
    int by_order = 0;
    for (auto& x : audit.GetArray())
        if (x["order"].IsString()) {
            ++by_order;
            CHECK(s(x, "owner") == "agent1@tinyvenue");
        }
    CHECK(by_order == 2);
    auto inv = json(sim.control("GET", "invariants"));
    CHECK(inv["ok"].GetBool());

    auto empty = json(c.post("baskets", "{}"));
    auto e = c.post("baskets/" + s(empty, "id") + "/confirm", "{}");
    CHECK(e.status == 409);
    CHECK(json(e)["errorCode"].GetInt() == 101);

    sim.proc().signal(SIGTERM);
    auto code = sim.proc().wait(std::chrono::seconds(10));
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

TEST_CASE("an expired basket answers 404 and its seats return to sale") {
    sim_process sim({"--size", "tiny", "--basket-ttl", "60", "--rate", "1000", "--burst", "1000"});
    auto c = sim.client();
    auto t = discover(c);
    auto b = s(json(c.post("baskets", "{}")), "id");
    REQUIRE(c.post("baskets/" + b + "/tickets", "[" + seat_ticket(t, t.row_a[0]) + "]").status == 200);
    CHECK(json(c.get("instances/" + t.instance + "/status"))["available"].GetInt() == 29);
    // A modifying call restarts the sliding deadline; a read does not.
    CHECK(sim.control("POST", "clock", R"({"advance_seconds":50})").status == 200);
    REQUIRE(c.patch("baskets/" + b, R"({"agentCustomer":{"reference":"x"}})").status == 200);
    CHECK(sim.control("POST", "clock", R"({"advance_seconds":50})").status == 200);
    CHECK(c.get("baskets/" + b).status == 200);
    CHECK(sim.control("POST", "clock", R"({"advance_seconds":15})").status == 200);
    CHECK(c.get("baskets/" + b).status == 404);
    CHECK(json(c.get("instances/" + t.instance + "/status"))["available"].GetInt() == 30);
    CHECK(json(sim.control("GET", "invariants"))["ok"].GetBool());
}

TEST_CASE("bad requests get Spektrix-style errors and never take the simulator down") {
    sim_process sim({"--size", "tiny", "--rate", "1000", "--burst", "1000", "--seat-status", "off"});
    auto c = sim.client();
    auto t = discover(c);
    auto b = s(json(c.post("baskets", "{}")), "id");
    struct probe {
        std::string method, path, body;
        int status, code;
    };
    std::vector<probe> probes{
        {"POST", "baskets/" + b + "/tickets", "{not json", 400, 0},
        {"POST", "baskets/" + b + "/tickets", "{}", 400, 0},
        {"POST", "baskets/" + b + "/tickets", "[]", 400, 0},
        {"POST", "baskets/" + b + "/tickets", R"([{"instance":5,"seat":"1","type":"x"}])", 400, 0},
        {"POST", "baskets/" + b + "/tickets", R"([{"instance":"999AXXXX","seat":"1","type":")" + t.type + "\"}]", 404, 0},
        {"POST", "baskets/" + b + "/tickets", "[" + seat_ticket(t, "99999999") + "]", 400, 0},
        {"POST", "baskets/" + b + "/tickets", "[" + seat_ticket(t, t.row_a[0]) + "," + seat_ticket(t, t.row_a[0]) + "]", 409, 20},
        {"POST", "baskets/NOPE/tickets", "[" + seat_ticket(t, t.row_a[0]) + "]", 404, 0},
        {"GET", "events?instanceStart_from=yesterday", "", 400, 0},
        {"GET", "instances/" + t.instance + "/best-available?quantity=0", "", 400, 0},
        {"GET", "instances/" + t.instance + "/best-available?quantity=11", "", 409, 22},
        {"GET", "instances/" + t.instance + "/status/seats", "", 404, 0},
        {"GET", "instances/unknown/plan", "", 404, 0},
        {"GET", "no/such/thing", "", 404, 0},
        {"PATCH", "baskets/" + b, R"({"agentCustomer":[1,2]})", 400, 0},
        {"DELETE", "baskets/" + b + "/tickets", "{}", 400, 0},
        {"GET", "events?x=%zz", "", 400, 0},
    };
    for (auto& p : probes) {
        CAPTURE(p.path);
        CAPTURE(p.body);
        auto r = c.call(p.method, p.path, p.body);
        CHECK(r.status == p.status);
        auto d = json(r);
        REQUIRE(d.IsObject());
        CHECK(d.HasMember("message"));
        if (p.code) CHECK(d["errorCode"].GetInt() == p.code);
    }
    // the all-or-nothing rule: the failed double-seat request added nothing
    CHECK(json(c.get("baskets/" + b))["tickets"].Size() == 0);

    std::string big(2 * 1024 * 1024, 'x');
    auto r = c.post("baskets", big);
    CHECK(r.status == 413);

    sim_client nobody(sim.base_url, "nosuchclient", sim.clients[0].second[0]);
    CHECK(nobody.get("events").status == 404);
    auto wrong = sim.clients[0].second[0];
    wrong.secret = sim.clients[0].second[1].secret;
    sim_client bad(sim.base_url, "tinyvenue", wrong);
    auto denied = bad.get("events");
    CHECK(denied.status == 401);
    CHECK(denied.body == R"({"message":"Authorization has been denied for this request."})");
    CHECK(c.raw("GET", "/tinyvenue/api/v3/events", "").status == 401);
    CHECK(c.get("events").status == 200);
}

TEST_CASE("--help prints the flags and a bad flag exits non-zero") {
    agentd::test::child_process help({agentd::test::bin_dir() + "/agentd-sim", "--help"});
    auto line = help.read_line(std::chrono::seconds(10));
    REQUIRE(line.has_value());
    CHECK(line->find("agentd-sim") != std::string::npos);
    auto code = help.wait(std::chrono::seconds(10));
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    agentd::test::child_process bad({agentd::test::bin_dir() + "/agentd-sim", "--size", "enormous"});
    auto bad_code = bad.wait(std::chrono::seconds(10));
    REQUIRE(bad_code.has_value());
    CHECK(*bad_code == 2);
}
