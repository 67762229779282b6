#include "agentd/control/handlers.hpp"

#include "agentd/api/json.hpp"
#include "agentd/api/prometheus.hpp"
#include "agentd/control/router.hpp"
#include "agentd/control/seat_map_reply.hpp"
#include "agentd/core/id.hpp"
#include "agentd/core/time.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace agentd::control {
namespace {

using boost::asio::awaitable;
using query_list = std::vector<std::pair<std::string, std::string>>;

template <class T>
reply ok(int status, const T& v) {
    reply r;
    r.status = status;
    r.body = api::to_json(v);
    return r;
}

template <class T>
reply answer(const result<T>& r, int status = 200) {
    if (!r) return error_reply(r.error());
    return ok(status, *r);
}

// An answer the backend already encoded.
reply answer_encoded(result<std::string> r) {
    if (!r) return error_reply(r.error());
    reply out;
    out.body = std::move(*r);
    return out;
}

std::optional<std::string> query_value(const query_list& q, std::string_view name) {
    for (auto& [k, v] : q)
        if (k == name) return v;
    return std::nullopt;
}

result<std::optional<std::uint64_t>> query_uint(const query_list& q, std::string_view name) {
    auto v = query_value(q, name);
    if (!v) return std::optional<std::uint64_t>{};
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc{} || p != v->data() + v->size())
        return fail(errc::decode_error, "query " + std::string(name) + ": expected a non-negative integer");
    return std::optional<std::uint64_t>{n};
}

result<std::optional<std::string>> query_id(const query_list& q, std::string_view name) {
    auto v = query_value(q, name);
    if (v && !valid_id(*v)) return fail(errc::invalid_argument, "query " + std::string(name) + ": not a valid id");
    return v;
}

result<std::optional<std::string>> query_time(const query_list& q, std::string_view name) {
    auto v = query_value(q, name);
    if (v && !parse_iso(*v)) return fail(errc::decode_error, "query " + std::string(name) + ": expected an ISO 8601 date or time");
    return v;
}

// ?client=&channel=&from=&to=&by= of the ledger routes; the entries need a client.
result<api::ledger_query> ledger_query_of(const query_list& q, bool need_client) {
    api::ledger_query lq;
    auto cl = query_id(q, "client"), ch = query_id(q, "channel");
    auto from = query_time(q, "from"), to = query_time(q, "to");
    for (auto* x : {&cl, &ch, &from, &to})
        if (!*x) return x->error();
    lq.client = *cl;
    lq.channel = *ch;
    lq.from = *from;
    lq.to = *to;
    lq.by = query_value(q, "by").value_or("client");
    static constexpr std::string_view k_by[] = {"day", "week", "month", "client", "channel", "event", "pool"};
    if (std::find(std::begin(k_by), std::end(k_by), lq.by) == std::end(k_by))
        return fail(errc::invalid_argument, "query by: expected day|week|month|client|channel|event|pool");
    if (need_client && !lq.client) return fail(errc::invalid_argument, "ledger entries: query client is required");
    return lq;
}

// One answer for "no such id", "not yours" and "not a valid id", built from the caller's own
// input only, so a sales channel cannot tell another channel's reservation from a missing one.
error not_found_reservation(std::string_view id) {
    return fail(errc::not_found, "reservation " + std::string(id) + ": not found");
}

// The reservation if the caller may see it: admins see all, a sales channel only its own.
result<api::reservation> visible_reservation(handler_context& ctx, const caller& who, const std::string& id) {
    if (!valid_id(id)) return not_found_reservation(id);
    auto r = ctx.be.reservation(id);
    if (!r) return r.error().code == errc::not_found ? result<api::reservation>(not_found_reservation(id)) : r;
    if (!who.is_admin() && r->channel != who.channel) return not_found_reservation(id);
    return r;
}

// A permit for one request that costs upstream calls, or the 429 to answer instead.
result<upstream_gate::permit> charge(handler_context& ctx, const caller& who, std::chrono::seconds& retry_after) {
    if (!ctx.gate) return upstream_gate::permit{};
    auto p = ctx.gate->try_acquire(who.channel, limits_for(ctx.settings, who.channel), std::chrono::steady_clock::now(),
                                   retry_after);
    if (!p)
        return fail(errc::rate_limited,
                    "channel " + who.channel + ": reservation request limit reached (create, confirm, extend, release)");
    return p;
}

reply refused(const error& e, std::chrono::seconds retry_after) {
    auto r = error_reply(e);
    r.headers.emplace_back("Retry-After", std::to_string(retry_after.count()));
    return r;
}

