// The Spektrix client: builds each URL once (that exact string is signed and sent), serialises
// each body once (those bytes are hashed and sent), spends the shared budget, classifies the
// answer and retries what may be retried.
#include "agentd/upstream/spektrix_client.hpp"

#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/net/http_client.hpp"
#include "agentd/net/url.hpp"
#include "agentd/upstream/answer_check.hpp"
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/ids.hpp"
#include "agentd/upstream/signer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <charconv>
#include <functional>
#include <initializer_list>
#include <optional>
#include <random>

namespace agentd::upstream {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

client_context::client_context(asio::any_io_executor ex, client_settings s, const agentd::clock& clk)
    : ex_(std::move(ex)), settings_(std::move(s)), clock_(clk) {}
client_context::~client_context() = default;

net::http_pool_stats client_context::pool_stats() const { return http_->stats(); }

agentd::result<std::unique_ptr<client_context>> client_context::make(asio::any_io_executor ex, client_settings s,
                                                                     const agentd::clock& clk) {
    auto base = net::parse_url(s.base_url);
    if (!base) return base.error().wrap("configure upstream client " + s.client_name);
    if (s.client_name.empty()) return fail(errc::config_error, "configure upstream client: client name is empty");
    if (s.requests_per_minute <= 0) return fail(errc::config_error, "configure upstream client " + s.client_name + ": requests_per_minute must be > 0");
    if (s.max_connections < 1) return fail(errc::config_error, "configure upstream client " + s.client_name + ": max_connections must be >= 1");
    if (s.max_response_bytes < 1024) return fail(errc::config_error, "configure upstream client " + s.client_name + ": max_response_bytes too small");
    net::http_client_options o;
    o.origin = *base;
    o.max_connections = s.max_connections;
    o.resolve_timeout = s.timeout.resolve;
    o.connect_timeout = s.timeout.connect;
    o.tls_timeout = s.timeout.tls;
    o.step_timeout = s.timeout.request;
    o.idle_timeout = s.timeout.idle;
    o.max_response_bytes = s.max_response_bytes;
    o.ca_file = s.ca_file;
    o.insecure_skip_verify_for_tests = s.insecure_skip_verify_for_tests;
    auto http = net::http_client::make(ex, std::move(o));
    if (!http) return http.error().wrap("configure upstream client " + s.client_name);

    std::unique_ptr<client_context> ctx(new client_context(ex, std::move(s), clk));
    ctx->http_ = std::move(*http);
    ctx->budget_ = std::make_unique<budget>(ex, ctx->settings_.requests_per_minute, ctx->settings_.burst, ctx->settings_.shrink_for);
    std::string prefix = base->path == "/" ? "" : base->path;
    ctx->api_root_target_ = prefix + "/" + net::percent_encode(ctx->settings_.client_name) + "/api/v3/";
    ctx->api_root_url_ = base->origin() + ctx->api_root_target_;
    return ctx;
}

namespace {

failure classify_status(int status, std::string_view body, const std::string& what) {
    auto eb = codec::decode_error_body(body);
    error_class cls = error_class::permanent;
    if (status == 401) cls = error_class::auth;
    else if (status == 404) cls = error_class::not_found;
    else if (status == 409) cls = error_class::conflict;
    else if (status == 429) cls = error_class::rate_limited;
    else if (status >= 500) cls = error_class::transient;
    std::string msg = what + ": " + std::to_string(status);
    if (!eb.message.empty()) msg += " " + eb.message;
    if (eb.error_code != 0) msg += " (errorCode " + std::to_string(eb.error_code) + ")";
    return failure{cls, status, eb.error_code, std::move(msg)};
}

failure classify_transport(const agentd::error& e, const std::string& what) {
    error_class cls = error_class::transient;
    switch (e.code) {
    case errc::timeout: cls = error_class::timeout; break;
    case errc::cancelled: cls = error_class::cancelled; break;
    case errc::too_large:
    case errc::upstream_permanent:
    case errc::config_error: cls = error_class::permanent; break;
    default: cls = error_class::transient; break;
    }
    return failure{cls, 0, 0, what + ": " + e.message};
}

// Retry-After as delta-seconds or an HTTP date; missing or unreadable means one second.
std::chrono::seconds retry_after_of(const std::string& v, const agentd::clock& clk, std::chrono::seconds cap) {
    std::int64_t secs = 1;
    if (!v.empty()) {
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
        if (ec != std::errc() || p != v.data() + v.size()) {
            auto t = parse_rfc1123(v);
            secs = t ? std::chrono::duration_cast<std::chrono::seconds>(*t - clk.now()).count() : 1;
        }
    }
    return std::chrono::seconds(std::clamp<std::int64_t>(secs, 0, cap.count()));
}

std::string id_seg(const std::string& id) { return net::percent_encode(id); }

// Every id put in a path, a query or a body passes the token rule (ids.hpp) first: a refused
// id ends the call before anything is signed or sent, so "../x" never becomes another path.
std::optional<failure> bad_id(std::string_view what, std::initializer_list<std::string_view> ids) {
    for (auto id : ids)
        if (!valid_upstream_id(id))
            return failure{error_class::permanent, 0, 0, std::string(what) + ": invalid id " + quote_id(id), true};
    return std::nullopt;
}
std::optional<failure> bad_id(std::string_view what, const std::vector<new_ticket>& tickets) {
    for (const auto& t : tickets) {
        if (auto f = bad_id(what, {t.instance_id, t.type_id})) return f;
        if (t.seat_id.has_value() == t.area_id.has_value())
            return failure{error_class::permanent, 0, 0, std::string(what) + ": a ticket needs either a seat or an area", true};
        if (auto f = bad_id(what, {t.seat_id ? *t.seat_id : *t.area_id})) return f;
    }
    return std::nullopt;
}

template <class T>
call<T> refused(failure f) {
    co_return f;
}

class spektrix_client final : public client {
public:
    spektrix_client(client_context& ctx, signer s, std::string login)
        : ctx_(ctx), signer_(std::move(s)), login_(std::move(login)), rng_(std::random_device{}()) {}

