// status, clients, events, instances, instance, seats, sync now.
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/cli/output.hpp"
#include "agentd/cli/seat_map.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace agentd::cli {
namespace {

std::string fixed(double v, int digits = 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

// Lag below a minute keeps its tenth of a second: it is the figure operators watch.
std::string lag_text(double s) { return s < 60 ? fixed(s, 1) + "s" : span_text(s); }

// "in nightly until 2026-12-01T02:30:00Z (reads too, creates refused)" / "next nightly at ..." / "-".
std::string window_text(const std::optional<api::client_window>& w) {
    if (!w) return "-";
    if (w->inside) {
        std::string s = "in " + w->name.value_or("?") + " until " + w->ends_at.value_or("?");
        if (w->reads_blocked || w->refuse_creates) {
            s += " (";
            if (w->reads_blocked) s += "reads too";
            if (w->reads_blocked && w->refuse_creates) s += ", ";
            if (w->refuse_creates) s += "creates refused";
            s += ")";
        }
        return s;
    }
    if (w->next_start) return "next " + w->next_name.value_or("?") + " at " + *w->next_start;
    return "none ahead";
}

void print_clients(context& ctx, const std::vector<api::client_state>& clients) {
    table t({"CLIENT", "STATE", "LAST SUCCESS", "LAG", "BUDGET LEFT", "LAST ERROR"});
    bool windows = false;
    for (auto& c : clients) {
        t.add({c.name, c.state, when_text(c.last_success, ctx.now()), lag_text(c.lag_seconds), fixed(c.budget_left, 0),
               c.last_error ? *c.last_error : "-"});
        windows = windows || c.window.has_value();
    }
    if (t.empty()) {
        ctx.out() << "no clients configured\n";
        return;
    }
    ctx.out() << t.render();
    // Do-not-transact windows (docs/windows.md), for the clients that have any.
    if (!windows) return;
    table w({"CLIENT", "DO-NOT-TRANSACT WINDOW"});
    for (auto& c : clients)
        if (c.window) w.add({c.name, window_text(c.window)});
    ctx.out() << "\n" << w.render();
}

}  // namespace

int cmd_status(context& ctx, const positionals&) {
    auto r = ctx.call("GET", "/v1/health");
    if (!r) return ctx.code();
    auto h = ctx.decoded(*r, [](std::string_view t) { return api::from_json<api::health>(t); });
    if (!h) return ctx.code();
    if (ctx.json()) {
        ctx.out() << api::to_json(*h) << "\n";
        return exit_ok;
    }
    auto path = ctx.socket_path().value_or("");
    ctx.out() << "agentd " << h->version << " is up at " << path << ": status " << h->status << ", ready "
              << yes_no(h->ready) << ", uptime " << span_text(static_cast<double>(h->uptime_seconds)) << "\n";
    ctx.out() << "initial sync: " << (h->sync.initial_complete ? "complete" : "in progress") << " (clients "
              << h->sync.clients_done << "/" << h->sync.clients_total << ", instances " << h->sync.instances_done << "/"
              << h->sync.instances_total << ")\n\n";
    print_clients(ctx, h->clients);
    if (h->node) {
        // Several nodes share the database: who drives which venue, by the database's clock.
        ctx.out() << "\nnode: " << *h->node << " (venues are driven by the node holding their lease)\n";
        table t({"CLIENT", "DRIVEN BY", "EPOCH", "LEASE EXPIRES", "LIVE"});
        for (const auto& l : h->leases)
            t.add({l.client, l.node + (l.node == *h->node ? " (this node)" : ""), std::to_string(l.epoch), l.expires_at,
                   yes_no(l.live)});
        if (h->leases.empty()) ctx.out() << "no venue leased yet\n";
        else ctx.out() << t.render();
    }
    // A sales channel is not told about the whole queue (other channels' work): say so.
    if (!h->include_queue) {
        ctx.out() << "\nqueue: shown to admin channels only\n";
        return exit_ok;
    }
    ctx.out() << "\nqueue: " << h->queue.depth << " reservation(s) in progress\n";
    if (!h->queue.by_state.empty()) {
        table t({"STATE", "RESERVATIONS"});
        for (auto& [s, n] : h->queue.by_state) t.add({s, std::to_string(n)});
        ctx.out() << t.render();
    }
    return exit_ok;
}

int cmd_clients(context& ctx, const positionals&) {
    auto c = ctx.get("/v1/clients", api::from_json<std::vector<api::client_state>>);
    if (!c) return ctx.code();
    if (ctx.args().flag("names")) {
        for (auto& one : *c) ctx.out() << one.name << "\n";
    } else if (ctx.json()) {
        ctx.out() << api::to_json(*c) << "\n";
    } else {
        print_clients(ctx, *c);
    }
    return exit_ok;
}

int cmd_events(context& ctx, const positionals&) {
    bool bad = false;
    auto from = date_option(ctx, "from", bad), to = date_option(ctx, "to", bad);
    if (bad) return ctx.code();
    auto clients = clients_to_show(ctx);
    if (!clients) return ctx.code();
    std::vector<api::event> all;
    for (auto& c : *clients) {
        auto q = query_string({{"from", from}, {"to", to}, {"search", ctx.args().get("search")}});
        auto ev = ctx.get("/v1/clients/" + seg(c) + "/events" + q, api::from_json<std::vector<api::event>>);
        if (!ev) return ctx.code();
        all.insert(all.end(), ev->begin(), ev->end());
    }
    if (ctx.json()) {
        ctx.out() << api::to_json(all) << "\n";
        return exit_ok;
    }
    table t({"CLIENT", "EVENT", "NAME", "FIRST", "LAST", "ON SALE"});
    for (auto& e : all)
        t.add({e.client, e.id, e.name, e.first_instance ? short_time(*e.first_instance) : "-",
               e.last_instance ? short_time(*e.last_instance) : "-", yes_no(e.on_sale)});
    if (t.empty()) ctx.out() << "no events match\n";
    else ctx.out() << t.render();
    return exit_ok;
}

int cmd_instances(context& ctx, const positionals&) {
    bool bad = false;
    auto from = date_option(ctx, "from", bad), to = date_option(ctx, "to", bad);
    if (bad) return ctx.code();
    auto clients = clients_to_show(ctx);
    if (!clients) return ctx.code();
    std::vector<api::instance_summary> all;
    for (auto& c : *clients) {
        auto q = query_string({{"from", from}, {"to", to}, {"event", ctx.args().get("event")}});
        auto in = ctx.get("/v1/clients/" + seg(c) + "/instances" + q, api::from_json<std::vector<api::instance_summary>>);
        if (!in) return ctx.code();
        all.insert(all.end(), in->begin(), in->end());
    }
    // The list carries no freshness; each instance's detail does. Bounded so a big listing
    // stays a handful of cheap local reads.
    constexpr std::size_t k_detail_cap = 200;
    std::vector<std::optional<api::instance>> detail(all.size());
    for (std::size_t i = 0; i < all.size() && i < k_detail_cap; ++i) {
        auto d = ctx.call("GET", "/v1/clients/" + seg(all[i].client) + "/instances/" + seg(all[i].id));
        if (!d) return ctx.code();
        if (auto v = api::from_json<api::instance>(d->body)) detail[i] = std::move(*v);
    }
    if (ctx.json()) {
        // The API's list, each instance with its "availabilityAge" (seconds, to 0.1 as in the
        // table) when its detail was read.
        std::vector<api::instance_with_age> rows;
        rows.reserve(all.size());
        for (std::size_t i = 0; i < all.size(); ++i) {
            std::optional<double> age;
            if (detail[i]) age = std::round(detail[i]->availability_age * 10) / 10;
            rows.push_back({all[i], age});
        }
        ctx.out() << api::to_json(rows) << "\n";
        return exit_ok;
    }
    table t({"CLIENT", "INSTANCE", "EVENT", "START (LOCAL)", "ON SALE", "AVAILABLE", "CONFIRMED"});
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto& s = all[i];
        std::string start = s.start.size() >= 16 ? s.start.substr(0, 10) + " " + s.start.substr(11, 5) : s.start;
        std::string sale = s.cancelled ? "cancelled" : yes_no(s.on_sale);
        t.add({s.client, s.id, s.event_name.empty() ? s.event : s.event_name, start, sale, std::to_string(s.available),
               detail[i] ? span_text(detail[i]->availability_age) + " ago" : "?"});
    }
    if (t.empty()) ctx.out() << "no instances match\n";
    else ctx.out() << t.render();
    if (all.size() > k_detail_cap) ctx.out() << "(freshness shown for the first " << k_detail_cap << " only)\n";
    return exit_ok;
}

