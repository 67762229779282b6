// reservations, reservation, release, reconcile, hold, confirm, wait.
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/cli/output.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <ostream>
#include <unistd.h>

namespace agentd::cli {
namespace {

constexpr std::array<std::string_view, 11> k_states = {"queued",    "placing", "held",     "confirming", "confirmed", "confirm_unknown",
                                                       "rejected",  "cancelled", "releasing", "released",  "expired"};
constexpr std::array<std::string_view, 6> k_final = {"confirmed", "confirm_unknown", "rejected", "cancelled", "released", "expired"};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view s) {
    return std::find(set.begin(), set.end(), s) != set.end();
}

result<api::reservation> decode_reservation(std::string_view t) { return api::from_json<api::reservation>(t); }
result<std::vector<api::reservation>> decode_reservations(std::string_view t) {
    return api::from_json<std::vector<api::reservation>>(t);
}

std::string request_text(const api::reservation_request& r) {
    if (r.best) {
        std::string s = "best available " + std::to_string(r.best->quantity) + " x " + r.best->ticket_type;
        if (r.best->price_band) s += ", band " + *r.best->price_band;
        if (r.best->area) s += ", area " + *r.best->area;
        return s;
    }
    std::string s = "seats";
    for (auto& t : r.tickets) s += " " + t.seat + "/" + t.ticket_type;
    return s;
}

std::string seat_names(const api::reservation& r) {
    if (r.seats.empty()) return "-";
    std::string s;
    for (auto& x : r.seats) s += (s.empty() ? "" : ",") + (x.name.empty() ? x.seat : x.name);
    return s.size() > 24 ? s.substr(0, 21) + "..." : s;
}

void print_reservation(context& ctx, const api::reservation& r) {
    auto& o = ctx.out();
    auto now = ctx.now();
    // Fields quote channels and upstream; printable() keeps each on its line.
    o << "reservation " << printable(r.id) << " (channel " << printable(r.channel) << "): " << printable(r.state)
      << ", version " << r.version << "\n";
    o << "  client    " << printable(r.client) << "\n";
    o << "  instance  " << printable(r.instance);
    if (!r.event_name.empty()) o << " (" << printable(r.event_name + ", " + r.instance_start) << ")";
    o << "\n";
    o << "  request   " << printable(request_text(r.request)) << "\n";
    o << "  total     " << printable(r.total.value_or("-")) << "\n";
    o << "  expires   " << printable(when_text(r.expires_at, now)) << "\n";
    o << "  order     " << printable(r.order_id.value_or("-")) << "\n";
    if (r.error) o << "  error     " << printable(r.error->code + ": " + r.error->message) << "\n";
    o << "  created   " << printable(when_text(r.created_at, now)) << "\n";
    o << "  updated   " << printable(when_text(r.updated_at, now)) << "\n";
    if (!r.seats.empty()) {
        // Names by default (an id where the mirror has no name); --ids adds the id columns.
        if (ctx.args().flag("ids")) {
            table t({"SEAT", "NAME", "AREA", "AREA NAME", "PRICE BAND", "BAND NAME", "TICKET TYPE", "TYPE NAME", "PRICE",
                     "BARCODE"});
            for (auto& s : r.seats)
                t.add({s.seat, or_dash(s.name), or_dash(s.area), or_dash(s.area_name), s.price_band, or_dash(s.price_band_name),
                       s.ticket_type, or_dash(s.ticket_type_name), s.price, s.barcode.value_or("-")});
            o << "\nseats:\n" << t.render();
        } else {
            table t({"SEAT", "AREA", "PRICE BAND", "TICKET TYPE", "PRICE", "BARCODE"});
            for (auto& s : r.seats)
                t.add({or_dash(s.name.empty() ? s.seat : s.name), or_dash(s.area_name.empty() ? s.area : s.area_name),
                       s.price_band_name.empty() ? s.price_band : s.price_band_name,
                       s.ticket_type_name.empty() ? s.ticket_type : s.ticket_type_name, s.price, s.barcode.value_or("-")});
            o << "\nseats:\n" << t.render();
        }
    }
}

void print_list(context& ctx, const std::vector<api::reservation>& list) {
    // The event's name and start next to the instance id (--ids keeps the id column too).
    const bool ids = ctx.args().flag("ids");
    std::vector<std::string> head = {"ID", "STATE", "CHANNEL", "CLIENT", "INSTANCE", "EVENT", "START", "SEATS", "TOTAL", "EXPIRES", "UPDATED"};
    if (!ids) head.erase(head.begin() + 4);
    table t(head);
    for (auto& r : list) {
        std::vector<std::string> row = {r.id, r.state, r.channel, r.client, r.instance, or_dash(r.event_name),
                                        or_dash(r.instance_start), seat_names(r), r.total.value_or("-"),
                                        r.expires_at ? short_time(*r.expires_at) : "-", when_text(r.updated_at, ctx.now())};
        if (!ids) {
            if (r.event_name.empty()) row[5] = r.instance;  // no name known: the id is the best label
            row.erase(row.begin() + 4);
        }
        t.add(row);
    }
    if (t.empty()) ctx.out() << "no reservations match\n";
    else ctx.out() << t.render();
}

int print_one(context& ctx, const api::reservation& r) {
    if (ctx.json()) ctx.out() << api::to_json(r) << "\n";
    else ctx.out() << printable(r.id) << " " << printable(r.state) << " (version " << r.version << ")\n";
    return exit_ok;
}

}  // namespace

