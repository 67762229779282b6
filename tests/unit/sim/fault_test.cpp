// Faults that break an agent's books, in process: late apply (504 now, the write later),
// errors after commit, nth/persist selection with its counters, rule validation, and the
// order and basket audits. Signed requests through simulator::handle(); the late writes are
// run with simulator::run_late() at a chosen time, so nothing here depends on timing.
#include "signed_request.hpp"
#include "sim/simulator.hpp"

#include "agentd/core/time.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <rapidjson/document.h>

using namespace agentd;
using namespace agentd::sim;
using steady = std::chrono::steady_clock;

namespace {

constexpr auto k_far = std::chrono::minutes(11);  // beyond any late_apply_ms used below

struct rig {
    settings s;
    std::unique_ptr<simulator> sim;
    std::uint32_t inst = 0;
    rig() {
        s.size = size_preset::tiny;
        s.rate = 0;
        auto now = std::chrono::system_clock::now();
        sim = std::make_unique<simulator>(generate_world({1, size_preset::tiny, 0, now}), s);
        for (; inst < c().instances.size(); ++inst) {
            auto& in = c().instances[inst];
            if (in.agent_visible && in.agent_on_sale && !in.cancelled && in.agent_sell_from <= now && now < in.start) break;
        }
        REQUIRE(inst < c().instances.size());
    }
    const client& c() const { return sim->catalogue().clients[0]; }
    const std::string& instance_id() const { return c().instances[inst].id; }
    std::string seat(std::uint32_t slot) const { return std::to_string(c().plans[c().instances[inst].plan].seat_id_base + slot); }
    std::string ticket_body(std::uint32_t slot) const {
        return R"([{"instance":")" + instance_id() + R"(","seat":")" + seat(slot) + R"(","type":")" + c().types[0].id + "\"}]";
    }
    http_response call(const std::string& method, const std::string& path, const std::string& body = "{}") {
        return sim->handle(test::signed_request(c(), c().accounts[0], method, path, method == "GET" ? "" : body));
    }
    http_response control(const std::string& method, const std::string& what, const std::string& body = "") {
        http_request r;
        r.method = method;
        r.target = "/_sim/" + what;
        r.body = body;
        return sim->handle(r);
    }
    void fault(const std::string& rule) {
        REQUIRE(control("PUT", "faults", R"({"clear":true})").status == 200);
        if (!rule.empty()) {
            auto r = control("PUT", "faults", rule);
            REQUIRE_MESSAGE(r.status == 200, r.body);
        }
    }
    std::string new_basket() {
        auto r = call("POST", "baskets");
        REQUIRE(r.status == 201);
        return json(r)["id"].GetString();
    }
    static rapidjson::Document json(const http_response& r) {
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body.substr(0, 300));
        return d;
    }
    rapidjson::Document audit(const std::string& what) {
        auto r = control("GET", what);
        REQUIRE(r.status == 200);
        return json(r);
    }
    // Tickets in basket `id` as the audit sees them; -1 when the basket is not open.
    int basket_tickets(const std::string& id) {
        auto b = audit("baskets");
        for (auto& x : b.GetArray())
            if (id == x["id"].GetString()) return int(x["tickets"].Size());
        return -1;
    }
};

}  // namespace