int cmd_instance(context& ctx, const positionals& a) {
    auto i = ctx.get("/v1/clients/" + seg(a[0]) + "/instances/" + seg(a[1]), api::from_json<api::instance>);
    if (!i) return ctx.code();
    if (ctx.json()) {
        ctx.out() << api::to_json(*i) << "\n";
        return exit_ok;
    }
    auto& o = ctx.out();
    // Names and ids are upstream text; printable() keeps each on its line.
    o << "instance " << printable(i->id) << " of client " << printable(i->client) << "\n";
    o << "  event        " << printable(i->event_name + " (" + i->event + ")") << "\n";
    o << "  start        " << printable(i->start) << " local, " << printable(short_time(i->start_utc)) << "\n";
    o << "  plan         " << printable(or_dash(i->plan)) << "\n";
    o << "  on sale      " << yes_no(i->on_sale) << (i->cancelled ? " (cancelled)" : "") << "\n";
    o << "  available    " << i->avail.available << " of " << i->avail.capacity << " (" << i->avail.locked << " locked)\n";
    o << "  freshness    availability confirmed " << span_text(i->availability_age) << " ago";
    if (!i->availability_confirmed_at.empty()) o << " (" << printable(short_time(i->availability_confirmed_at)) << ")";
    o << "\n\nprices:\n";
    table p({"PRICE BAND", "TICKET TYPE", "NAME", "PRICE"});
    for (auto& x : i->prices)
        p.add({x.price_band_name.empty() || ctx.args().flag("ids") ? x.price_band : x.price_band_name + " (" + x.price_band + ")",
               x.ticket_type, or_dash(x.ticket_type_name), x.price});
    o << (p.empty() ? "  none\n" : p.render());
    o << "\nareas:\n";
    table t({"AREA", "NAME", "AVAILABLE", "CAPACITY"});
    for (auto& x : i->avail.areas) t.add({x.area, or_dash(x.name), std::to_string(x.available), std::to_string(x.capacity)});
    o << (t.empty() ? "  none\n" : t.render());
    return exit_ok;
}

