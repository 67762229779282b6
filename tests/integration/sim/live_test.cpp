// Process-level tests of agentd-sim under load and failure: concurrent buyers, faults, rate
// limits, public sales, HTTPS and garbage on the wire.
#include "tests/support/sim_client.hpp"

#include <boost/asio.hpp>
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

using namespace sim_test;

namespace {

rapidjson::Document json(const reply& r) {
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    REQUIRE_MESSAGE(!d.HasParseError(), "not JSON: " << r.body.substr(0, 300));
    return d;
}

std::string first_instance(sim_client& c) {
    auto ev = json(c.get("events"));
    REQUIRE(ev.Size() > 0);
    auto inst = json(c.get(std::string("events/") + ev[0]["id"].GetString() + "/instances"));
    REQUIRE(inst.Size() > 0);
    return inst[0]["id"].GetString();
}

std::string first_type(sim_client& c, const std::string& inst) {
    auto pl = json(c.get("instances/" + inst + "/price-list"));
    return pl["prices"][0]["ticketType"]["id"].GetString();
}

}  // namespace

TEST_CASE("concurrent buyers never get the same seat") {
    sim_process sim({"--size", "tiny", "--rate", "10000", "--burst", "10000", "--threads", "4"});
    auto c0 = sim.client();
    auto inst = first_instance(c0);
    auto type = first_type(c0, inst);
    constexpr int buyers = 8;
    std::vector<std::vector<std::string>> won(buyers);
    std::atomic<int> conflicts{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < buyers; ++i)
        threads.emplace_back([&, i] {
            auto c = sim.client(0, std::size_t(i % 2));
            for (int round = 0; round < 6; ++round) {
                auto b = c.post("baskets", "{}");
                if (b.status != 201) continue;
                rapidjson::Document d;
                d.Parse(b.body.c_str());
                std::string id = d["id"].GetString();
                auto r = c.post("baskets/" + id + "/tickets/best-available",
                                R"({"instance":")" + inst + R"(","quantity":2,"type":")" + type + R"("})");
                if (r.status == 409) {
                    ++conflicts;
                    continue;
                }
                if (r.status != 200) continue;
                auto conf = c.post("baskets/" + id + "/confirm", "{}");
                if (conf.status != 200) continue;
                rapidjson::Document o;
                o.Parse(conf.body.c_str());
                for (auto& t : o["tickets"].GetArray()) won[std::size_t(i)].push_back(t["seat"]["id"].GetString());
            }
        });
    for (auto& t : threads) t.join();
    std::set<std::string> all;
    std::size_t total = 0;
    for (auto& w : won) {
        total += w.size();
        all.insert(w.begin(), w.end());
    }
    CHECK(total == all.size());  // no seat sold twice
    CHECK(total == 20);          // 48 pairs wanted, the 20 reserved seats all sold
    CHECK(conflicts.load() > 0);
    auto inv = json(sim.control("GET", "invariants"));
    CHECK(inv["ok"].GetBool());
}

TEST_CASE("each fault type is produced when asked") {
    sim_process sim({"--size", "tiny", "--rate", "10000", "--burst", "10000"});
    auto c = sim.client();
    auto set = [&](const std::string& body) {
        REQUIRE(sim.control("PUT", "faults", R"({"clear":true})").status == 200);
        if (!body.empty()) REQUIRE(sim.control("PUT", "faults", body).status == 200);
    };
    set(R"({"client":"tinyvenue","endpoint":"events","p429":1})");
    auto r = c.get("events");
    CHECK(r.status == 429);
    CHECK(r.headers.count("Retry-After") == 1);
    CHECK(c.get("instances/x").status == 404);  // other endpoints unaffected

    set(R"({"endpoint":"events","p500":1})");
    CHECK(c.get("events").status == 500);
    set(R"({"endpoint":"events","p503":1})");
    CHECK(c.get("events").status == 503);

    set(R"({"endpoint":"events","reset":1})");
    r = c.get("events");
    CHECK(r.status == 0);
    CHECK(!r.error.empty());

    set(R"({"endpoint":"events","truncate":1})");
    r = c.get("events");
    CHECK(r.status == 0);  // the body ends before Content-Length says

    set(R"({"endpoint":"events","malformed":1})");
    r = c.get("events");
    CHECK(r.status == 200);
    rapidjson::Document d;
    d.Parse(r.body.c_str());
    CHECK(d.HasParseError());

    set(R"({"endpoint":"create_basket","commit_drop":1})");
    r = c.post("baskets", "{}");
    CHECK(r.status == 0);
    set("");
    auto baskets = json(sim.control("GET", "baskets"));
    CHECK(baskets.Size() == 1);  // the change was applied although the answer never came

    set(R"({"endpoint":"events","latency_ms":30})");
    CHECK(c.get("events").status == 200);
    auto faults = json(sim.control("GET", "faults"));
    REQUIRE(faults.Size() == 1);
    CHECK(faults[0]["latency_ms"].GetDouble() == doctest::Approx(30));
    CHECK(sim.control("PUT", "faults", R"({"p500":2})").status == 400);

    auto stats = json(sim.control("GET", "stats"));
    bool saw_503 = false;
    for (auto& s : stats["requests"].GetArray())
        if (std::string(s["endpoint"].GetString()) == "events" && s["status"].GetInt() == 503) saw_503 = true;
    CHECK(saw_503);
}