int cmd_reservations(context& ctx, const positionals&) {
    auto state = ctx.args().get("state");
    if (state && !in(k_states, *state)) return ctx.report(exit_usage, "--state: unknown state '" + *state + "' (see agentctl reservations --help)");
    auto q = query_string({{"state", state}, {"channel", ctx.args().get("channel")}, {"client", ctx.args().get("client")}});
    auto list = ctx.get("/v1/reservations" + q, decode_reservations);
    if (!list) return ctx.code();
    if (ctx.json()) ctx.out() << api::to_json(*list) << "\n";
    else print_list(ctx, *list);
    return exit_ok;
}

int cmd_reservation(context& ctx, const positionals& a) {
    auto r = ctx.get("/v1/reservations/" + seg(a[0]), decode_reservation);
    if (!r) return ctx.code();
    auto h = ctx.get("/v1/reservations/" + seg(a[0]) + "/history", api::from_json<std::vector<api::history_entry>>);
    if (!h) return ctx.code();
    if (ctx.json()) {
        ctx.out() << api::to_json(api::reservation_with_history{std::move(*h), std::move(*r)}) << "\n";
        return exit_ok;
    }
    print_reservation(ctx, *r);
    table t({"VERSION", "STATE", "AT", "NOTE"});
    for (auto& e : *h) t.add({std::to_string(e.version), e.state, short_time(e.at), or_dash(e.note)});
    ctx.out() << "\nhistory:\n" << (t.empty() ? "  none\n" : t.render());
    return exit_ok;
}

int cmd_release(context& ctx, const positionals& a) {
    auto r = ctx.call("DELETE", "/v1/reservations/" + seg(a[0]));
    if (!r) return ctx.code();
    auto res = ctx.decoded(*r, decode_reservation);
    if (!res) return ctx.code();
    return print_one(ctx, *res);
}