    // Each attempt signs when it is sent, so the next attempt of a call already under way uses
    // the new credentials too.
    void set_credentials(signer s, std::string login) {
        signer_ = std::move(s);
        login_ = std::move(login);
    }

    call<std::vector<event>> list_events(date_text from, date_text to, call_options o) override {
        return fetch<std::vector<event>>("GET", "events?instanceStart_from=" + net::percent_encode(from) +
                                                    "&instanceStart_to=" + net::percent_encode(to),
                                         {}, "GET events", "list events", o, codec::decode_events);
    }
    call<event> get_event(std::string id, call_options o) override {
        if (auto f = bad_id("get event", {id})) return refused<event>(*f);
        return fetch<event>("GET", "events/" + id_seg(id), {}, "GET events/{id}", "get event " + id, o, codec::decode_event);
    }
    call<std::vector<instance>> list_instances(std::string event_id, date_text from, date_text to, call_options o) override {
        if (auto f = bad_id("list instances", {event_id})) return refused<std::vector<instance>>(*f);
        return fetch<std::vector<instance>>("GET", "events/" + id_seg(event_id) + "/instances?start_from=" +
                                                       net::percent_encode(from) + "&start_to=" + net::percent_encode(to),
                                            {}, "GET events/{id}/instances", "list instances of event " + event_id, o,
                                            codec::decode_instances);
    }
    call<instance> get_instance(std::string id, call_options o) override {
        if (auto f = bad_id("get instance", {id})) return refused<instance>(*f);
        return fetch<instance>("GET", "instances/" + id_seg(id), {}, "GET instances/{id}", "get instance " + id, o,
                               codec::decode_instance);
    }
    call<price_list> get_price_list(std::string id, call_options o) override {
        if (auto f = bad_id("get price list", {id})) return refused<price_list>(*f);
        return fetch<price_list>("GET", "instances/" + id_seg(id) + "/price-list", {}, "GET instances/{id}/price-list",
                                 "get price list of instance " + id, o, codec::decode_price_list);
    }
    call<plan> get_plan(std::string id, call_options o) override {
        if (auto f = bad_id("get plan", {id})) return refused<plan>(*f);
        return fetch<plan>("GET", "instances/" + id_seg(id) + "/plan", {}, "GET instances/{id}/plan",
                           "get plan of instance " + id, o, codec::decode_plan);
    }
    call<instance_status> get_instance_status(std::string id, call_options o) override {
        if (auto f = bad_id("get instance status", {id})) return refused<instance_status>(*f);
        return fetch<instance_status>("GET", "instances/" + id_seg(id) + "/status?includeLockInformation=true&includeChildPlans=true",
                                      {}, "GET instances/{id}/status", "get status of instance " + id, o,
                                      codec::decode_instance_status);
    }
    call<instance_status> get_area_status(std::string id, std::string area_id, call_options o) override {
        if (auto f = bad_id("get area status", {id, area_id})) return refused<instance_status>(*f);
        return fetch<instance_status>("GET", "instances/" + id_seg(id) + "/status/areas/" + id_seg(area_id) +
                                                 "?includeLockInformation=true&includeChildPlans=true",
                                      {}, "GET instances/{id}/status/areas/{id}",
                                      "get status of area " + area_id + " of instance " + id, o, codec::decode_instance_status);
    }
    call<std::vector<seat_status>> get_seat_status(std::string id, call_options o) override {
        if (auto f = bad_id("get seat status", {id})) return refused<std::vector<seat_status>>(*f);
        return fetch<std::vector<seat_status>>("GET", "instances/" + id_seg(id) + "/status/seats", {},
                                               "GET instances/{id}/status/seats", "get seat status of instance " + id, o,
                                               [f = ctx_.settings().seat_lock_type_field](std::string_view b) {
                                                   return codec::decode_seat_statuses(b, f);
                                               });
    }
    call<std::vector<best_seat>> best_available(std::string id, int quantity, std::optional<std::string> band,
                                                std::optional<std::string> area, call_options o) override {
        if (auto f = bad_id("find best available seats", {id, band.value_or("-"), area.value_or("-")}))
            return refused<std::vector<best_seat>>(*f);
        std::string q = "instances/" + id_seg(id) + "/best-available?quantity=" + std::to_string(quantity);
        if (band) q += "&priceBand=" + net::percent_encode(*band);
        if (area) q += "&area=" + net::percent_encode(*area);
        return fetch<std::vector<best_seat>>("GET", std::move(q), {}, "GET instances/{id}/best-available",
                                             "find best available seats in instance " + id, o, codec::decode_best_available);
    }
    call<basket> create_basket(call_options o) override {
        return fetch<basket>("POST", "baskets", codec::encode_empty_object(), "POST baskets", "create basket", o, basket_decoder());
    }
    call<basket> get_basket(std::string id, call_options o) override {
        if (auto f = bad_id("get basket", {id})) return refused<basket>(*f);
        return fetch<basket>("GET", "baskets/" + id_seg(id), {}, "GET baskets/{id}", "get basket " + id, o, basket_decoder());
    }
    call<basket> set_agent_customer(std::string id, agent_customer c, call_options o) override {
        if (auto f = bad_id("set customer of basket", {id})) return refused<basket>(*f);
        return fetch<basket>("PATCH", "baskets/" + id_seg(id), codec::encode_agent_customer_patch(c, ctx_.settings().customer_fields),
                             "PATCH baskets/{id}", "set customer of basket " + id, o, basket_decoder());
    }
    call<basket> touch_basket(std::string id, call_options o) override {
        return fetch<basket>("PATCH", "baskets/" + id_seg(id), codec::encode_empty_object(), "PATCH baskets/{id}",
                             "touch basket " + id, o, basket_decoder());
    }
    call<std::vector<ticket>> add_tickets(std::string id, std::vector<new_ticket> t, call_options o) override {
        if (auto f = bad_id("add tickets to basket", {id})) return refused<std::vector<ticket>>(*f);
        if (auto f = bad_id("add tickets to basket " + id, t)) return refused<std::vector<ticket>>(*f);
        std::string body = codec::encode_new_tickets(t);
        // The answer must be about what was asked, not merely well-formed.
        auto decode = [asked = std::move(t)](std::string_view b) -> result<std::vector<ticket>> {
            auto got = codec::decode_tickets(b);
            if (!got) return got;
            if (auto ok = check_added_tickets(asked, *got); !ok) return ok.error();
            return got;
        };
        return fetch<std::vector<ticket>>("POST", "baskets/" + id_seg(id) + "/tickets", std::move(body),
                                          "POST baskets/{id}/tickets", "add tickets to basket " + id, o, std::move(decode));
    }
    call<std::vector<ticket>> add_best_available(std::string id, std::string instance, int quantity, std::string type,
                                                 std::optional<std::string> band, call_options o) override {
        if (auto f = bad_id("add best available seats to basket", {id, instance, type, band.value_or("-")}))
            return refused<std::vector<ticket>>(*f);
        std::string body = codec::encode_basket_best_available(instance, quantity, type, band);
        auto decode = [instance, quantity, type, band](std::string_view b) -> result<std::vector<ticket>> {
            auto got = codec::decode_tickets(b);
            if (!got) return got;
            if (auto ok = check_best_available_tickets(instance, type, quantity, band, *got); !ok) return ok.error();
            return got;
        };
        return fetch<std::vector<ticket>>("POST", "baskets/" + id_seg(id) + "/tickets/best-available", std::move(body),
                                          "POST baskets/{id}/tickets/best-available",
                                          "add best available seats to basket " + id, o, std::move(decode));
    }
    call<void> remove_tickets(std::string id, std::vector<std::string> ticket_ids, call_options o) override {
        if (auto f = bad_id("remove tickets from basket", {id})) return refused<void>(*f);
        for (const auto& t : ticket_ids)
            if (auto f = bad_id("remove tickets from basket " + id, {t})) return refused<void>(*f);
        return remove_checked(std::move(id), std::move(ticket_ids), o);
    }
    call<void> clear_basket(std::string id, call_options o) override {
        if (auto f = bad_id("clear basket", {id})) return refused<void>(*f);
        return clear_checked(std::move(id), o);
    }
    call<order> confirm_basket(std::string id, call_options o) override {
        if (auto f = bad_id("confirm basket", {id})) return refused<order>(*f);
        return fetch<order>("POST", "baskets/" + id_seg(id) + "/confirm", codec::encode_confirm(), "POST baskets/{id}/confirm",
                            "confirm basket " + id, o, order_decoder());
    }
    call<order> get_order(std::string id, call_options o) override {
        if (auto f = bad_id("get order", {id})) return refused<order>(*f);
        return fetch<order>("GET", "orders/" + id_seg(id), {}, "GET orders/{id}", "get order " + id, o, order_decoder());
    }

private:
    call<void> remove_checked(std::string id, std::vector<std::string> ticket_ids, call_options o) {
        std::string q = "baskets/" + id_seg(id) + "/tickets?ticketIds=";
        for (std::size_t i = 0; i < ticket_ids.size(); ++i) q += (i ? "," : "") + net::percent_encode(ticket_ids[i]);
        auto r = co_await request("DELETE", std::move(q), codec::encode_empty_object(), "DELETE baskets/{id}/tickets",
                                  "remove tickets from basket " + id, o);
        if (!r) co_return r.error();
        co_return result<void>{};
    }
    call<void> clear_checked(std::string id, call_options o) {
        auto r = co_await request("POST", "baskets/" + id_seg(id) + "/clear", codec::encode_empty_object(),
                                  "POST baskets/{id}/clear", "clear basket " + id, o);
        if (!r) co_return r.error();
        co_return result<void>{};
    }

