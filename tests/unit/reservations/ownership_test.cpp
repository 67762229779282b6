// The reservation service under venue ownership (several nodes on one database): intake
// acknowledges for any venue, the drivers act only for owned ones, a fenced write stores
// nothing, and a node that gains a venue picks up work acknowledged elsewhere.
#include "tests/unit/reservations/fixture.hpp"

using namespace agentd;
using namespace agentd::test;

namespace {

struct owned_fixture : res_fixture {
    bool owned = false;
    bool fence_open = true;
    int fenced = 0;
    owned_fixture() {
        svc->set_ownership({[this](std::string_view) { return owned; },
                            [this](store::write_txn&, std::string_view) -> result<void> {
                                if (fence_open) return {};
                                ++fenced;
                                return fail(errc::conflict, "fenced: another node holds the venue");
                            },
                            "node n2"});
    }
    // Gives the io_context a bounded amount of work time; for asserting that nothing happens.
    void idle() {
        for (int i = 0; i < 40; ++i) {
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(5));
        }
    }
};

}  // namespace

TEST_CASE("a venue driven elsewhere: the reservation is acknowledged and stored, nothing is sent upstream") {
    owned_fixture f;
    f.start_worker();
    auto c = f.create("k1", f.seats_req({"S1"}));
    REQUIRE(c.has_value());
    const auto id = c->reservation.id;
    f.idle();
    CHECK(f.state(id) == "queued");
    CHECK(f.up.calls.empty());
    // Taken over: the node picks up what was acknowledged while another node drove the venue.
    f.owned = true;
    f.svc->pick_up(id);
    CHECK(f.settle(id).state == "held");
    CHECK(f.count("create_basket") == 1);
}

TEST_CASE("a fenced write stores nothing and the drive stops; once the fence admits, the reservation is driven") {
    owned_fixture f;
    f.owned = true;
    f.fence_open = false;
    f.start_worker();
    auto c = f.create("k1", f.seats_req({"S1"}));
    REQUIRE(c.has_value());  // the ack is intake: never fenced
    const auto id = c->reservation.id;
    f.pump([&] { return f.fenced > 0; });
    f.idle();
    CHECK(f.state(id) == "queued");
    CHECK(f.up.calls.empty());
    CHECK(f.states_of(id) == std::vector<std::string>{"queued"});
    f.fence_open = true;
    f.svc->pick_up(id);
    CHECK(f.settle(id).state == "held");
}

TEST_CASE("confirm on a node that does not drive the venue is acknowledged; the owner sends it") {
    owned_fixture f;
    f.owned = true;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.owned = false;
    f.svc->drop_client(k_client);
    auto r = f.run(f.svc->confirm(held.id, f.customer()));
    REQUIRE(r.has_value());
    CHECK(r->state == "confirming");
    f.idle();
    CHECK(f.count("confirm_basket") == 0);
    CHECK(f.state(held.id) == "confirming");
    f.owned = true;
    f.svc->pick_up(held.id);
    CHECK(f.settle(held.id).state == "confirmed");
    CHECK(f.count("confirm_basket") == 1);
}

TEST_CASE("extend on a node that does not drive the venue is refused as retryable, naming the owner") {
    owned_fixture f;
    f.owned = true;
    f.start_worker();
    auto held = f.hold({"S1"});
    f.owned = false;
    auto r = f.run(f.svc->extend(held.id, api::extend_request{60}));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::unavailable);
    CHECK(r.error().message.find("node n2") != std::string::npos);
}

TEST_CASE("recover_client after a takeover settles that venue's in-flight reservations like a restart") {
    owned_fixture f;
    f.owned = true;
    auto c = f.create("k1", f.seats_req({"S1"}));
    REQUIRE(c.has_value());
    const auto id = c->reservation.id;
    // The previous owner died right after marking it placing, before any upstream call.
    f.force(id, domain::ev::place_started{});
    REQUIRE(f.state(id) == "placing");
    auto rec = f.run(f.svc->recover_client(k_client));
    REQUIRE(rec.has_value());
    f.start_worker();
    CHECK(f.settle(id).state == "held");
    CHECK(f.count("create_basket") == 1);
}