TEST_CASE("late_apply answers 504 at once and applies the write only when it is due") {
    rig t;
    auto id = t.new_basket();
    t.fault(R"({"endpoint":"add_tickets","late_apply":1,"late_apply_ms":600000})");
    auto r = t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(0));
    CHECK(r.status == 504);
    CHECK(r.delay.count() == 0);
    CHECK(std::string(rig::json(r)["message"].GetString()).find("gateway") != std::string::npos);
    CHECK(t.basket_tickets(id) == 0);
    auto late = t.audit("late");
    CHECK(late["pending"].GetInt() == 1);
    REQUIRE(late["writes"].Size() == 1);
    CHECK(std::string(late["writes"][0]["state"].GetString()) == "pending");
    CHECK(std::string(late["writes"][0]["endpoint"].GetString()) == "add_tickets");
    CHECK(late["writes"][0]["basket"].GetString() == id);

    t.sim->run_late(steady::now());  // ten minutes early: nothing happens
    CHECK(t.basket_tickets(id) == 0);
    CHECK(t.audit("late")["pending"].GetInt() == 1);

    t.sim->run_late(steady::now() + k_far);
    CHECK(t.basket_tickets(id) == 1);
    late = t.audit("late");
    CHECK(late["pending"].GetInt() == 0);
    CHECK(late["applied"].GetInt() == 1);
    CHECK(late["writes"][0]["status"].GetInt() == 200);
    CHECK(late["writes"][0]["message"].IsNull());
    t.fault("");
    auto seen = rig::json(t.call("GET", "baskets/" + id));
    REQUIRE(seen["tickets"].Size() == 1);
    CHECK(seen["tickets"][0]["seat"]["id"].GetString() == t.seat(0));
}

TEST_CASE("hold mode holds the answer late_hold_ms, then answers 504; reads have nothing to apply") {
    rig t;
    t.fault(R"({"endpoint":"*","late_apply":1,"late_mode":"hold","late_hold_ms":1500,"late_apply_ms":5000})");
    auto r = t.call("POST", "baskets");
    CHECK(r.status == 504);
    CHECK(r.delay == std::chrono::milliseconds(1500));
    auto g = t.call("GET", "events");
    CHECK(g.status == 504);
    auto late = t.audit("late");
    CHECK(late["pending"].GetInt() == 1);  // the create only
    CHECK(t.audit("baskets").Size() == 0);
    t.sim->run_late(steady::now() + k_far);
    late = t.audit("late");
    CHECK(late["applied"].GetInt() == 1);
    CHECK(late["writes"][0]["status"].GetInt() == 201);
    auto baskets = t.audit("baskets");
    REQUIRE(baskets.Size() == 1);  // a basket nobody knows the id of
    CHECK(late["writes"][0]["basket"].GetString() == std::string(baskets[0]["id"].GetString()));
}

TEST_CASE("a late write goes through the state machine of the moment it lands") {
    rig t;
    // A late add of a seat taken in between fails, silently for the client.
    auto a = t.new_basket();
    t.fault(R"({"endpoint":"add_tickets","late_apply":1,"late_apply_ms":600000})");
    CHECK(t.call("POST", "baskets/" + a + "/tickets", t.ticket_body(0)).status == 504);
    t.fault("");
    auto b = t.new_basket();
    CHECK(t.call("POST", "baskets/" + b + "/tickets", t.ticket_body(0)).status == 200);
    t.sim->run_late(steady::now() + k_far);
    auto late = t.audit("late");
    REQUIRE(late["writes"].Size() == 1);
    CHECK(late["writes"][0]["status"].GetInt() == 409);
    CHECK(late["writes"][0]["message"].IsString());
    CHECK(t.basket_tickets(a) == 0);
    CHECK(t.basket_tickets(b) == 1);

    // A late confirm of a basket cleared in between does nothing.
    t.fault(R"({"endpoint":"confirm","late_apply":1,"late_apply_ms":600000})");
    CHECK(t.call("POST", "baskets/" + b + "/confirm", R"({"sendConfirmationEmail":false})").status == 504);
    t.fault("");
    CHECK(t.call("POST", "baskets/" + b + "/clear").status == 200);
    t.sim->run_late(steady::now() + k_far);
    late = t.audit("late");
    CHECK(late["writes"][1]["status"].GetInt() == 409);
    CHECK(t.audit("orders").Size() == 0);
    CHECK(t.audit("invariants")["ok"].GetBool());

    // A late confirm of a basket still full makes the order the client was told timed out.
    CHECK(t.call("POST", "baskets/" + a + "/tickets", t.ticket_body(1)).status == 200);
    t.fault(R"({"endpoint":"confirm","late_apply":1,"late_apply_ms":600000})");
    CHECK(t.call("POST", "baskets/" + a + "/confirm", "{}").status == 504);
    CHECK(t.audit("orders").Size() == 0);
    t.sim->run_late(steady::now() + k_far);
    auto orders = t.audit("orders");
    REQUIRE(orders.Size() == 1);
    CHECK(orders[0]["basket"].GetString() == a);
}

