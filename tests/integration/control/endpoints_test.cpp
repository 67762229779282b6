// Each endpoint's happy path and each error class over a real Unix socket.
#include "server_fixture.hpp"

#include "agentd/api/json.hpp"

#include <sys/stat.h>
#include <sys/wait.h>

using namespace agentd;
using namespace agentd::test;

namespace {

std::string code_of(const net::http_reply& r) {
    auto e = api::from_json<api::error_body>(r.body);
    return e ? e->code : "<no error body: " + r.body + ">";
}

}  // namespace

TEST_CASE("read endpoints answer over the socket, socket is 0660") {
    running_server s;
    struct stat st{};
    REQUIRE(::stat(s.path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0660);

    auto c = s.client();
    auto h = c.get("/v1/health");
    REQUIRE(h.has_value());
    CHECK(h->status == 200);
    auto health = api::from_json<api::health>(h->body);
    REQUIRE(health.has_value());
    CHECK(health->ready);
    CHECK(health->clients.size() == 1);

    for (auto* target : {"/v1/clients", "/v1/clients/royalcourt/events?from=2026-12-01&search=seagull",
                         "/v1/clients/royalcourt/instances?from=2026-12-01&to=2026-12-31",
                         "/v1/clients/royalcourt/instances/67201AVC", "/v1/clients/royalcourt/instances/67201AVC/seats",
                         "/v1/admin/reconcile"}) {
        auto r = c.get(target);
        REQUIRE(r.has_value());
        CHECK_MESSAGE(r->status == 200, target << " -> " << r->status << " " << r->body);
        CHECK(r->header("Content-Type") == std::optional<std::string>("application/json"));
    }
    auto inst = c.get("/v1/clients/royalcourt/instances/67201AVC");
    REQUIRE(inst.has_value());
    CHECK(inst->body.find(R"("prices":[{"priceBand":"7801","ticketType":"1AHG")") != std::string::npos);
    auto m = c.get("/metrics");
    REQUIRE(m.has_value());
    CHECK(m->status == 200);
    CHECK(m->body.find("# TYPE agentd_api_connections gauge\nagentd_api_connections 1\n") != std::string::npos);
    auto sync = c.request("POST", "/v1/admin/sync", R"({"client":"royalcourt","instance":"67201AVC"})");
    REQUIRE(sync.has_value());
    CHECK(sync->status == 202);
}

TEST_CASE("reservation lifecycle over the socket, with long-poll") {
    running_server s;
    auto c = s.client();
    auto created = c.request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "web-1"}});
    REQUIRE(created.has_value());
    CHECK(created->status == 202);
    auto r = api::from_json<api::reservation>(created->body);
    REQUIRE(r.has_value());
    CHECK(r->state == "queued");
    CHECK(r->channel == "ops");
    auto replay = c.request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "web-1"}});
    REQUIRE(replay.has_value());
    CHECK(replay->status == 200);
    CHECK(replay->body == created->body);

    // Long-poll: a second connection waits on version 1; the worker moves it to held.
    std::optional<result<net::http_reply>> polled;
    std::thread poller([&] {
        auto pc = s.client(std::chrono::seconds(8));
        polled = pc.get("/v1/reservations/" + r->id + "?wait=8&version=1");
    });
    REQUIRE(s.be.transition(r->id, "held").has_value());
    poller.join();
    REQUIRE(polled.has_value());
    REQUIRE(polled->has_value());
    CHECK((*polled)->status == 200);
    auto held = api::from_json<api::reservation>((*polled)->body);
    REQUIRE(held.has_value());
    CHECK(held->version == 2);
    CHECK(held->state == "held");
    CHECK(held->total == std::optional<std::string>("35.00"));

    auto ext = c.request("POST", "/v1/reservations/" + r->id + "/extend", R"({"seconds":300})");
    REQUIRE(ext.has_value());
    CHECK(ext->status == 200);
    auto conf = c.request("POST", "/v1/reservations/" + r->id + "/confirm",
                          R"({"customer":{"firstName":"Ada","lastName":"Lovelace","addressLine1":"1 Main St"},"reference":"WEB-1042"})");
    REQUIRE(conf.has_value());
    CHECK(conf->status == 202);
    CHECK(conf->body.find(R"("state":"confirming")") != std::string::npos);
    auto list = c.get("/v1/reservations?state=confirming&client=royalcourt");
    REQUIRE(list.has_value());
    auto lv = api::from_json<std::vector<api::reservation>>(list->body);
    REQUIRE(lv.has_value());
    CHECK(lv->size() == 1);
    auto hist = c.get("/v1/reservations/" + r->id + "/history");
    REQUIRE(hist.has_value());
    CHECK(hist->status == 200);

    auto second = c.request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "web-2"}});
    REQUIRE(second.has_value());
    auto r2 = api::from_json<api::reservation>(second->body);
    REQUIRE(r2.has_value());
    auto del = c.request("DELETE", "/v1/reservations/" + r2->id);
    REQUIRE(del.has_value());
    CHECK(del->status == 202);
    CHECK(del->body.find(R"("state":"cancelled")") != std::string::npos);
    // A long-poll whose version is already stale answers at once.
    auto now = c.get("/v1/reservations/" + r2->id + "?wait=5&version=1");
    REQUIRE(now.has_value());
    CHECK(now->body.find(R"("version":2)") != std::string::npos);
}

