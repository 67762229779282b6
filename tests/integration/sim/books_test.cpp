// Faults that break an agent's books, through a real agentd-sim process and its signed HTTP
// API: late apply (504 now or a held answer, the write later on the simulator's own timer),
// errors after commit, and nth selection of exactly one write.
#include "tests/support/sim_client.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

using namespace sim_test;

namespace {

rapidjson::Document json(const reply& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body.substr(0, 300));
    return d;
}

struct books {
    sim_process sim{{"--size", "tiny", "--rate", "10000", "--burst", "10000"}};
    sim_client c = sim.client();
    std::string inst, type, seat;

    books() {
        auto ev = json(c.get("events"));
        inst = json(c.get(std::string("events/") + ev[0]["id"].GetString() + "/instances"))[0]["id"].GetString();
        type = json(c.get("instances/" + inst + "/price-list"))["prices"][0]["ticketType"]["id"].GetString();
        auto best = json(c.get("instances/" + inst + "/best-available?quantity=1"));
        seat = best[0]["id"].GetString();
    }
    void fault(const std::string& rule) {
        REQUIRE(sim.control("PUT", "faults", R"({"clear":true})").status == 200);
        if (!rule.empty()) {
            auto r = sim.control("PUT", "faults", rule);
            REQUIRE_MESSAGE(r.status == 200, r.body);
        }
    }
    std::string basket() {
        auto r = c.post("baskets", "{}");
        REQUIRE(r.status == 201);
        return json(r)["id"].GetString();
    }
    std::string one_seat() const {
        return R"([{"instance":")" + inst + R"(","seat":")" + seat + R"(","type":")" + type + "\"}]";
    }
    int tickets_in(const std::string& id) {
        auto b = json(sim.control("GET", "baskets"));
        for (auto& x : b.GetArray())
            if (id == x["id"].GetString()) return int(x["tickets"].Size());
        return -1;
    }
};

}  // namespace

TEST_CASE("late_apply 504: the client gets 504, the seat lands in the basket late_apply_ms later") {
    books t;
    auto id = t.basket();
    // Long enough that the audit right after the answer reliably comes first.
    t.fault(R"({"endpoint":"add_tickets","late_apply":1,"late_apply_ms":1500})");
    auto r = t.c.post("baskets/" + id + "/tickets", t.one_seat());
    CHECK(r.status == 504);
    CHECK(t.tickets_in(id) == 0);
    CHECK(json(t.sim.control("GET", "late"))["pending"].GetInt() == 1);
    CHECK(agentd::test::wait_until([&] { return t.tickets_in(id) == 1; }, std::chrono::seconds(15)));
    auto late = json(t.sim.control("GET", "late"));
    CHECK(late["pending"].GetInt() == 0);
    CHECK(late["writes"][0]["status"].GetInt() == 200);
    t.fault("");
    auto seen = json(t.c.get("baskets/" + id));
    REQUIRE(seen["tickets"].Size() == 1);
    CHECK(seen["tickets"][0]["seat"]["id"].GetString() == t.seat);
    CHECK(json(t.sim.control("GET", "invariants"))["ok"].GetBool());
}

TEST_CASE("late_apply hold: the answer is held, then 504; the confirm lands afterwards") {
    books t;
    auto id = t.basket();
    REQUIRE(t.c.post("baskets/" + id + "/tickets", t.one_seat()).status == 200);
    t.fault(R"({"endpoint":"confirm","late_apply":1,"late_mode":"hold","late_hold_ms":300,"late_apply_ms":1800})");
    auto r = t.c.post("baskets/" + id + "/confirm", R"({"sendConfirmationEmail":false})");
    CHECK(r.status == 504);
    CHECK(json(t.sim.control("GET", "orders")).Size() == 0);
    CHECK(agentd::test::wait_until([&] { return json(t.sim.control("GET", "orders")).Size() == 1; }, std::chrono::seconds(15)));
    auto orders = json(t.sim.control("GET", "orders"));
    CHECK(orders[0]["basket"].GetString() == id);
    CHECK(std::string(orders[0]["tickets"][0]["barcode"].GetString()).size() == 13);
    t.fault("");
    CHECK(t.c.get("baskets/" + id).status == 404);  // confirmed behind the client's back
}

TEST_CASE("p500_after_commit and p503_after_commit: applied, answered with an error body") {
    books t;
    auto id = t.basket();
    t.fault(R"({"endpoint":"add_tickets","p503_after_commit":1})");
    auto r = t.c.post("baskets/" + id + "/tickets", t.one_seat());
    CHECK(r.status == 503);
    CHECK(json(r)["message"].IsString());
    CHECK(t.tickets_in(id) == 1);
    t.fault(R"({"endpoint":"confirm","p500_after_commit":1})");
    r = t.c.post("baskets/" + id + "/confirm", "{}");
    CHECK(r.status == 500);
    CHECK(json(t.sim.control("GET", "orders")).Size() == 1);
}

TEST_CASE("nth over the wire: only the 2nd write fails, and matched counts every write") {
    books t;
    t.fault(R"({"endpoint":"writes","nth":2,"p500":1})");
    auto id = t.basket();
    CHECK(t.c.get("baskets/" + id).status == 200);
    CHECK(t.c.post("baskets/" + id + "/tickets", t.one_seat()).status == 500);
    CHECK(t.c.post("baskets/" + id + "/tickets", t.one_seat()).status == 200);
    auto f = json(t.sim.control("GET", "faults"));
    CHECK(f[0]["matched"].GetInt() == 3);
    CHECK(f[0]["fired"].GetInt() == 1);
}