    std::function<result<basket>(std::string_view)> basket_decoder() {
        return [f = ctx_.settings().customer_fields](std::string_view b) { return codec::decode_basket(b, f); };
    }
    std::function<result<order>(std::string_view)> order_decoder() {
        return [f = ctx_.settings().customer_fields](std::string_view b) { return codec::decode_order(b, f); };
    }

    template <class T, class Decode>
    call<T> fetch(std::string method, std::string rel, std::string body, std::string endpoint, std::string what,
                  call_options o, Decode decode) {
        auto r = co_await request(std::move(method), std::move(rel), std::move(body), std::move(endpoint), what, o);
        if (!r) co_return r.error();
        result<T> v = co_await decode_answer<T>(*r, decode);
        if (!v) {
            failure f = v.error();
            f.message = what + ": " + f.message;
            f.http_status = 200;
            log::warn("upstream", "decode", "upstream answer has an unexpected shape",
                      {{"client", ctx_.settings().client_name}, {"error", f.message}});
            co_return f;
        }
        co_return v;
    }

    // Decodes on the decode executor when the answer is large enough to be worth the hop. The
    // body and the decoder live in the caller's frame, which waits here until the decode is done.
    template <class T, class Decode>
    call<T> decode_answer(const std::string& answer, Decode& decode) {
        const auto& ex = ctx_.decode_executor();
        if (!ex || answer.size() < ctx_.decode_min_bytes()) co_return decode(answer);
        ctx_.counters().decoded_off_thread();
        auto work = [&answer, &decode]() -> asio::awaitable<result<T>> { co_return decode(answer); };
        co_return co_await asio::co_spawn(ex, work, asio::use_awaitable);
    }