int cmd_reconcile(context& ctx, const positionals&) {
    auto rep = ctx.get("/v1/admin/reconcile", api::from_json<api::reconcile_report>);
    if (!rep) return ctx.code();
    if (ctx.json()) {
        ctx.out() << api::to_json(*rep) << "\n";
        return exit_ok;
    }
    auto& o = ctx.out();
    if (rep->confirm_unknown.empty() && rep->orphan_baskets.empty() && rep->order_mismatch.empty() &&
        rep->sold_unread.empty() && rep->ledger_missing.empty() && rep->ledger_orphaned.empty()) {
        o << "nothing to reconcile: no confirm_unknown reservations, no order mismatches, no orphan baskets\n";
        return exit_ok;
    }
    o << "confirm_unknown reservations: " << rep->confirm_unknown.size() << "\n";
    if (!rep->confirm_unknown.empty()) {
        table t({"ID", "CHANNEL", "REFERENCE", "WHY IT COULD NOT BE PROVEN"});
        for (auto& r : rep->confirm_unknown)
            t.add({r.id, r.channel, or_dash(r.reference.value_or("")), r.error ? r.error->message : "-"});
        o << t.render();
        o << "  what to do: agentd could not prove whether Spektrix made the order and will never place\n"
             "  it again. Look the reference up in Spektrix, then settle it:\n"
             "    agentctl resolve ID --sold ORDER_ID    an order exists (recorded in the ledger)\n"
             "    agentctl resolve ID --not-sold         no order (the basket is cleared)\n";
    }
    if (!rep->order_mismatch.empty()) {
        o << "\norders that differ from their hold: " << rep->order_mismatch.size() << "\n";
        table t({"ID", "ORDER", "DIFFERENCE"});
        for (auto& r : rep->order_mismatch)
            t.add({r.id, r.order_id.value_or("-"), r.order_mismatch.value_or("-")});
        o << t.render();
        o << "  what to do: the venue invoices the order as made; check it against the channel's sale.\n";
    }
    if (!rep->sold_unread.empty()) {
        o << "\nsold, order id not returned: " << rep->sold_unread.size() << "\n";
        print_list(ctx, rep->sold_unread);
        o << "  what to do: Spektrix answered \"already confirmed\"; find the order by its reference for barcodes.\n";
    }
    if (!rep->ledger_missing.empty() || !rep->ledger_orphaned.empty()) {
        o << "\nledger gaps: " << rep->ledger_missing.size() + rep->ledger_orphaned.size() << "\n";
        for (const auto& id : rep->ledger_missing) o << "  " << printable(id) << "  confirmed, no ledger entry\n";
        for (const auto& id : rep->ledger_orphaned) o << "  " << printable(id) << "  ledger entry, reservation not confirmed\n";
        o << "  what to do: the books and the reservations disagree (a database restored from an older backup,\n"
             "  or edited by hand); compare `agentctl reservation ID` with the venue's statement before invoicing.\n";
    }
    o << "\norphan baskets: " << rep->orphan_baskets.size() << "\n";
    if (!rep->orphan_baskets.empty()) {
        table t({"CLIENT", "BASKET", "CREATED"});
        for (auto& b : rep->orphan_baskets) t.add({b.client, b.basket, when_text(b.created_at, ctx.now())});
        o << t.render();
        o << "  what to do: an upstream basket no reservation owns (e.g. a crash before it was recorded).\n"
             "  Its seats are held until Spektrix expires it; clear it in Spektrix if they are needed sooner.\n";
    }
    return exit_ok;
}

int cmd_resolve(context& ctx, const positionals& a) {
    api::resolve_request req;
    auto sold = ctx.args().get("sold");
    const bool not_sold = ctx.args().flag("not-sold");
    if (sold.has_value() == not_sold)
        return ctx.report(exit_usage, "resolve: give exactly one of --sold ORDER_ID or --not-sold");
    req.sold = sold.has_value();
    if (sold) req.order_id = *sold;
    if (auto n = ctx.args().get("note")) req.note = *n;
    auto r = ctx.call("POST", "/v1/reservations/" + seg(a[0]) + "/resolve", api::to_json(req));
    if (!r) return ctx.code();
    auto res = ctx.decoded(*r, decode_reservation);
    if (!res) return ctx.code();
    return print_one(ctx, *res);
}