TEST_CASE("the token bucket per agent account answers 429 with Retry-After") {
    sim_process sim({"--size", "tiny", "--rate", "0.5", "--burst", "3"});
    auto c = sim.client();
    int ok = 0, limited = 0;
    reply last;
    for (int i = 0; i < 5; ++i) {
        auto r = c.get("events");
        if (r.status == 200) ++ok;
        if (r.status == 429) {
            ++limited;
            last = r;
        }
    }
    CHECK(ok >= 3);
    CHECK(limited >= 1);
    CHECK(std::atoi(last.headers["Retry-After"].c_str()) >= 1);
    // the other account has its own bucket
    auto other = sim.client(0, 1);
    CHECK(other.get("events").status == 200);
}

TEST_CASE("public sales take and return seats while agents sell") {
    sim_process sim({"--size", "tiny", "--rate", "10000", "--burst", "10000"});
    auto c = sim.client();
    auto inst = first_instance(c);
    auto take = json(sim.control("POST", "public-sales", R"({"instance":")" + inst + R"(","take":5})"));
    CHECK(take["moved"].GetInt() == 5);
    auto st = json(c.get("instances/" + inst + "/status"));
    CHECK(st["sold"].GetInt() == 5);
    auto seats = json(sim.control("GET", "seats?instance=" + inst));
    int pub = 0;
    for (auto& s : seats.GetArray()) pub += s["owner"].IsString() && std::string(s["owner"].GetString()) == "public";
    CHECK(pub == 5);
    auto back = json(sim.control("POST", "public-sales", R"({"instance":")" + inst + R"(","return":2})"));
    CHECK(back["moved"].GetInt() == 2);
    CHECK(json(c.get("instances/" + inst + "/status"))["sold"].GetInt() == 3);
    // background sales move availability by themselves
    REQUIRE(sim.control("POST", "public-sales", R"({"rate":200})").status == 200);
    auto moved = agentd::test::wait_until(
        [&] {
            auto a = json(sim.control("GET", "seats?instance=" + inst));
            int p = 0;
            for (auto& s : a.GetArray()) p += s["owner"].IsString();
            return p != 3;
        },
        std::chrono::seconds(10));
    CHECK(moved);
    CHECK(json(sim.control("GET", "invariants"))["ok"].GetBool());
}

TEST_CASE("HTTPS with a throwaway CA") {
    agentd::test::temp_dir dir;
    auto d = dir.path();
    std::string cmd = "cd " + d +
                      " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=sim-test-ca"
                      " >/dev/null 2>&1"
                      " && openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 >/dev/null 2>&1"
                      " && printf 'subjectAltName=IP:127.0.0.1\\n' > ext.cnf"
                      " && openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2"
                      " -extfile ext.cnf >/dev/null 2>&1";
    REQUIRE(std::system(cmd.c_str()) == 0);
    sim_process sim({"--size", "tiny", "--tls-cert", dir.file("srv.pem"), "--tls-key", dir.file("srv.key")});
    sim.ca = dir.file("ca.pem");
    CHECK(sim.base_url.rfind("https://127.0.0.1:", 0) == 0);
    auto c = sim.client();
    auto r = c.get("events");
    CHECK(r.status == 200);
    CHECK(c.post("baskets", "{}").status == 201);
    CHECK(json(sim.control("GET", "invariants"))["ok"].GetBool());
}

