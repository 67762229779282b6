// Best available against agentd-sim when another buyer takes the proposed seat between the
// best-available answer and the add: the add gets 409 (errorCode 20) and agentd asks again.
#include "agentd/reservations/service.hpp"
#include "agentd/store/database.hpp"
#include "agentd/upstream/spektrix_client.hpp"
#include "tests/support/sim_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_database.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <doctest/doctest.h>

using namespace agentd;
namespace asio = boost::asio;

namespace {

// Forwards to the real client; after the first best-available answer it takes the first
// proposed seat into a competitor's basket before handing the answer back.
class snatching_client final : public upstream::client {
public:
    snatching_client(upstream::client& real, upstream::client& competitor, std::string type)
        : real_(real), competitor_(competitor), type_(std::move(type)) {}
    int snatched = 0;
    std::string taken_seat;

    upstream::call<std::vector<upstream::event>> list_events(upstream::date_text f, upstream::date_text t, upstream::call_options o) override { return real_.list_events(f, t, o); }
    upstream::call<upstream::event> get_event(std::string id, upstream::call_options o) override { return real_.get_event(id, o); }
    upstream::call<std::vector<upstream::instance>> list_instances(std::string e, upstream::date_text f, upstream::date_text t, upstream::call_options o) override { return real_.list_instances(e, f, t, o); }
    upstream::call<upstream::instance> get_instance(std::string id, upstream::call_options o) override { return real_.get_instance(id, o); }
    upstream::call<upstream::price_list> get_price_list(std::string id, upstream::call_options o) override { return real_.get_price_list(id, o); }
    upstream::call<upstream::plan> get_plan(std::string id, upstream::call_options o) override { return real_.get_plan(id, o); }
    upstream::call<upstream::instance_status> get_instance_status(std::string id, upstream::call_options o) override { return real_.get_instance_status(id, o); }
    upstream::call<upstream::instance_status> get_area_status(std::string id, std::string a, upstream::call_options o) override { return real_.get_area_status(id, a, o); }
    upstream::call<std::vector<upstream::seat_status>> get_seat_status(std::string id, upstream::call_options o) override { return real_.get_seat_status(id, o); }
    upstream::call<std::vector<upstream::best_seat>> best_available(std::string id, int q, std::optional<std::string> b,
                                                                    std::optional<std::string> a, upstream::call_options o) override {
        // Calls are made in their own statements: GCC 12 double-destroys temporaries of a
        // co_await full-expression.
        auto ask = real_.best_available(id, q, b, a, o);
        auto r = co_await std::move(ask);
        if (r && !r->empty() && snatched == 0) {
            auto create = competitor_.create_basket({});
            auto basket = co_await std::move(create);
            if (basket) {
                std::vector<upstream::new_ticket> t{{id, r->front().id, std::nullopt, type_}};
                auto add = competitor_.add_tickets(basket->id, t, {});
                if (co_await std::move(add)) {
                    ++snatched;
                    taken_seat = r->front().id;
                }
            }
        }
        co_return r;
    }
    upstream::call<upstream::basket> create_basket(upstream::call_options o) override { return real_.create_basket(o); }
    upstream::call<upstream::basket> get_basket(std::string id, upstream::call_options o) override { return real_.get_basket(id, o); }
    upstream::call<upstream::basket> set_agent_customer(std::string id, upstream::agent_customer c, upstream::call_options o) override { return real_.set_agent_customer(id, c, o); }
    upstream::call<upstream::basket> touch_basket(std::string id, upstream::call_options o) override { return real_.touch_basket(id, o); }
    upstream::call<std::vector<upstream::ticket>> add_tickets(std::string id, std::vector<upstream::new_ticket> t, upstream::call_options o) override { return real_.add_tickets(id, t, o); }
    upstream::call<std::vector<upstream::ticket>> add_best_available(std::string id, std::string i, int q, std::string t, std::optional<std::string> b, upstream::call_options o) override { return real_.add_best_available(id, i, q, t, b, o); }
    upstream::call<void> remove_tickets(std::string id, std::vector<std::string> t, upstream::call_options o) override { return real_.remove_tickets(id, t, o); }
    upstream::call<void> clear_basket(std::string id, upstream::call_options o) override { return real_.clear_basket(id, o); }
    upstream::call<upstream::order> confirm_basket(std::string id, upstream::call_options o) override { return real_.confirm_basket(id, o); }
    upstream::call<upstream::order> get_order(std::string id, upstream::call_options o) override { return real_.get_order(id, o); }

private:
    upstream::client& real_;
    upstream::client& competitor_;
    std::string type_;
};

struct one_catalogue final : domain::catalogue_view {
    std::string client, instance;
    domain::instance_facts facts;
    const domain::instance_facts* find_instance(std::string_view c, std::string_view i) const override {
        return c == client && i == instance ? &facts : nullptr;
    }
};

template <class T>
T run(asio::io_context& ioc, asio::awaitable<T> a) {
    std::optional<T> out;
    asio::co_spawn(ioc, std::move(a), [&](std::exception_ptr e, T v) {
        if (e) std::rethrow_exception(e);
        out.emplace(std::move(v));
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!out) {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(5));
    }
    return std::move(*out);
}

}  // namespace

