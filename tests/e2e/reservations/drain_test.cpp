// A graceful stop while a confirm is stuck upstream: the venue has applied it, but its answer
// is held far longer than the drain allows. The daemon must still stop within its drain bounds
// with status 0, and the next start must find the order and settle the reservation confirmed,
// with exactly one order upstream; a SIGTERM while that start-up's recovery still waits on the
// venue must stop it too. Real binaries, real SQLite file, real SIGTERM.
#include "tests/e2e/reservations/crash_support.hpp"

#include <doctest/doctest.h>

#include <csignal>

using namespace agentd::test;
using namespace agentd::test::crash;
using namespace std::chrono_literals;

TEST_CASE("SIGTERM while a sent confirm hangs upstream stops within the drain and the restart settles it once") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);  // drain_timeout = "5s"
    auto d = start_daemon(dir, config);
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    const auto client = sim.clients.at(0).name;
    const sellable sale = wait_sellable(sock, client);

    const std::string body = R"({"client":")" + client + R"(","instance":")" + sale.instance +
                             R"(","bestAvailable":{"quantity":1,"ticketType":")" + sale.ticket_type + R"("}})";
    auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: drain-hung-confirm"});
    REQUIRE(a);
    REQUIRE((a->status == 202 || a->status == 200));
    const std::string id = *json_get(a->body, "id");
    REQUIRE(wait_until(
        [&] {
            auto r = uds_request(sock, "GET", "/v1/reservations/" + id);
            return r && r->status == 200 && json_get(r->body, "state") == "held";
        },
        60s, 50ms));

    // Applied 100 ms after it arrives; the answer (a 504) only after 60 s.
    sim_put_fault(sim, R"({"client":"*","endpoint":"confirm","late_apply":1,"late_mode":"hold","late_apply_ms":100,"late_hold_ms":60000})");
    auto c = uds_request(sock, "POST", "/v1/reservations/" + id + "/confirm", confirm_body(id));
    REQUIRE(c);
    REQUIRE(c->status == 202);
    REQUIRE(wait_until([&] { return sim_list(sim, "orders", client).size() == 1; }, 30s, 50ms));

    d->signal(SIGTERM);
    auto st = d->wait(40s);
    REQUIRE_MESSAGE(st, "the daemon did not stop within 40 s of SIGTERM with a confirm hung upstream");
    CHECK(*st == 0);
    const std::string log = read_file(dir.file("agentd.log"));
    CHECK(log.find("confirms still unsettled at the end of the drain") != std::string::npos);

    // A stop signal during start-up: every upstream answer takes 4 s, so recovery (which reads
    // the stuck basket before READY) is still running when SIGTERM arrives. The daemon must
    // stop without going ready rather than lose the signal.
    sim_put_fault(sim, R"({"clear":true})");
    sim_put_fault(sim, R"({"client":"*","endpoint":"*","latency_ms":4000})");
    auto starting = start_daemon(dir, config);
    REQUIRE(wait_until([&] { return read_file(dir.file("agentd.log")).find("local API listening", log.size()) != std::string::npos; },
                       30s, 20ms));
    starting->signal(SIGTERM);
    auto st_start = starting->wait(30s);
    const std::string log2 = read_file(dir.file("agentd.log"));
    INFO("log of the start-up stopped:\n" << log2.substr(log.size()));
    REQUIRE_MESSAGE(st_start, "a SIGTERM during start-up was lost: the daemon did not stop within 30 s");
    CHECK(*st_start == 0);
    // One node recovers before READY, so it never goes ready; nodes sharing PostgreSQL
    // recover each venue once leased, after READY (docs/scale-out.md).
    if (log2.find("sharing the database with other nodes", log.size()) == std::string::npos)
        CHECK(log2.find("agentd ready", log.size()) == std::string::npos);

    sim_put_fault(sim, R"({"clear":true})");
    auto again = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(sock, 60s));
    auto all = settle(sock, client);
    REQUIRE(all.size() == 1);
    CHECK(all[0].state == "confirmed");
    const auto orders = sim_list(sim, "orders", client);
    REQUIRE(orders.size() == 1);
    REQUIRE(orders[0].customer.has_value());
    CHECK(orders[0].customer->reference == customer_for(id).reference);
    // Recovery finds the order by its reference; it names the order when the basket told it.
    if (all[0].order_id != "null") CHECK(all[0].order_id == orders[0].id);
    else CHECK(all[0].settled_by == "already_confirmed");
    again->signal(SIGTERM);
    auto st2 = again->wait(30s);
    INFO("daemon log:\n" << read_file(dir.file("agentd.log")).substr(log2.size()));
    REQUIRE(st2);
    CHECK(*st2 == 0);
}
