#include "agentd/cli/ledger_diff.hpp"

#include "agentd/cli/csv.hpp"

#include <charconv>
#include <map>

namespace agentd::cli {
namespace {

result<money> amount(std::string_view text, std::string_view what) {
    auto m = parse_money(text, 2);
    if (!m) return fail(errc::invalid_argument, std::string(what) + ": '" + std::string(text) + "' is not an amount");
    return m;
}

result<void> add(order_figures& into, const order_figures& f) {
    auto t = checked_add(into.total, f.total), c = checked_add(into.commission, f.commission), n = checked_add(into.net, f.net);
    if (!t || !c || !n) return fail(errc::invalid_argument, "order " + into.order_id + ": amounts overflow");
    into.total = *t;
    into.commission = *c;
    into.net = *n;
    into.tickets += f.tickets;
    return {};
}

std::string describe(const order_figures& s, const order_figures& l) {
    std::string out;
    auto note = [&](std::string_view name, const std::string& a, const std::string& b) {
        if (a != b) out += (out.empty() ? "" : "; ") + std::string(name) + " " + a + " vs " + b;
    };
    note("tickets", std::to_string(s.tickets), std::to_string(l.tickets));
    note("total", format_money(s.total), format_money(l.total));
    note("commission", format_money(s.commission), format_money(l.commission));
    note("net", format_money(s.net), format_money(l.net));
    return out;
}

}  // namespace

result<std::vector<order_figures>> read_statement(std::string_view csv, const api::statement_columns& cols) {
    auto rows = parse_csv(csv);
    if (!rows) return rows.error().wrap("read statement");
    if (rows->empty()) return fail(errc::invalid_argument, "read statement: no header row");
    const auto& head = rows->front();
    auto col = [&](const std::string& name) -> result<std::size_t> {
        for (std::size_t i = 0; i < head.size(); ++i)
            if (head[i] == name) return i;
        return fail(errc::invalid_argument, "read statement: no column '" + name + "' (client.statement_*_column)");
    };
    auto id = col(cols.order_id), tickets = col(cols.tickets), total = col(cols.total), commission = col(cols.commission),
         net = col(cols.net);
    for (auto* c : {&id, &tickets, &total, &commission, &net})
        if (!*c) return c->error();
    std::vector<order_figures> out;
    std::map<std::string, std::size_t> seen;
    for (std::size_t r = 1; r < rows->size(); ++r) {
        const auto& row = (*rows)[r];
        const std::string where = "read statement: record " + std::to_string(r + 1);
        if (row.size() != head.size()) return fail(errc::invalid_argument, where + ": " + std::to_string(row.size()) +
                                                                               " fields, the header has " + std::to_string(head.size()));
        order_figures f;
        f.order_id = row[*id];
        if (f.order_id.empty()) return fail(errc::invalid_argument, where + ": empty order id");
        if (!seen.emplace(f.order_id, r).second) return fail(errc::invalid_argument, where + ": order " + f.order_id + " repeated");
        const auto& t = row[*tickets];
        auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), f.tickets);
        if (t.empty() || ec != std::errc{} || p != t.data() + t.size())
            return fail(errc::invalid_argument, where + ": tickets '" + t + "' is not a whole number");
        auto a = amount(row[*total], where + ": " + cols.total);
        auto c = amount(row[*commission], where + ": " + cols.commission);
        auto n = amount(row[*net], where + ": " + cols.net);
        for (auto* x : {&a, &c, &n})
            if (!*x) return x->error();
        f.total = *a;
        f.commission = *c;
        f.net = *n;
        out.push_back(std::move(f));
    }
    return out;
}

result<statement_diff> diff_statement(const std::vector<order_figures>& statement, const api::ledger_entries& ledger) {
    std::map<std::string, order_figures> books;
    std::map<std::int64_t, std::string> order_of_entry;
    statement_diff d;
    for (const auto& e : ledger.entries) {
        auto face = amount(e.face, "ledger entry " + std::to_string(e.entry));
        auto commission = amount(e.commission, "ledger entry " + std::to_string(e.entry));
        auto net = amount(e.net, "ledger entry " + std::to_string(e.entry));
        for (auto* x : {&face, &commission, &net})
            if (!*x) return x->error();
        std::string order = e.order_id;
        if (e.kind != "sale" && e.corrects) {
            auto it = order_of_entry.find(*e.corrects);
            if (it != order_of_entry.end()) order = it->second;
        }
        if (order.empty()) {
            if (e.kind == "sale") d.ledger_without_order_id.push_back(e.reservation);
            continue;
        }
        order_of_entry[e.entry] = order;
        auto [it, fresh] = books.try_emplace(order);
        if (fresh) it->second.order_id = order;
        if (auto r = add(it->second, {order, e.tickets, *face, *commission, *net}); !r) return r.error();
    }
    for (const auto& s : statement) {
        auto it = books.find(s.order_id);
        if (it == books.end()) {
            d.missing_in_ledger.push_back(s);
            continue;
        }
        auto what = describe(s, it->second);
        if (what.empty()) ++d.matched;
        else d.differences.push_back({s.order_id, s, it->second, std::move(what)});
        books.erase(it);
    }
    for (auto& [id, f] : books) d.missing_in_statement.push_back(std::move(f));
    return d;
}

}  // namespace agentd::cli
