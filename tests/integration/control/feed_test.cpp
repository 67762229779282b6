// The server-sent-event feed over a real socket: order, resume with `since`, overflow cut-off.
#include "peer_as.hpp"
#include "server_fixture.hpp"

#include "agentd/api/json.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

struct seen {
    std::uint64_t seq;
    std::string kind, state;
};

seen read_event(net::uds_client& c) {
    auto e = c.next_event();
    REQUIRE(e.has_value());
    REQUIRE(e->has_value());
    auto& ev = **e;
    REQUIRE(ev.id.has_value());
    std::string state;
    if (ev.event == "reservation") {
        auto r = api::from_json<api::feed_reservation>(ev.data);
        REQUIRE(r.has_value());
        state = r->state;
    }
    return {*ev.id, ev.event, state};
}

}  // namespace

TEST_CASE("a feed subscriber sees reservation transitions in order and resumes with since") {
    running_server s;
    auto sub = s.client();
    auto open = sub.open_stream("/v1/feed?since=0");
    REQUIRE(open.has_value());
    CHECK(open->status == 200);
    CHECK(open->header("Content-Type") == std::optional<std::string>("text/event-stream"));

    auto c = s.client();
    auto created = c.request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "f-1"}});
    REQUIRE(created.has_value());
    auto r = api::from_json<api::reservation>(created->body);
    REQUIRE(r.has_value());
    REQUIRE(s.be.transition(r->id, "placing").has_value());
    REQUIRE(s.be.transition(r->id, "held").has_value());

    std::vector<std::string> states;
    std::uint64_t last = 0;
    for (int i = 0; i < 3; ++i) {
        auto e = read_event(sub);
        CHECK(e.seq > last);
        last = e.seq;
        states.push_back(e.state);
    }
    CHECK(states == std::vector<std::string>{"queued", "placing", "held"});
    sub.close();

    // While disconnected, the reservation moves on; a resumed subscriber gets exactly the rest.
    auto conf = c.request("POST", "/v1/reservations/" + r->id + "/confirm", R"({"customer":{"firstName":"A","lastName":"L"}})");
    REQUIRE(conf.has_value());
    REQUIRE(conf->status == 202);
    REQUIRE(s.be.transition(r->id, "confirmed").has_value());

    auto again = s.client();
    REQUIRE(again.open_stream("/v1/feed?since=" + std::to_string(last)).has_value());
    auto e1 = read_event(again);
    CHECK(e1.seq == last + 1);
    CHECK(e1.state == "confirming");
    auto e2 = read_event(again);
    CHECK(e2.state == "confirmed");
    // Live events after catch-up arrive on the same stream.
    auto second = c.request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "f-2"}});
    REQUIRE(second.has_value());
    auto e3 = read_event(again);
    CHECK(e3.seq == e2.seq + 1);
    CHECK(e3.state == "queued");
}

TEST_CASE("a feed reader that falls behind is cut off with an overflow event and can resume") {
    running_server s([](control::server_settings& st) { st.feed_buffer = 4; });
    auto sub = s.client(std::chrono::seconds(10));
    REQUIRE(sub.open_stream("/v1/feed?since=0").has_value());
    // Catch-up reads the store at the reader's pace and never overflows; the bound is on live pushes.
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->live_feed_subscribers(); }) == 1; }, std::chrono::seconds(5)));
    // ~3 MiB of events while the reader reads nothing: far more than the socket buffers hold.
    const int rows = 200;
    s.be.add_feed_rows(rows, 16 * 1024);

    std::uint64_t last = 0;
    std::optional<std::string> overflow;
    for (;;) {
        auto e = sub.next_event();
        REQUIRE(e.has_value());
        if (!e->has_value()) break;  // server closed the stream
        if ((*e)->event == "overflow") {
            overflow = (*e)->data;
            continue;
        }
        REQUIRE((*e)->id.has_value());
        CHECK(*(*e)->id == last + 1);  // in order, nothing skipped before the cut
        last = *(*e)->id;
    }
    REQUIRE(overflow.has_value());
    CHECK(overflow->find("\"lastSeq\":" + std::to_string(last)) != std::string::npos);
    CHECK(last < static_cast<std::uint64_t>(rows));

    auto m = s.client().get("/metrics");
    REQUIRE(m.has_value());
    CHECK(m->body.find("agentd_api_feed_overflows_total 1") != std::string::npos);

    auto resumed = s.client(std::chrono::seconds(10));
    REQUIRE(resumed.open_stream("/v1/feed?since=" + std::to_string(last)).has_value());
    for (auto want = last + 1; want <= static_cast<std::uint64_t>(rows); ++want) {
        auto e = resumed.next_event();
        REQUIRE(e.has_value());
        REQUIRE(e->has_value());
        CHECK((*e)->id == std::optional<std::uint64_t>(want));
    }
}