TEST_CASE("bad requests get typed errors over the socket") {
    running_server s([](control::server_settings& st) { st.max_body = 1024; });
    auto c = s.client();
    auto call = [&](std::string_view m, std::string_view t, std::string_view b, net::header_list h = {}) {
        auto r = c.request(m, t, b, h);
        REQUIRE(r.has_value());
        return *r;
    };
    auto key = net::header_list{{"Idempotency-Key", "k"}};
    auto r = call("POST", "/v1/reservations", "{\"client\":", key);
    CHECK(r.status == 400);
    CHECK(code_of(r) == "decode_error");
    r = call("POST", "/v1/reservations", R"({"client":"royalcourt","instance":"67201AVC","tickets":[{"seat":1,"ticketType":"t"}]})", key);
    CHECK(r.status == 400);
    CHECK(r.body.find("tickets[0].seat: expected a string") != std::string::npos);
    r = call("POST", "/v1/reservations", R"({"client":"royalcourt"})", key);
    CHECK(r.status == 422);
    CHECK(code_of(r) == "invalid_argument");
    r = call("GET", "/v1/reservations/r_404", "");
    CHECK(r.status == 404);
    CHECK(code_of(r) == "not_found");
    r = call("GET", "/v1/clients/royalcourt/instances/NOPE", "");
    CHECK(r.status == 404);
    r = call("POST", "/v1/reservations", std::string(4096, ' '), key);
    CHECK(r.status == 413);
    CHECK(code_of(r) == "too_large");
    r = call("PUT", "/v1/reservations", "");
    CHECK(r.status == 405);
    CHECK(r.header("Allow") == std::optional<std::string>("GET, POST"));
    CHECK(code_of(r) == "method_not_allowed");
    r = call("POST", "/v1/reservations", "a=b", {{"Idempotency-Key", "k"}, {"Content-Type", "application/x-www-form-urlencoded"}});
    CHECK(r.status == 415);
    CHECK(code_of(r) == "unsupported_media_type");
    // The connection survived all of that except the 413 (closed) — the client reconnects.
    auto h = c.get("/v1/health");
    REQUIRE(h.has_value());
    CHECK(h->status == 200);

    // Garbage that is not HTTP at all.
    auto raw = s.client();
    REQUIRE(raw.send_raw("HELLO\r\n\r\n").has_value());
    auto out = raw.read_until_close();
    REQUIRE(out.has_value());
    CHECK(out->starts_with("HTTP/1.1 400"));
    // Oversized header.
    auto big = s.client();
    REQUIRE(big.send_raw("GET /v1/health HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(32 * 1024, 'x') + "\r\n\r\n").has_value());
    out = big.read_until_close();
    REQUIRE(out.has_value());
    CHECK(out->starts_with("HTTP/1.1 431"));
}

TEST_CASE("identity: unmapped peers and sales peers on admin endpoints get 403") {
    SUBCASE("uid not mapped at all") {
        running_server s([](control::server_settings& st) {
            st.channels = {{"web", 4242424u, std::nullopt, control::role::sales, 1, {}},
                           {"box", std::nullopt, 4242425u, control::role::sales, 1, {}}};
        });
        auto c = s.client();
        auto r = c.get("/v1/health");
        REQUIRE(r.has_value());
        CHECK(r->status == 403);
        CHECK(code_of(*r) == "permission_denied");
        CHECK(r->body.find("uid " + std::to_string(::getuid())) != std::string::npos);
    }
    SUBCASE("a child process with another uid is refused, while ours is served") {
        running_server s;
        if (::getuid() != 0) return;  // needs root to switch uid
        ::chmod(s.dir.path().c_str(), 0755);
        ::chmod(s.path.c_str(), 0666);  // only to let the child reach the socket; identity is what is tested
        int pipefd[2];
        REQUIRE(::pipe(pipefd) == 0);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(pipefd[0]);
            int status = 0;
            if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
                net::uds_client c(s.path, std::chrono::seconds(5));
                auto r = c.get("/v1/health");
                status = r ? r->status : 1;
            }
            auto text = std::to_string(status);
            (void)!::write(pipefd[1], text.data(), text.size());
            ::_exit(0);
        }
        ::close(pipefd[1]);
        char buf[16] = {};
        auto n = ::read(pipefd[0], buf, sizeof buf - 1);
        ::close(pipefd[0]);
        ::waitpid(pid, nullptr, 0);
        REQUIRE(n > 0);
        CHECK(std::string(buf) == "403");
        auto mine = s.client().get("/v1/health");
        REQUIRE(mine.has_value());
        CHECK(mine->status == 200);
    }
    SUBCASE("sales channel on admin endpoints") {
        running_server s([](control::server_settings& st) { st.channels[0].role = control::role::sales; st.channels[0].name = "web"; });
        auto c = s.client();
        auto r = c.request("POST", "/v1/admin/sync", R"({"client":"royalcourt"})");
        REQUIRE(r.has_value());
        CHECK(r->status == 403);
        r = c.get("/v1/admin/reconcile");
        REQUIRE(r.has_value());
        CHECK(r->status == 403);
        // Another channel's reservation is invisible.
        auto theirs = s.be.create_now("shop", "x", *api::from_json<api::reservation_request>(k_order));
        REQUIRE(theirs.has_value());
        r = c.get("/v1/reservations/" + theirs->reservation.id);
        REQUIRE(r.has_value());
        CHECK(r->status == 404);
        r = c.get("/v1/clients");
        REQUIRE(r.has_value());
        CHECK(r->status == 200);
    }
}