awaitable<reply> get_reservation(handler_context& ctx, const caller& who, const std::string& id, const query_list& q) {
    auto wait = query_uint(q, "wait");
    auto version = query_uint(q, "version");
    if (!wait) co_return error_reply(wait.error());
    if (!version) co_return error_reply(version.error());
    auto r = visible_reservation(ctx, who, id);
    if (!r || !*wait || **wait == 0 || !*version) co_return answer(r);

    auto limit = std::min<std::chrono::milliseconds>(std::chrono::seconds(**wait), ctx.settings.longpoll_max);
    auto deadline = std::chrono::steady_clock::now() + limit;
    // Woken by every feed notification (every reservation's and the mirror's changes): the
    // reservation is read again only when its committed version may have moved.
    while (r && static_cast<std::uint64_t>(r->version) == **version) {
        if (!co_await ctx.changes.wait(deadline)) break;
        auto cs = co_await boost::asio::this_coro::cancellation_state;
        if (cs.cancelled() != boost::asio::cancellation_type::none) break;
        if (auto known = ctx.be.reservation_version(id); known && static_cast<std::uint64_t>(*known) == **version) continue;
        r = visible_reservation(ctx, who, id);
    }
    co_return answer(r);
}

template <class T>
result<T> decode_body(const request_view& req) {
    return api::from_json<T>(req.body);
}

awaitable<reply> dispatch(handler_context& ctx, const caller& who, const request_view& req, const route_match& m,
                          const query_list& q) {
    auto& be = ctx.be;
    auto& p = m.params;
    switch (m.route->id) {
    case route_id::health: {
        auto h = be.health();
        if (h) h->include_queue = who.is_admin();
        co_return answer(h);
    }
    case route_id::clients: co_return answer(be.clients());
    case route_id::events: {
        auto from = query_time(q, "from"), to = query_time(q, "to");
        if (!from) co_return error_reply(from.error());
        if (!to) co_return error_reply(to.error());
        co_return answer_encoded(be.events_json(api::event_query{p[0], *from, *to, query_value(q, "search")}));
    }
    case route_id::instances: {
        auto from = query_time(q, "from"), to = query_time(q, "to");
        auto ev = query_id(q, "event");
        if (!from) co_return error_reply(from.error());
        if (!to) co_return error_reply(to.error());
        if (!ev) co_return error_reply(ev.error());
        co_return answer_encoded(be.instances_json(api::instance_query{p[0], *from, *to, *ev}));
    }
    case route_id::instance: co_return answer_encoded(be.instance_json(p[0], p[1]));
    case route_id::seats: co_return answer_encoded(be.seats_json(p[0], p[1]));
    case route_id::seat_map_svg: co_return seat_map_reply(be, p[0], p[1], query_value(q, "include"));
    case route_id::create_reservation: {
        if (req.idempotency_key.empty())
            co_return error_reply(fail(errc::invalid_argument, "create reservation: header Idempotency-Key is required"));
        if (!valid_id(req.idempotency_key))
            co_return error_reply(fail(errc::invalid_argument, "create reservation: Idempotency-Key must be 1-128 of [A-Za-z0-9_.:-]"));
        auto body = decode_body<api::reservation_request>(req);
        if (!body) co_return error_reply(body.error());
        std::chrono::seconds retry_after{1};
        auto permit = charge(ctx, who, retry_after);
        if (!permit) co_return refused(permit.error(), retry_after);
        auto r = co_await be.create_reservation(who.channel, std::string(req.idempotency_key), std::move(*body));
        if (!r) co_return error_reply(r.error());
        co_return ok(r->replayed ? 200 : 202, r->reservation);
    }
    case route_id::get_reservation: co_return co_await get_reservation(ctx, who, p[0], q);
    case route_id::list_reservations: {
        api::reservation_filter f;
        auto st = query_id(q, "state"), ch = query_id(q, "channel"), cl = query_id(q, "client");
        for (auto* x : {&st, &ch, &cl})
            if (!*x) co_return error_reply(x->error());
        f.state = *st;
        f.channel = *ch;
        f.client = *cl;
        if (!who.is_admin()) {
            if (f.channel && *f.channel != who.channel)
                co_return error_reply(fail(errc::permission_denied, "list reservations: a sales channel sees only its own"));
            f.channel = who.channel;
        }
        co_return answer(be.reservations(f));
    }
    case route_id::reservation_history: {
        auto r = visible_reservation(ctx, who, p[0]);
        if (!r) co_return error_reply(r.error());
        co_return answer(be.reservation_history(p[0]));
    }
    case route_id::confirm_reservation:
    case route_id::extend_reservation:
    case route_id::release_reservation: {
        auto r = visible_reservation(ctx, who, p[0]);
        if (!r) co_return error_reply(r.error());
        std::optional<api::confirm_request> confirm;
        std::optional<api::extend_request> extend;
        if (m.route->id == route_id::confirm_reservation) {
            auto body = decode_body<api::confirm_request>(req);
            if (!body) co_return error_reply(body.error());
            confirm = std::move(*body);
        } else if (m.route->id == route_id::extend_reservation) {
            auto body = req.body.empty() ? result<api::extend_request>(api::extend_request{}) : decode_body<api::extend_request>(req);
            if (!body) co_return error_reply(body.error());
            extend = std::move(*body);
        }
        std::chrono::seconds retry_after{1};
        auto permit = charge(ctx, who, retry_after);
        if (!permit) co_return refused(permit.error(), retry_after);
        if (confirm) co_return answer(co_await be.confirm_reservation(p[0], std::move(*confirm)), 202);
        if (extend) co_return answer(co_await be.extend_reservation(p[0], std::move(*extend)));
        co_return answer(co_await be.release_reservation(p[0]), 202);
    }
    case route_id::feed: {
        auto since = query_uint(q, "since");
        if (!since) co_return error_reply(since.error());
        reply r;
        r.start_feed = true;
        r.feed_since = since->value_or(0);
        co_return r;
    }
    case route_id::metrics: {
        auto s = be.metrics();
        if (!s) co_return error_reply(s.error());
        if (ctx.add_metrics) ctx.add_metrics(*s);
        reply r;
        r.body = api::to_prometheus(*s);
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        co_return r;
    }
    case route_id::admin_sync: {
        auto body = decode_body<api::admin_sync_request>(req);
        if (!body) co_return error_reply(body.error());
        co_return answer(co_await be.request_sync(std::move(*body)), 202);
    }
    case route_id::admin_reconcile: co_return answer(be.reconcile());
    case route_id::pools: co_return answer(be.pools());
    case route_id::ledger:
    case route_id::ledger_entries: {
        auto lq = ledger_query_of(q, m.route->id == route_id::ledger_entries);
        if (!lq) co_return error_reply(lq.error());
        if (m.route->id == route_id::ledger) co_return answer(be.ledger(*lq));
        co_return answer(be.ledger_entries(*lq));
    }
    case route_id::admin_resolve: {
        auto body = decode_body<api::resolve_request>(req);
        if (!body) co_return error_reply(body.error());
        co_return answer(co_await be.resolve_reservation(p[0], std::move(*body)));
    }
    }
    co_return error_reply(fail(errc::internal, "dispatch: unhandled route"));
}