TEST_CASE("an idle feed gets heartbeats") {
    running_server s;  // heartbeat every 200 ms in the test settings
    net::uds_client raw(s.path, std::chrono::seconds(5));
    REQUIRE(raw.send_raw("GET /v1/feed HTTP/1.1\r\nHost: agentd\r\n\r\n").has_value());
    std::string text;
    CHECK(wait_until(
        [&] {
            auto more = raw.read_for(std::chrono::milliseconds(100));
            if (more) text += *more;
            return text.find(": heartbeat\n\n") != std::string::npos;
        },
        std::chrono::seconds(5)));
    CHECK(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"));
}

TEST_CASE("two live subscribers both get every row when one joins late") {
    running_server s;
    auto a = s.client();
    REQUIRE(a.open_stream("/v1/feed").has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->live_feed_subscribers(); }) == 1; }, std::chrono::seconds(5)));
    s.be.add_feed_rows(3, 10);
    auto b = s.client();
    REQUIRE(b.open_stream("/v1/feed").has_value());
    s.be.add_feed_rows(3, 10);
    for (auto* c : {&a, &b}) {
        for (std::uint64_t want = 1; want <= 6; ++want) {
            auto e = c->next_event();
            REQUIRE(e.has_value());
            REQUIRE(e->has_value());
            CHECK((*e)->id == std::optional<std::uint64_t>(want));
        }
    }
}

TEST_CASE("stop ends long-polls and feeds and removes the socket file") {
    auto srv = std::make_unique<running_server>();
    auto r = srv->be.create_now("ops", "k", *api::from_json<api::reservation_request>(k_order));
    REQUIRE(r.has_value());
    auto feed = srv->client(std::chrono::seconds(20));
    REQUIRE(feed.open_stream("/v1/feed?since=1").has_value());
    std::optional<result<net::http_reply>> polled;
    std::thread poller([&] {
        auto pc = srv->client(std::chrono::seconds(20));
        polled = pc.get("/v1/reservations/" + r->reservation.id + "?wait=20&version=1");
    });
    REQUIRE(wait_until([&] { return srv->on_server([&] { return srv->srv->connections(); }) == 2; }, std::chrono::seconds(5)));
    auto path = srv->path;
    auto stopped = boost::asio::co_spawn(srv->ioc, srv->srv->stop(std::chrono::seconds(20)), boost::asio::use_future);
    stopped.get();
    poller.join();
    REQUIRE(polled.has_value());
    CHECK_MESSAGE(!polled->has_value(), (polled->has_value() ? std::to_string((*polled)->status) + (*polled)->body : ""));  // closed, no answer
    CHECK(polled->error().code != errc::timeout);
    auto e = feed.next_event();
    REQUIRE(e.has_value());
    CHECK_FALSE(e->has_value());
    CHECK(::access(path.c_str(), F_OK) != 0);
    srv.reset();
}

namespace {

// Events read until one of kind `kind` whose data contains `marker`.
std::vector<net::sse_event> read_until(net::uds_client& c, std::string_view marker) {
    std::vector<net::sse_event> out;
    for (;;) {
        auto e = c.next_event();
        REQUIRE(e.has_value());
        REQUIRE(e->has_value());
        out.push_back(**e);
        if ((*e)->data.find(marker) != std::string::npos) return out;
    }
}

}  // namespace