TEST_CASE("garbage on the wire gets 400 or a closed connection and the server keeps serving") {
    sim_process sim({"--size", "tiny", "--rate", "10000", "--burst", "10000"});
    auto port = sim.base_url.substr(sim.base_url.rfind(':') + 1);
    std::mt19937 gen(12345);
    boost::asio::io_context ioc;
    for (int i = 0; i < 40; ++i) {
        boost::asio::ip::tcp::socket sock(ioc);
        sock.connect({boost::asio::ip::make_address("127.0.0.1"), std::uint16_t(std::stoi(port))});
        std::string junk(std::size_t(1 + gen() % 600), '\0');
        for (auto& ch : junk) ch = char(gen() % 256);
        if (i % 3 == 0) junk = "POST /tinyvenue/api/v3/baskets HTTP/1.1\r\nContent-Length: 5\r\n\r\n" + junk;
        if (i % 5 == 0) junk += "\r\n\r\n";
        boost::system::error_code ec;
        boost::asio::write(sock, boost::asio::buffer(junk), ec);
        sock.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        char buf[4096];
        std::string got;
        for (;;) {
            auto n = sock.read_some(boost::asio::buffer(buf), ec);
            if (ec) break;
            got.append(buf, n);
        }
        if (!got.empty()) CHECK(got.rfind("HTTP/1.1 ", 0) == 0);
    }
    auto c = sim.client();
    CHECK(c.get("events").status == 200);
    CHECK(sim.proc().running());
}

TEST_CASE("a deeply nested JSON body gets 400 over the wire and the simulator keeps serving") {
    sim_process sim({"--size", "tiny", "--rate", "10000", "--burst", "10000"});
    auto c = sim.client();
    auto basket = json(c.post("baskets", "{}"));
    const std::string id = basket["id"].GetString();
    const std::string deep(200000, '[');  // well under the 1 MiB body cap
    auto locks = sim.control("POST", "locks", deep);
    CHECK(locks.status == 400);
    CHECK(locks.body.find("malformed JSON") != std::string::npos);
    for (const auto& path : {std::string("baskets"), "baskets/" + id + "/tickets", "baskets/" + id + "/confirm"}) {
        auto r = c.post(path, deep);
        CAPTURE(path);
        CHECK(r.status == 400);
        CHECK(r.body.find("malformed JSON") != std::string::npos);
    }
    CHECK(c.get("baskets/" + id).status == 200);
    CHECK(json(sim.control("GET", "invariants"))["ok"].GetBool());
    CHECK(sim.proc().running());
}

TEST_CASE("agentd-sim --seed 1 --size small serves three clients to a signed client") {
    sim_process sim({"--seed", "1", "--size", "small"});
    REQUIRE(sim.clients.size() == 3);
    CHECK(sim.clients[0].first == "royalcourt");
    CHECK(sim.clients[2].first == "cornexchange");
    for (std::size_t i = 0; i < sim.clients.size(); ++i) {
        auto c = sim.client(i);
        auto ev = c.get("events");
        REQUIRE(ev.status == 200);
        CHECK(json(ev).Size() == 5);
    }
    auto c = sim.client(1);
    auto inst = first_instance(c);
    auto plan = json(c.get("instances/" + inst + "/plan"));
    CHECK(plan["capacity"].GetInt() >= 150);
    CHECK(plan["capacity"].GetInt() <= 400);
    auto best = c.get("instances/" + inst + "/best-available?quantity=4");
    REQUIRE(best.status == 200);
    CHECK(json(best).Size() == 4);
    sim_process again({"--seed", "1", "--size", "small"});
    CHECK(again.ready_line.substr(again.ready_line.find("\"clients\"")) == sim.ready_line.substr(sim.ready_line.find("\"clients\"")));
}

TEST_CASE("time_scale runs basket expiry faster than the wall clock") {
    sim_process sim({"--size", "tiny", "--time-scale", "600", "--basket-ttl", "60", "--rate", "10000", "--burst", "10000"});
    auto c = sim.client();
    auto inst = first_instance(c);
    auto type = first_type(c, inst);
    auto b = json(c.post("baskets", "{}"));
    std::string id = b["id"].GetString();
    REQUIRE(c.post("baskets/" + id + "/tickets/best-available", R"({"instance":")" + inst + R"(","quantity":3,"type":")" + type + R"("})")
                .status == 200);
    // 60 simulated seconds are 0.1 s of wall time at 600x
    CHECK(agentd::test::wait_until([&] { return c.get("baskets/" + id).status == 404; }, std::chrono::seconds(10)));
    CHECK(json(c.get("instances/" + inst + "/status"))["available"].GetInt() == 30);
}

TEST_CASE("many concurrent keep-alive connections are all served") {
    sim_process sim({"--size", "tiny", "--rate", "0"});
    std::vector<std::unique_ptr<sim_client>> clients;
    for (int i = 0; i < 200; ++i) clients.push_back(std::make_unique<sim_client>(sim.client()));
    int ok = 0;
    for (auto& c : clients) ok += c->get("events").status == 200;  // opens 200 connections
    for (auto& c : clients) ok += c->get("events").status == 200;  // reuses each of them
    CHECK(ok == 400);
    auto stats = json(sim.control("GET", "stats"));
    CHECK(stats["requests"][0]["count"].GetInt() == 400);
}