int cmd_hold(context& ctx, const positionals& a) {
    api::reservation_request req;
    req.client = a[0];
    req.instance = a[1];
    auto tt = ctx.args().get("ticket-type");
    if (!tt) return ctx.report(exit_usage, "hold: --ticket-type is required");
    auto best = ctx.args().get("best");
    auto seats = ctx.args().get("seat");
    if (!!best == !!seats) return ctx.report(exit_usage, "hold: give either --best N or --seat S[,S...]");
    if (best) {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(best->data(), best->data() + best->size(), n);
        if (ec != std::errc() || p != best->data() + best->size() || n < 1 || n > 50)
            return ctx.report(exit_usage, "hold: --best expects a quantity 1..50");
        req.best = api::best_available{n, *tt, ctx.args().get("band"), ctx.args().get("area")};
    } else {
        if (ctx.args().get("band") || ctx.args().get("area")) return ctx.report(exit_usage, "hold: --band/--area go with --best");
        std::string_view rest = *seats;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            auto s = rest.substr(0, comma);
            if (s.empty()) return ctx.report(exit_usage, "hold: empty seat id in --seat");
            req.tickets.push_back({std::string(s), *tt});
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    auto key = ctx.args().get("key").value_or(
        "agentctl-" + std::to_string(::getpid()) + "-" +
        std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(ctx.now().time_since_epoch()).count()));
    auto r = ctx.call("POST", "/v1/reservations", api::to_json(req), {{"Idempotency-Key", key}});
    if (!r) return ctx.code();
    auto res = ctx.decoded(*r, decode_reservation);
    if (!res) return ctx.code();
    return print_one(ctx, *res);
}

int cmd_confirm(context& ctx, const positionals& a) {
    api::confirm_request req;
    auto need = [&](const char* name, std::string& into) {
        auto v = ctx.args().get(name);
        if (!v || v->empty()) return false;
        into = *v;
        return true;
    };
    if (!need("first-name", req.cust.first_name) || !need("last-name", req.cust.last_name) ||
        !need("address", req.cust.address_line1) || !need("reference", req.reference))
        return ctx.report(exit_usage, "confirm: --first-name, --last-name, --address and --reference are required");
    auto r = ctx.call("POST", "/v1/reservations/" + seg(a[0]) + "/confirm", api::to_json(req));
    if (!r) return ctx.code();
    auto res = ctx.decoded(*r, decode_reservation);
    if (!res) return ctx.code();
    return print_one(ctx, *res);
}

int cmd_wait(context& ctx, const positionals& a) {
    auto target = ctx.args().get("state");
    if (target && !in(k_states, *target)) return ctx.report(exit_usage, "--state: unknown state '" + *target + "'");
    auto total = ctx.args().get("timeout") ? ctx.timeout() : std::chrono::milliseconds(60'000);
    auto deadline = std::chrono::steady_clock::now() + total;
    auto path = "/v1/reservations/" + seg(a[0]);
    auto r = ctx.get(path, decode_reservation);
    for (;;) {
        if (!r) return ctx.code();
        const auto& s = r->state;
        bool done = target ? s == *target : (s == "held" || in(k_final, s));
        if (done || in(k_final, s)) {
            print_one(ctx, *r);
            bool good = target ? s == *target : (s == "held" || s == "confirmed" || s == "released");
            if (!good) {
                std::string why = r->error ? ": " + r->error->code + ": " + r->error->message : "";
                return ctx.report(exit_conflict, "reservation " + r->id + " ended " + s + why);
            }
            return exit_ok;
        }
        auto left = std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return ctx.report(exit_failure, "wait: reservation " + r->id + " still " + s + " after " +
                                                span_text(std::chrono::duration<double>(total).count()));
        auto w = std::min<std::int64_t>(left.count(), 25);
        ctx.set_timeout(std::chrono::seconds(w + 5));
        r = ctx.get(path + "?wait=" + std::to_string(w) + "&version=" + std::to_string(r->version), decode_reservation);
    }
}

}  // namespace agentd::cli
