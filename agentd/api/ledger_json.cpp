// Codecs of the ledger documents (GET /v1/ledger, GET /v1/ledger/entries); field names follow
// docs/local-api.md. The decoders are agentctl's, lenient like json_read_answers.cpp.
#include "agentd/api/json.hpp"
#include "agentd/api/json_detail.hpp"

namespace agentd::api {

using namespace detail;

namespace {

void opt_kv(writer& w, std::string_view k, const std::optional<std::string>& v) {
    if (v) kv(w, k, *v);
}

void write(writer& w, const ledger_row& r) {
    w.StartObject();
    kv(w, "key", r.key);
    kv(w, "label", r.label);
    kv(w, "currency", r.currency);
    kv(w, "orders", r.orders);
    kv(w, "tickets", r.tickets);
    kv(w, "faceValue", r.face);
    kv(w, "commission", r.commission);
    kv(w, "netOwed", r.net);
    w.EndObject();
}

std::string text(const value& o, const std::string& p, std::string_view n) { return opt_string(o, p, n).value_or(""); }
std::int64_t integer(const value& o, const std::string& p, std::string_view n) { return opt_int(o, p, n).value_or(0); }

ledger_row read_row(const value& o, const std::string& p) {
    return {text(o, p, "key"),       text(o, p, "label"),     text(o, p, "currency"), integer(o, p, "orders"),
            integer(o, p, "tickets"), text(o, p, "faceValue"), text(o, p, "commission"), text(o, p, "netOwed")};
}

}  // namespace

std::string to_json(const ledger_report& r) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "by", r.query.by);
        opt_kv(w, "client", r.query.client);
        opt_kv(w, "channel", r.query.channel);
        opt_kv(w, "from", r.query.from);
        opt_kv(w, "to", r.query.to);
        kv(w, "entries", r.entries);
        key(w, "groups");
        w.StartArray();
        for (auto& g : r.groups) write(w, g);
        w.EndArray();
        key(w, "totals");
        w.StartArray();
        for (auto& t : r.totals) write(w, t);
        w.EndArray();
        w.EndObject();
    });
}

std::string to_json(const ledger_entries& l) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", l.client);
        kv(w, "currency", l.currency);
        kv(w, "timezone", l.timezone);
        key(w, "statementColumns");
        w.StartObject();
        kv(w, "orderId", l.columns.order_id);
        kv(w, "tickets", l.columns.tickets);
        kv(w, "total", l.columns.total);
        kv(w, "commission", l.columns.commission);
        kv(w, "net", l.columns.net);
        w.EndObject();
        key(w, "entries");
        w.StartArray();
        for (auto& e : l.entries) {
            w.StartObject();
            kv(w, "entry", e.entry);
            kv(w, "kind", e.kind);
            key(w, "corrects");
            if (e.corrects) w.Int64(*e.corrects);
            else w.Null();
            kv(w, "orderId", e.order_id);
            kv(w, "reservation", e.reservation);
            kv(w, "channel", e.channel);
            kv(w, "account", e.account);
            kv(w, "event", e.event);
            kv(w, "eventName", e.event_name);
            kv(w, "instance", e.instance);
            kv(w, "instanceStart", e.instance_start);
            kv(w, "confirmedAt", e.confirmed_at);
            kv(w, "confirmedLocal", e.confirmed_local);
            kv(w, "settledBy", e.settled_by);
            kv(w, "amountsFrom", e.amounts_from);
            kv(w, "reference", e.reference);
            kv(w, "note", e.note);
            kv(w, "pool", e.pool);
            kv(w, "tickets", e.tickets);
            kv(w, "faceValue", e.face);
            kv(w, "commission", e.commission);
            kv(w, "netOwed", e.net);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

template <>
result<ledger_report> from_json(std::string_view t) {
    return decode<ledger_report>(t, [](const value& o) {
        ledger_report r;
        r.query.by = text(o, "", "by");
        r.query.client = opt_string(o, "", "client");
        r.query.channel = opt_string(o, "", "channel");
        r.query.from = opt_string(o, "", "from");
        r.query.to = opt_string(o, "", "to");
        r.entries = integer(o, "", "entries");
        each(o, "", "groups", [&](const value& v, const std::string& p) { r.groups.push_back(read_row(object(v, p), p)); });
        each(o, "", "totals", [&](const value& v, const std::string& p) { r.totals.push_back(read_row(object(v, p), p)); });
        return r;
    });
}

template <>
result<ledger_entries> from_json(std::string_view t) {
    return decode<ledger_entries>(t, [](const value& o) {
        ledger_entries l;
        l.client = text(o, "", "client");
        l.currency = text(o, "", "currency");
        l.timezone = text(o, "", "timezone");
        if (const value* c = member(o, "statementColumns")) {
            const auto& co = object(*c, "statementColumns");
            const std::string p = "statementColumns";
            l.columns = {text(co, p, "orderId"), text(co, p, "tickets"), text(co, p, "total"), text(co, p, "commission"),
                         text(co, p, "net")};
        }
        each(o, "", "entries", [&](const value& v, const std::string& p) {
            const auto& x = object(v, p);
            ledger_entry e;
            e.entry = integer(x, p, "entry");
            e.corrects = opt_int(x, p, "corrects");
            e.kind = text(x, p, "kind");
            e.order_id = text(x, p, "orderId");
            e.reservation = text(x, p, "reservation");
            e.channel = text(x, p, "channel");
            e.account = text(x, p, "account");
            e.event = text(x, p, "event");
            e.event_name = text(x, p, "eventName");
            e.instance = text(x, p, "instance");
            e.instance_start = text(x, p, "instanceStart");
            e.confirmed_at = text(x, p, "confirmedAt");
            e.confirmed_local = text(x, p, "confirmedLocal");
            e.settled_by = text(x, p, "settledBy");
            e.amounts_from = text(x, p, "amountsFrom");
            e.reference = text(x, p, "reference");
            e.note = text(x, p, "note");
            e.pool = opt_string(x, p, "pool");
            e.tickets = integer(x, p, "tickets");
            e.face = text(x, p, "faceValue");
            e.commission = text(x, p, "commission");
            e.net = text(x, p, "netOwed");
            l.entries.push_back(std::move(e));
        });
        return l;
    });
}

}  // namespace agentd::api