TEST_CASE("errors after commit: the write is applied and the answer is a 500 or 503 error body") {
    rig t;
    auto id = t.new_basket();
    t.fault(R"({"endpoint":"add_tickets","p500_after_commit":1})");
    auto r = t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(2));
    CHECK(r.status == 500);
    CHECK(rig::json(r)["message"].IsString());
    CHECK(t.basket_tickets(id) == 1);

    t.fault(R"({"endpoint":"confirm","p503_after_commit":1})");
    r = t.call("POST", "baskets/" + id + "/confirm");
    CHECK(r.status == 503);
    CHECK(rig::json(r)["message"].IsString());
    auto orders = t.audit("orders");
    REQUIRE(orders.Size() == 1);
    CHECK(orders[0]["tickets"][0]["seat"].GetString() == t.seat(2));
    t.fault("");
    CHECK(t.call("POST", "baskets/" + id + "/confirm").status == 409);  // already confirmed

    // Several faults at once: the one higher in the README's table decides, one per answer.
    t.fault(R"({"endpoint":"create_basket","p503_after_commit":1,"commit_drop":1,"truncate":1})");
    r = t.call("POST", "baskets");
    CHECK(r.status == 503);
    CHECK(r.fault == transport_fault::none);
    CHECK(t.audit("baskets").Size() == 1);
}

TEST_CASE("nth selects exactly the nth matching request, persist every one from it; matched and fired count") {
    rig t;
    t.fault(R"({"endpoint":"writes","nth":3,"p500":0.001})");
    CHECK(t.call("GET", "events").status == 200);  // not a write
    auto id = t.new_basket();                       // 1
    CHECK(t.call("PATCH", "baskets/" + id, R"({"agentCustomer":{"firstName":"A"}})").status == 200);  // 2
    CHECK(t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(0)).status == 500);              // 3
    CHECK(t.basket_tickets(id) == 0);  // p500 fails before anything is applied
    CHECK(t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(0)).status == 200);  // 4
    CHECK(t.call("POST", "baskets/" + id + "/clear").status == 200);                      // 5
    auto f = t.audit("faults");
    REQUIRE(f.Size() == 1);
    CHECK(f[0]["matched"].GetInt() == 5);
    CHECK(f[0]["fired"].GetInt() == 1);
    CHECK(f[0]["nth"].GetInt() == 3);
    CHECK_FALSE(f[0]["persist"].GetBool());

    t.fault(R"({"endpoint":"get_basket","nth":2,"persist":true,"p503":1})");
    CHECK(t.call("GET", "baskets/" + id).status == 200);
    CHECK(t.call("GET", "baskets/" + id).status == 503);
    CHECK(t.call("GET", "baskets/" + id).status == 503);
    CHECK(t.call("POST", "baskets/" + id + "/clear").status == 200);  // another endpoint
    f = t.audit("faults");
    CHECK(f[0]["matched"].GetInt() == 3);
    CHECK(f[0]["fired"].GetInt() == 2);

    // A request an nth rule does not select is left to the rules before it.
    t.fault(R"({"endpoint":"get_basket","latency_ms":7})");
    REQUIRE(t.control("PUT", "faults", R"({"endpoint":"get_basket","nth":2,"p500":1})").status == 200);
    auto first = t.call("GET", "baskets/" + id);
    CHECK(first.status == 200);
    CHECK(first.delay == std::chrono::milliseconds(7));
    CHECK(t.call("GET", "baskets/" + id).status == 500);
    f = t.audit("faults");
    CHECK(f[0]["matched"].GetInt() == 2);
    CHECK(f[0]["fired"].GetInt() == 0);  // latency is not a fault
    CHECK(f[1]["fired"].GetInt() == 1);
}