    // One logical call: budget, sign, send, classify, retry. Returns the 2xx body.
    call<std::string> request(std::string method, std::string rel, std::string body, std::string endpoint,
                              std::string what, call_options o) {
        const auto& s = ctx_.settings();
        auto deadline = steady::now() + std::min(o.deadline, s.timeout.overall);
        const bool safe = o.retry_safe.value_or(method == "GET");
        const std::string url = ctx_.api_root_url() + rel;  // signed and sent as is
        net::http_request req{method, ctx_.api_root_target() + rel, {}, std::move(body), safe};
        bool sent = false;
        req.maybe_sent = &sent;
        // Checked again by the HTTP client right before the write: a request that waited for a
        // connection (or the node's pause) past the lease's local validity is not sent.
        req.may_send = [c = &ctx_] { return c->may_send(); };
        auto outcome = [&](result<std::string> r) {
            if (!r) {
                failure f = r.error();
                f.sent = sent;
                r = std::move(f);
            }
            ctx_.counters().call_done(bool(r));
            if (!r && r.error().cls != error_class::cancelled && !r.error().held_back)
                log::warn("upstream", "call", "upstream call failed",
                          {{"client", s.client_name}, {"login", login_}, {"endpoint", endpoint},
                           {"class", to_string(r.error().cls)}, {"error", r.error().message}});
            return r;
        };
        // The gate of do-not-transact windows (client_context::set_gate): nothing is sent while
        // it says no, whoever calls.
        auto held_back = [&]() -> std::optional<failure> {
            const auto& gate = ctx_.gate();
            if (!gate) return std::nullopt;
            auto until = gate(method != "GET");
            if (!until) return std::nullopt;
            failure f{error_class::transient, 0, 0,
                      what + ": held back by a do-not-transact window until " + format_iso_utc(*until)};
            f.held_back = true;
            f.held_until = *until;
            ctx_.counters().held_back();
            return f;
        };
        for (int attempt = 1;; ++attempt) {
            if (auto f = held_back()) co_return outcome(*f);
            auto token = co_await ctx_.request_budget().acquire(o.prio, deadline, o.arrival);
            if (!token) {
                failure f = token.error();
                f.message = what + ": " + f.message;
                co_return outcome(f);
            }
            // Last check before the bytes leave: the residual window (a pause after this) is
            // covered by the new owner reading the basket back (docs/scale-out.md).
            if (!ctx_.may_send())
                co_return outcome(failure{error_class::cancelled, 0, 0,
                                          what + ": not sent: this node no longer drives client " + s.client_name});
            // Asked again after the budget wait: a window may have begun meanwhile.
            if (auto f = held_back()) co_return outcome(*f);
            std::string date = format_rfc1123(ctx_.clock().now());
            req.headers = {{"Date", date},
                           {"Authorization", signer_.authorization(method, url, date, req.body)},
                           {"Accept", "application/json"}};
            if (method != "GET") req.headers.emplace_back("Content-Type", "application/json");
            if (!ctx_.node().empty()) req.headers.emplace_back("X-Agentd-Node", ctx_.node());
            auto t0 = steady::now();
            auto r = co_await ctx_.http().send(req, deadline);
            auto latency = steady::now() - t0;
            failure f;
            std::chrono::steady_clock::duration pause{};
            if (r) {
                ctx_.counters().record(endpoint, r->status, latency);
                warn_on_skew(r->date);
                if (r->status >= 200 && r->status < 300) co_return outcome(std::move(r->body));
                f = classify_status(r->status, r->body, what);
                if (r->status == 429) {
                    pause = retry_after_of(r->retry_after, ctx_.clock(), s.max_retry_after);
                    ctx_.request_budget().on_rate_limited(pause);
                }
            } else {
                ctx_.counters().record(endpoint, 0, latency);
                f = classify_transport(r.error(), what);
            }
            // A 429 was refused before any effect, so it may be repeated; other transient
            // outcomes only when the caller said the call is safe to repeat.
            bool may_retry = f.cls == error_class::rate_limited ||
                             (safe && (f.cls == error_class::transient || f.cls == error_class::timeout));
            if (!may_retry || attempt >= s.backoff.max_attempts) co_return outcome(f);
            auto delay = s.backoff.delay(attempt, std::uniform_real_distribution<double>(0.0, 1.0)(rng_));
            if (steady::now() + std::max<steady::duration>(delay, pause) >= deadline) co_return outcome(f);
            ctx_.counters().retry();
            asio::steady_timer timer(ctx_.executor(), delay);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                co_return outcome(failure{error_class::cancelled, 0, 0, what + ": cancelled"});
        }
    }