TEST_CASE("a sales channel's feed carries its own reservations and inventory changes, nothing of other channels") {
    running_server s([](control::server_settings& st) {
        st.channels[0].name = "web";
        st.channels[0].role = control::role::sales;
    });
    auto order = *api::from_json<api::reservation_request>(k_order);
    auto live = s.client();
    REQUIRE(live.open_stream("/v1/feed").has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->live_feed_subscribers(); }) == 1; }, std::chrono::seconds(5)));

    auto theirs = s.be.create_now("shop", "a", order);
    REQUIRE(theirs.has_value());
    REQUIRE(s.be.transition(theirs->reservation.id, "held").has_value());
    s.be.add_feed_row("availability", api::to_json(api::feed_availability{"royalcourt", "67201AVC", 117, 1}));
    s.be.add_feed_row("sync", api::to_json(api::feed_sync{"royalcourt", "instance", "too many removals"}));  // admin-only
    auto mine = s.client().request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "w-1"}});
    REQUIRE(mine.has_value());
    REQUIRE(mine->status == 202);
    auto my_id = api::from_json<api::reservation>(mine->body)->id;

    // Live and catch-up see the same filtered stream.
    auto later = s.client();
    REQUIRE(later.open_stream("/v1/feed?since=0").has_value());
    for (auto* c : {&live, &later}) {
        auto seen = read_until(*c, "\"id\":\"" + my_id + "\"");
        std::vector<std::string> kinds;
        for (auto& e : seen) {
            kinds.push_back(e.event);
            CHECK(e.data.find("shop") == std::string::npos);
            CHECK(e.data.find(theirs->reservation.id + "\"") == std::string::npos);
        }
        CHECK(kinds == std::vector<std::string>{"availability", "reservation"});
    }

    // An admin sees everything.
    auto st = test_settings(s.dir);
    s.srv->update_settings(st);
    auto admin = s.client();
    REQUIRE(admin.open_stream("/v1/feed?since=0").has_value());
    auto all = read_until(admin, "\"id\":\"" + my_id + "\"");
    CHECK(all.size() == 5);
}

TEST_CASE("two channels on two uids: each feed holds only its own reservations; the admin's holds both") {
    if (!can_switch_uid()) {
        MESSAGE("not root: needs peers of other uids; skipped");
        return;
    }
    running_server s([](control::server_settings& st) {
        st.channels.push_back({"web", k_other_uid, std::nullopt, control::role::sales, 1, k_unlimited});
        st.channels.push_back({"shop", k_third_uid, std::nullopt, control::role::sales, 1, k_unlimited});
    });
    expose_socket(s.dir, s.path);
    auto web = connect_as(s.path, k_other_uid, k_other_uid);
    auto shop = connect_as(s.path, k_third_uid, k_third_uid);
    auto web_feed = connect_as(s.path, k_other_uid, k_other_uid, "/v1/feed");
    auto shop_feed = connect_as(s.path, k_third_uid, k_third_uid, "/v1/feed");
    REQUIRE((web && shop && web_feed && shop_feed));
    auto admin = s.client();
    REQUIRE(admin.open_stream("/v1/feed").has_value());
    REQUIRE(wait_until([&] { return s.on_server([&] { return s.srv->live_feed_subscribers(); }) == 3; }, std::chrono::seconds(5)));

    auto w = web->request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "same-key"}});
    auto h = shop->request("POST", "/v1/reservations", k_order, {{"Idempotency-Key", "same-key"}});
    REQUIRE((w && h));
    REQUIRE(w->status == 202);
    REQUIRE(h->status == 202);
    auto wid = api::from_json<api::reservation>(w->body)->id;
    auto hid = api::from_json<api::reservation>(h->body)->id;
    // Each marker is the other's last event: everything before it has been delivered.
    auto web_seen = read_until(*web_feed, "\"id\":\"" + wid + "\"");
    auto shop_seen = read_until(*shop_feed, "\"id\":\"" + hid + "\"");
    REQUIRE(web_seen.size() == 1);
    REQUIRE(shop_seen.size() == 1);
    CHECK(web_seen[0].data.find("\"channel\":\"web\"") != std::string::npos);
    CHECK(shop_seen[0].data.find("\"channel\":\"shop\"") != std::string::npos);
    // shop's reservation (created after web's) must not reach web: a later own event arrives first.
    REQUIRE(s.be.transition(wid, "held").has_value());
    auto next = web_feed->next_event();
    REQUIRE(next.has_value());
    REQUIRE(next->has_value());
    CHECK((*next)->data.find("\"id\":\"" + wid + "\"") != std::string::npos);
    auto both = read_until(admin, "\"id\":\"" + hid + "\"");
    CHECK(both.size() == 2);
    // Not yours looks like not found, over the socket too.
    auto peek = web->get("/v1/reservations/" + hid);
    REQUIRE(peek.has_value());
    CHECK(peek->status == 404);
}