TEST_CASE("a fail-the-Nth-write loop ends at the first N the scenario does not reach") {
    int last = 0;
    for (int n = 1; n <= 20; ++n) {
        CAPTURE(n);
        rig t;
        t.fault(R"({"endpoint":"writes","p503_after_commit":1,"nth":)" + std::to_string(n) + "}");
        // A scenario of four writes that stops at its first failure, as a naive client would.
        std::vector<int> got;
        auto step = [&](const std::string& method, const std::string& path, const std::string& body) {
            if (!got.empty() && got.back() >= 500) return std::string{};
            auto r = t.call(method, path, body);
            got.push_back(r.status);
            return r.status < 300 ? r.body : std::string{};
        };
        auto created = step("POST", "baskets", "{}");
        std::string id;
        if (!created.empty()) {
            rapidjson::Document d;
            d.Parse(created.c_str());
            id = d["id"].GetString();
        } else {
            auto open = t.audit("baskets");
            REQUIRE(open.Size() == 1);  // applied although the answer was 503
            id = open[0]["id"].GetString();
        }
        step("PATCH", "baskets/" + id, R"({"agentCustomer":{"reference":"R1"}})");
        step("POST", "baskets/" + id + "/tickets", t.ticket_body(0));
        step("POST", "baskets/" + id + "/confirm", "{}");
        auto f = t.audit("faults");
        if (f[0]["fired"].GetInt() == 0) {
            CHECK(f[0]["matched"].GetInt() == 4);
            CHECK(t.audit("orders").Size() == 1);
            last = n;
            break;
        }
        CHECK(f[0]["matched"].GetInt() == n);
        REQUIRE(got.size() == std::size_t(n));
        CHECK(got.back() == 503);
        if (n == 4) CHECK(t.audit("orders").Size() == 1);  // the confirm landed behind its 503
    }
    CHECK(last == 5);
}

TEST_CASE("bad fault rules are refused with a message naming the field") {
    rig t;
    auto refused = [&](const std::string& body, const std::string& field) {
        CAPTURE(body);
        auto r = t.control("PUT", "faults", body);
        CHECK(r.status == 400);
        CHECK(r.body.find(field) != std::string::npos);
    };
    refused(R"({"p500_after_commit":2})", "p500_after_commit");
    refused(R"({"late_apply":-0.5})", "late_apply");
    refused(R"({"late_apply_ms":"200"})", "late_apply_ms");
    refused(R"({"late_hold_ms":700000})", "late_hold_ms");
    refused(R"({"late_mode":"slow"})", "late_mode");
    refused(R"({"nth":0})", "nth");
    refused(R"({"nth":1.5})", "nth");
    refused(R"({"persist":true})", "persist");
    refused(R"({"endpoint":"add_ticket"})", "add_ticket");
    refused(R"({"p5OO":1})", "p5OO");
    CHECK(t.audit("faults").Size() == 0);
    CHECK(t.control("PUT", "faults", R"({"endpoint":"writes","nth":2,"persist":true,"late_apply":1,"late_mode":"hold"})").status == 200);
    auto f = t.audit("faults");
    REQUIRE(f.Size() == 1);
    CHECK(std::string(f[0]["late_mode"].GetString()) == "hold");
    CHECK(f[0]["late_apply_ms"].GetDouble() == 200);
    CHECK(f[0]["late_hold_ms"].GetDouble() == 60000);
    CHECK(f[0]["persist"].GetBool());
}