    // Signatures carry our Date; a skewed clock makes the upstream refuse them (docs/upstream-contract.md U2).
    void warn_on_skew(const std::string& date) {
        if (date.empty()) return;
        auto theirs = parse_rfc1123(date);
        if (!theirs) return;
        auto skew = std::chrono::duration_cast<std::chrono::seconds>(ctx_.clock().now() - *theirs).count();
        if (skew > 60 || skew < -60)
            log::warn("upstream", "clock", "local clock differs from the upstream's Date header",
                      {{"client", ctx_.settings().client_name}, {"skew_s", skew}});
    }

    client_context& ctx_;
    signer signer_;
    std::string login_;
    std::mt19937_64 rng_;
};

}  // namespace

agentd::result<std::unique_ptr<client>> make_spektrix_client(client_context& ctx, account_settings account) {
    auto s = signer::make(account.login, account.secret);
    if (!s) return s.error();
    return std::unique_ptr<client>(new spektrix_client(ctx, std::move(*s), std::move(account.login)));
}

agentd::result<void> update_credentials(client& c, const account_settings& account) {
    auto* sc = dynamic_cast<spektrix_client*>(&c);
    if (!sc) return fail(errc::invalid_argument, "update credentials for " + account.login + ": not a Spektrix client");
    auto s = signer::make(account.login, account.secret);
    if (!s) return s.error();
    sc->set_credentials(std::move(*s), account.login);
    return {};
}

}  // namespace agentd::upstream