bool is_json(std::string_view ct) {
    auto semi = ct.find(';');
    auto base = ct.substr(0, semi);
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    if (base.size() != 16) return false;
    for (std::size_t i = 0; i < 16; ++i)
        if (std::tolower(static_cast<unsigned char>(base[i])) != "application/json"[i]) return false;
    return true;
}

}  // namespace

upstream_limits limits_for(const server_settings& s, std::string_view channel) {
    for (auto& c : s.channels)
        if (c.name == channel) return c.upstream;
    return {};
}

awaitable<reply> handle(handler_context& ctx, const caller& who, const request_view& req) {
    auto qpos = req.target.find('?');
    auto path = req.target.substr(0, qpos);
    auto m = match_route(req.method, path);
    if (m.result == route_match::outcome::no_path)
        co_return error_reply(fail(errc::not_found, "route " + std::string(path) + ": no such endpoint"));
    if (m.result == route_match::outcome::bad_method) {
        auto r = error_reply(405, "method_not_allowed", std::string(req.method) + " " + std::string(path) + ": allowed: " + m.allow);
        r.headers.emplace_back("Allow", m.allow);
        co_return r;
    }
    // /metrics carries every channel's counters: admin-only unless the operator opened it.
    bool admin_only = m.route->admin_only || (m.route->id == route_id::metrics && !ctx.settings.metrics_open);
    if (admin_only && !who.is_admin())
        co_return error_reply(fail(errc::permission_denied, std::string(path) + ": channel " + who.channel + " is not admin"));
    if (m.route->has_body && !req.body.empty() && !is_json(req.content_type))
        co_return error_reply(415, "unsupported_media_type", "request body: Content-Type must be application/json");
    auto q = parse_query(qpos == std::string_view::npos ? std::string_view{} : req.target.substr(qpos + 1));
    if (!q) co_return error_reply(fail(errc::decode_error, "query: bad percent-encoding"));
    co_return co_await dispatch(ctx, who, req, m, *q);
}

}  // namespace agentd::control
