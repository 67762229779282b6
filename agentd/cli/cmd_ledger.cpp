// agentctl ledger (the report) and agentctl ledger diff (a venue's statement against the ledger).
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/csv.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/cli/ledger_diff.hpp"
#include "agentd/cli/output.hpp"

#include <fstream>
#include <iterator>
#include <ostream>

namespace agentd::cli {
namespace {

std::string heading_of(std::string_view by) {
    if (by == "day") return "DAY";
    if (by == "week") return "WEEK";
    if (by == "month") return "MONTH";
    if (by == "channel") return "CHANNEL";
    if (by == "event") return "EVENT";
    if (by == "pool") return "POOL";
    return "CLIENT";
}

std::vector<std::string> cells(const api::ledger_row& r, bool label) {
    return {label ? r.label : r.key, std::to_string(r.orders), std::to_string(r.tickets), r.face, r.commission, r.net, r.currency};
}

std::string money_cell(const money& m, const std::string& currency) { return format_money(m) + " " + currency; }

}  // namespace

int cmd_ledger(context& ctx, const positionals&) {
    const auto& a = ctx.args();
    const std::string by = a.get("by").value_or("client");
    auto rep = ctx.get("/v1/ledger" + query_string({{"client", a.get("client")}, {"channel", a.get("channel")},
                                                    {"from", a.get("from")}, {"to", a.get("to")}, {"by", by}}),
                       api::from_json<api::ledger_report>);
    if (!rep) return ctx.code();
    auto& o = ctx.out();
    if (ctx.json()) {
        o << api::json_escape_c1(api::to_json(*rep)) << "\n";
        return exit_ok;
    }
    if (a.flag("csv")) {
        // For accounting tools: one row per group, then a TOTAL row per currency; amounts are
        // decimal text with the currency in its own column.
        o << csv_line({by, "label", "orders", "tickets", "face_value", "commission", "net_owed", "currency"});
        for (const auto& g : rep->groups)
            o << csv_line({g.key, g.label, std::to_string(g.orders), std::to_string(g.tickets), g.face, g.commission, g.net, g.currency});
        for (const auto& t : rep->totals)
            o << csv_line({"TOTAL", t.currency, std::to_string(t.orders), std::to_string(t.tickets), t.face, t.commission, t.net, t.currency});
        return exit_ok;
    }
    o << "ledger by " << by << ": " << rep->entries << " entries\n";
    table t({heading_of(by), "ORDERS", "TICKETS", "FACE VALUE", "COMMISSION", "NET OWED", "CURRENCY"});
    for (const auto& g : rep->groups) t.add(cells(g, by == "event" || by == "pool"));
    for (const auto& g : rep->totals) {
        auto row = cells(g, false);
        row[0] = "TOTAL";
        t.add(std::move(row));
    }
    o << t.render();
    return exit_ok;
}

// The --client's ledger entries within --from/--to (GET /v1/ledger/entries).
static std::optional<api::ledger_entries> entries_of(context& ctx, const std::string& client) {
    const auto& a = ctx.args();
    return ctx.get("/v1/ledger/entries" + query_string({{"client", client}, {"from", a.get("from")}, {"to", a.get("to")}}),
                   api::from_json<api::ledger_entries>);
}

int cmd_ledger_entries(context& ctx, const positionals&) {
    const auto& a = ctx.args();
    auto client = a.get("client");
    if (!client) return ctx.report(exit_usage, "ledger entries: --client is required");
    auto books = entries_of(ctx, *client);
    if (!books) return ctx.code();
    auto& o = ctx.out();
    if (ctx.json()) {
        o << api::json_escape_c1(api::to_json(*books)) << "\n";
        return exit_ok;
    }
    const std::string& cur = books->currency;
    if (a.flag("csv")) {
        o << csv_line({"entry", "kind", "corrects", "order_id", "reservation", "channel", "account", "event", "instance",
                       "instance_start", "pool", "confirmed_at", "tickets", "face_value", "commission", "net_owed", "currency"});
        for (const auto& e : books->entries)
            o << csv_line({std::to_string(e.entry), e.kind, e.corrects ? std::to_string(*e.corrects) : "", e.order_id,
                           e.reservation, e.channel, e.account, e.event, e.instance, e.instance_start, e.pool.value_or(""),
                           e.confirmed_at, std::to_string(e.tickets), e.face, e.commission, e.net, cur});
        return exit_ok;
    }
    o << "ledger entries of " << books->client << " (" << cur << "): " << books->entries.size() << "\n";
    table t({"ENTRY", "KIND", "ORDER", "RESERVATION", "CHANNEL", "EVENT", "INSTANCE", "POOL", "CONFIRMED", "TICKETS",
             "FACE VALUE", "COMMISSION", "NET OWED"});
    for (const auto& e : books->entries)
        t.add({std::to_string(e.entry), e.kind, or_dash(e.order_id), e.reservation, e.channel, or_dash(e.event_name.empty() ? e.event : e.event_name),
               e.instance, or_dash(e.pool.value_or("")), e.confirmed_local.empty() ? e.confirmed_at : e.confirmed_local,
               std::to_string(e.tickets), e.face, e.commission, e.net});
    o << t.render();
    return exit_ok;
}

int cmd_ledger_diff(context& ctx, const positionals& p) {
    const auto& a = ctx.args();
    auto client = a.get("client");
    if (!client) return ctx.report(exit_usage, "ledger diff: --client is required");
    std::ifstream in(p[0], std::ios::binary);
    if (!in) return ctx.report(exit_usage, "ledger diff: cannot read " + p[0]);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto books = entries_of(ctx, *client);
    if (!books) return ctx.code();
    auto statement = read_statement(text, books->columns);
    if (!statement) return ctx.report(exit_usage, "ledger diff " + p[0] + ": " + statement.error().message);
    auto d = diff_statement(*statement, *books);
    if (!d) return ctx.report(d.error());
    const std::string& cur = books->currency;
    auto& o = ctx.out();
    o << "statement " << p[0] << " against the ledger of " << *client << " (" << cur << "): " << d->matched
      << " orders match, " << d->differences.size() << " differ, " << d->missing_in_ledger.size()
      << " only on the statement, " << d->missing_in_statement.size() << " only in the ledger\n";
    auto list = [&](const char* title, const std::vector<order_figures>& v, const char* todo) {
        if (v.empty()) return;
        o << "\n" << title << ": " << v.size() << "\n";
        table t({"ORDER", "TICKETS", "TOTAL", "COMMISSION", "NET"});
        for (const auto& f : v)
            t.add({f.order_id, std::to_string(f.tickets), money_cell(f.total, cur), money_cell(f.commission, cur), money_cell(f.net, cur)});
        o << t.render() << "  what to do: " << todo << "\n";
    };
    list("on the statement, not in the ledger", d->missing_in_ledger,
         "the venue invoices an order agentd has no sale for; look for it in `agentctl reconcile` (confirm_unknown)\n"
         "  or settle it with `agentctl resolve`, else dispute it with the venue.");
    list("in the ledger, not on the statement", d->missing_in_statement,
         "agentd sold it but the venue does not invoice it (yet): check the statement's period, then ask the venue.");
    if (!d->differences.empty()) {
        o << "\namounts that differ (statement vs ledger): " << d->differences.size() << "\n";
        table t({"ORDER", "DIFFERENCE"});
        for (const auto& x : d->differences) t.add({x.order_id, x.what});
        o << t.render() << "  what to do: the venue invoices its figures; agree them, then record the agreed change.\n";
    }
    if (!d->ledger_without_order_id.empty()) {
        o << "\nsales without an order id (cannot be matched): " << d->ledger_without_order_id.size() << "\n";
        for (const auto& r : d->ledger_without_order_id) o << "  " << r << "\n";
    }
    return d->clean() ? exit_ok : exit_differences;
}

}  // namespace agentd::cli