TEST_CASE("order and basket audits carry customer, tickets with prices, total and last-touched time") {
    rig t;
    auto id = t.new_basket();
    const std::string customer =
        R"({"firstName":"Ada","lastName":"Lovelace","addressLine1":"12 St James's Square","reference":"R-77"})";
    REQUIRE(t.call("PATCH", "baskets/" + id, R"({"agentCustomer":)" + customer + "}").status == 200);
    REQUIRE(t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(3)).status == 200);
    REQUIRE(t.call("POST", "baskets/" + id + "/tickets", t.ticket_body(4)).status == 200);
    auto b = t.audit("baskets");
    REQUIRE(b.Size() == 1);
    auto touched = std::string(b[0]["lastTouchedUtc"].GetString());
    CHECK(b[0]["tickets"].Size() == 2);
    CHECK(b[0]["tickets"][0]["price"].GetDouble() > 0);
    CHECK(b[0]["createdUtc"].IsString());
    auto basket_total = b[0]["total"].GetDouble();

    REQUIRE(t.control("POST", "clock", R"({"advance_seconds":600})").status == 200);
    CHECK(std::string(t.audit("baskets")[0]["lastTouchedUtc"].GetString()) == touched);  // reading is not touching
    REQUIRE(t.call("PATCH", "baskets/" + id, R"({"agentCustomer":)" + customer + "}").status == 200);
    b = t.audit("baskets");
    auto touched2 = std::string(b[0]["lastTouchedUtc"].GetString());
    CHECK(touched2 > touched);
    auto parsed_touch = parse_iso(touched2), parsed_expiry = parse_iso(b[0]["expiresUtc"].GetString());
    REQUIRE(parsed_touch.has_value());
    REQUIRE(parsed_expiry.has_value());
    CHECK(*parsed_expiry - *parsed_touch == std::chrono::seconds(1200));

    REQUIRE(t.call("POST", "baskets/" + id + "/confirm", "{}").status == 200);
    auto o = t.audit("orders");
    REQUIRE(o.Size() == 1);
    CHECK(std::string(o[0]["account"].GetString()) == t.c().accounts[0].login);
    CHECK(std::string(o[0]["agentCustomer"]["firstName"].GetString()) == "Ada");
    CHECK(std::string(o[0]["agentCustomer"]["lastName"].GetString()) == "Lovelace");
    CHECK(std::string(o[0]["agentCustomer"]["addressLine1"].GetString()) == "12 St James's Square");
    CHECK(std::string(o[0]["agentCustomer"]["reference"].GetString()) == "R-77");
    REQUIRE(o[0]["tickets"].Size() == 2);
    double sum = 0;
    for (auto& tk : o[0]["tickets"].GetArray()) {
        sum += tk["price"].GetDouble();
        // The default agent discount: 10% of the price, to the penny.
        CHECK(std::llround(tk["agentDiscount"].GetDouble() * 100) == std::llround(tk["price"].GetDouble() * 10));
        CHECK(std::string(tk["barcode"].GetString()).size() == 13);
        CHECK(tk["seat"].IsString());
    }
    CHECK(o[0]["total"].GetDouble() == doctest::Approx(sum));
    CHECK(o[0]["total"].GetDouble() == doctest::Approx(basket_total));
    CHECK(o[0]["confirmedUtc"].IsString());
    CHECK(t.audit("orders?account=" + t.c().accounts[0].login).Size() == 1);
    CHECK(t.audit("orders?account=nobody").Size() == 0);
    CHECK(t.audit("baskets").Size() == 0);
}

TEST_CASE("maintenance answers 503 to every API request of its client, changes nothing and counts them") {
    rig r;
    const auto name = r.c().name;
    auto basket = r.new_basket();
    auto on = r.control("POST", "maintenance", R"({"client":")" + name + R"(","on":true})");
    REQUIRE_MESSAGE(on.status == 200, on.body);
    CHECK(r.call("GET", "events").status == 503);
    CHECK(r.call("POST", "baskets").status == 503);
    CHECK(r.call("POST", "baskets/" + basket + "/tickets", r.ticket_body(0)).status == 503);
    CHECK(r.basket_tickets(basket) == 0);  // the control API still answers; the add did nothing
    auto m = rig::json(r.control("GET", "maintenance?client=" + name));
    REQUIRE(m.IsArray());
    REQUIRE(m.Size() == 1);
    CHECK(m[0]["on"].GetBool());
    CHECK(m[0]["refusedReads"].GetUint64() == 1);
    CHECK(m[0]["refusedWrites"].GetUint64() == 2);
    REQUIRE(r.control("POST", "maintenance", R"({"client":")" + name + R"(","on":false})").status == 200);
    CHECK(r.call("GET", "events").status == 200);
    CHECK(r.control("POST", "maintenance", R"({"client":"nosuch","on":true})").status == 404);
    CHECK(r.control("POST", "maintenance", R"({"client":")" + name + R"("})").status == 400);
}