int cmd_seats(context& ctx, const positionals& a) {
    if (ctx.args().get("svg")) return cmd_seats_svg(ctx, a);
    seat_map_options opt;
    if (auto w = ctx.args().get("width")) {
        int v = 0;
        auto [p, ec] = std::from_chars(w->data(), w->data() + w->size(), v);
        if (ec != std::errc() || p != w->data() + w->size() || v < 20 || v > 1000)
            return ctx.report(exit_usage, "--width: expected a number of columns, 20..1000");
        opt.width = v;
    }
    opt.area = ctx.args().get("area");
    auto base = "/v1/clients/" + seg(a[0]) + "/instances/" + seg(a[1]);
    auto plan = ctx.get(base + "/seats", api::from_json<api::seat_plan>);
    if (!plan) return ctx.code();
    if (opt.area) {
        bool known = false;
        for (auto& s : plan->seats) known = known || s.area == *opt.area;
        if (!known) return ctx.report(exit_not_found, "not found: area " + *opt.area + " in the plan of instance " + a[1]);
    }
    if (ctx.json()) {
        if (opt.area) std::erase_if(plan->seats, [&](const api::seat& s) { return s.area != *opt.area; });
        ctx.out() << api::to_json(*plan) << "\n";
        return exit_ok;
    }
    auto inst = ctx.get(base, api::from_json<api::instance>);  // for the areas' names
    if (!inst) return ctx.code();
    for (auto& ar : inst->avail.areas) opt.area_names.emplace_back(ar.area, ar.name);
    ctx.out() << "plan " << printable(or_dash(plan->plan)) << " of instance " << printable(plan->instance) << ", seat status confirmed "
              << when_text(plan->confirmed_at.empty() ? std::nullopt : std::optional(plan->confirmed_at), ctx.now()) << "\n\n"
              << render_seat_map(*plan, opt);
    return exit_ok;
}

int cmd_sync_now(context& ctx, const positionals&) {
    api::admin_sync_request req;
    if (auto c = ctx.args().get("client")) {
        req.client = *c;
    } else {
        auto all = ctx.get("/v1/clients", api::from_json<std::vector<api::client_state>>);
        if (!all) return ctx.code();
        if (all->size() != 1) return ctx.report(exit_usage, "sync now: give --client (agentd has " + std::to_string(all->size()) + " clients)");
        req.client = all->front().name;
    }
    req.instance = ctx.args().get("instance");
    auto r = ctx.call("POST", "/v1/admin/sync", api::to_json(req));
    if (!r) return ctx.code();
    auto ans = ctx.decoded(*r, api::from_json<api::admin_sync_answer>);
    if (!ans) return ctx.code();
    if (ctx.json()) ctx.out() << api::to_json(*ans) << "\n";
    else
        ctx.out() << (ans->accepted ? "refresh requested" : "refresh not accepted") << " for client " << req.client
                  << (req.instance ? " instance " + *req.instance : std::string()) << ": " << printable(ans->message) << "\n";
    return ans->accepted ? exit_ok : exit_conflict;
}

}  // namespace agentd::cli