TEST_CASE("a best-available seat taken between the answer and the add is retried") {
    sim_test::sim_process sim({"--seed", "13", "--size", "tiny", "--rate", "2000", "--burst", "2000"});
    asio::io_context ioc;
    upstream::client_settings s;
    s.base_url = sim.base_url;
    s.client_name = sim.clients.at(0).first;
    s.requests_per_minute = 600'000;
    s.burst = 10'000;
    auto ctx = upstream::client_context::make(ioc.get_executor(), s);
    REQUIRE(ctx.has_value());
    const auto& acc = sim.clients.at(0).second.at(0);
    auto real = upstream::make_spektrix_client(**ctx, {acc.login, secret{acc.secret}});
    auto competitor = upstream::make_spektrix_client(**ctx, {acc.login, secret{acc.secret}});
    REQUIRE(real.has_value());
    REQUIRE(competitor.has_value());

    // Any on-sale instance with a price list.
    one_catalogue cat;
    cat.client = s.client_name;
    std::string type;
    auto events = run(ioc, (*real)->list_events("2000-01-01", "2100-01-01"));
    REQUIRE(events.has_value());
    for (const auto& e : *events) {
        auto insts = run(ioc, (*real)->list_instances(e.id, "2000-01-01", "2100-01-01"));
        REQUIRE(insts.has_value());
        for (const auto& i : *insts) {
            if (!cat.instance.empty() || !i.is_on_sale || i.cancelled) continue;
            auto pl = run(ioc, (*real)->get_price_list(i.id));
            if (!pl || pl->prices.empty()) continue;
            cat.instance = i.id;
            type = pl->prices.front().ticket_type.id;
            for (const auto& p : pl->prices) cat.facts.ticket_types.insert(p.ticket_type.id);
        }
    }
    REQUIRE_FALSE(cat.instance.empty());

    snatching_client up(**real, **competitor, type);
    test::temp_dir dir;
    auto db = store::database::open({.path = test::database_for(dir.path() + "/agentd.db")});
    REQUIRE(db.has_value());
    reservations::settings rs;
    rs.queue.max_total = 100;
    rs.queue.max_per_channel = 100;
    rs.queue.max_in_flight_per_client = 2;
    rs.retry.max_attempts = 3;
    reservations::reservation_service svc(ioc.get_executor(), **db, (*db)->path(), rs,
                                 {{s.client_name, {{"agent1", &up}}}}, cat, system_clock::instance(),
                                 [](std::uint64_t) {}, [](std::string_view, std::string_view) {});
    api::reservation_request req;
    req.client = s.client_name;
    req.instance = cat.instance;
    req.best = api::best_available{1, type, std::nullopt, std::nullopt};
    auto c = run(ioc, svc.create("web", "k1", req));
    REQUIRE(c.has_value());
    // Drive it without the worker loop: recovery re-queues nothing, so pop it through run().
    asio::cancellation_signal stop;
    bool running = true;
    asio::co_spawn(ioc, svc.run(), asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) { running = false; }));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (svc.get(c->reservation.id)->state == "queued" || svc.get(c->reservation.id)->state == "placing") {
        REQUIRE(std::chrono::steady_clock::now() < deadline);
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(5));
    }
    stop.emit(asio::cancellation_type::terminal);
    while (running) {
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(5));
    }
    auto r = *svc.get(c->reservation.id);
    CHECK(up.snatched == 1);
    CHECK(r.state == "held");
    REQUIRE(r.seats.size() == 1);
    CHECK(r.seats[0].seat != up.taken_seat);  // not the seat the competitor took
    auto hist = svc.history(c->reservation.id);
    REQUIRE(hist.has_value());
    CHECK(hist->back().state == "held");
}
