// Encoders of api/json.hpp. Field names follow docs/local-api.md (camelCase on the wire).
#include "agentd/api/json.hpp"

#include "agentd/api/json_detail.hpp"

#include <cmath>

namespace agentd::api {

namespace detail {

void str(writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
void key(writer& w, std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
void kv(writer& w, std::string_view k, std::string_view v) { key(w, k); str(w, v); }
void kv(writer& w, std::string_view k, const std::string& v) { key(w, k); str(w, v); }
void kv(writer& w, std::string_view k, std::int64_t v) { key(w, k); w.Int64(v); }
void kv(writer& w, std::string_view k, bool v) { key(w, k); w.Bool(v); }
void kv(writer& w, std::string_view k, double v) {
    key(w, k);
    if (std::isfinite(v)) w.Double(v); else w.Null();
}
void kv(writer& w, std::string_view k, const std::optional<std::string>& v) {
    key(w, k);
    if (v) str(w, *v); else w.Null();
}

void write(writer& w, const client_state& c) {
    w.StartObject();
    kv(w, "name", c.name);
    kv(w, "state", c.state);
    kv(w, "lastSuccess", c.last_success);
    kv(w, "lastError", c.last_error);
    kv(w, "lagSeconds", c.lag_seconds);
    kv(w, "budgetLeft", c.budget_left);
    if (c.window) {
        const auto& win = *c.window;
        key(w, "window");
        w.StartObject();
        kv(w, "inside", win.inside);
        kv(w, "name", win.name);
        kv(w, "endsAt", win.ends_at);
        kv(w, "readsBlocked", win.reads_blocked);
        kv(w, "refuseCreates", win.refuse_creates);
        key(w, "next");
        if (win.next_start) {
            w.StartObject();
            kv(w, "name", win.next_name);
            kv(w, "start", win.next_start);
            kv(w, "end", win.next_end);
            w.EndObject();
        } else {
            w.Null();
        }
        w.EndObject();
    }
    w.EndObject();
}

void write(writer& w, const event& e) {
    w.StartObject();
    kv(w, "id", e.id);
    kv(w, "client", e.client);
    kv(w, "name", e.name);
    kv(w, "description", e.description);
    kv(w, "firstInstance", e.first_instance);
    kv(w, "lastInstance", e.last_instance);
    kv(w, "onSale", e.on_sale);
    w.EndObject();
}

void members(writer& w, const instance_summary& i) {
    kv(w, "id", i.id);
    kv(w, "client", i.client);
    kv(w, "event", i.event);
    kv(w, "eventName", i.event_name);
    kv(w, "start", i.start);
    kv(w, "startUtc", i.start_utc);
    kv(w, "onSale", i.on_sale);
    kv(w, "cancelled", i.cancelled);
    kv(w, "available", i.available);
}

void write(writer& w, const instance_summary& i) {
    w.StartObject();
    members(w, i);
    w.EndObject();
}

void write(writer& w, const reservation_request& r) {
    w.StartObject();
    kv(w, "client", r.client);
    kv(w, "instance", r.instance);
    if (r.best) {
        key(w, "bestAvailable");
        w.StartObject();
        kv(w, "quantity", r.best->quantity);
        kv(w, "ticketType", r.best->ticket_type);
        if (r.best->price_band) kv(w, "priceBand", *r.best->price_band);
        if (r.best->area) kv(w, "area", *r.best->area);
        w.EndObject();
    } else {
        key(w, "tickets");
        w.StartArray();
        for (auto& t : r.tickets) {
            w.StartObject();
            kv(w, "seat", t.seat);
            kv(w, "ticketType", t.ticket_type);
            w.EndObject();
        }
        w.EndArray();
    }
    w.EndObject();
}

void write(writer& w, const reservation& r) {
    w.StartObject();
    kv(w, "id", r.id);
    kv(w, "channel", r.channel);
    kv(w, "state", r.state);
    kv(w, "version", r.version);
    kv(w, "client", r.client);
    kv(w, "instance", r.instance);
    if (!r.event_name.empty()) kv(w, "eventName", r.event_name);
    if (!r.instance_start.empty()) kv(w, "instanceStart", r.instance_start);
    if (!r.pool.empty()) kv(w, "pool", r.pool);
    key(w, "request");
    write(w, r.request);
    key(w, "seats");
    w.StartArray();
    for (auto& s : r.seats) {
        w.StartObject();
        kv(w, "seat", s.seat);
        kv(w, "name", s.name);
        kv(w, "area", s.area);
        kv(w, "priceBand", s.price_band);
        kv(w, "ticketType", s.ticket_type);
        kv(w, "price", s.price);
        kv(w, "barcode", s.barcode);
        if (!s.area_name.empty()) kv(w, "areaName", s.area_name);
        if (!s.price_band_name.empty()) kv(w, "priceBandName", s.price_band_name);
        if (!s.ticket_type_name.empty()) kv(w, "ticketTypeName", s.ticket_type_name);
        w.EndObject();
    }
    w.EndArray();
    kv(w, "total", r.total);
    kv(w, "expiresAt", r.expires_at);
    kv(w, "orderId", r.order_id);
    if (r.reference) kv(w, "reference", *r.reference);
    if (r.settled_by) kv(w, "settledBy", *r.settled_by);
    if (r.order_mismatch) kv(w, "orderMismatch", *r.order_mismatch);
    key(w, "error");
    if (r.error) {
        w.StartObject();
        kv(w, "code", r.error->code);
        kv(w, "message", r.error->message);
        w.EndObject();
    } else {
        w.Null();
    }
    kv(w, "createdAt", r.created_at);
    kv(w, "updatedAt", r.updated_at);
    w.EndObject();
}

template <class T>
std::string list(std::string_view name, const std::vector<T>& v) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, name);
        w.StartArray();
        for (auto& x : v) write(w, x);
        w.EndArray();
        w.EndObject();
    });
}

void write(writer& w, const history_entry& h) {
    w.StartObject();
    kv(w, "version", h.version);
    kv(w, "state", h.state);
    kv(w, "at", h.at);
    kv(w, "note", h.note);
    w.EndObject();
}

void write(writer& w, const instance& i, bool age_placeholder) {
    w.StartObject();
    kv(w, "id", i.id);
    kv(w, "client", i.client);
    kv(w, "event", i.event);
    kv(w, "eventName", i.event_name);
    kv(w, "start", i.start);
    kv(w, "startUtc", i.start_utc);
    kv(w, "plan", i.plan);
    kv(w, "onSale", i.on_sale);
    kv(w, "cancelled", i.cancelled);
    key(w, "prices");
    w.StartArray();
    for (auto& p : i.prices) {
        w.StartObject();
        kv(w, "priceBand", p.price_band);
        kv(w, "ticketType", p.ticket_type);
        kv(w, "ticketTypeName", p.ticket_type_name);
        if (!p.price_band_name.empty()) kv(w, "priceBandName", p.price_band_name);
        kv(w, "price", p.price);
        w.EndObject();
    }
    w.EndArray();
    key(w, "availability");
    w.StartObject();
    kv(w, "available", i.avail.available);
    kv(w, "capacity", i.avail.capacity);
    kv(w, "locked", i.avail.locked);
    key(w, "areas");
    w.StartArray();
    for (auto& a : i.avail.areas) {
        w.StartObject();
        kv(w, "area", a.area);
        kv(w, "name", a.name);
        kv(w, "available", a.available);
        kv(w, "capacity", a.capacity);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    if (age_placeholder) {
        key(w, "availabilityAge");
        w.RawValue(k_age_placeholder.data(), k_age_placeholder.size(), rapidjson::kNumberType);
    } else {
        kv(w, "availabilityAge", i.availability_age);
    }
    kv(w, "availabilityConfirmedAt", i.availability_confirmed_at);
    w.EndObject();
}

}  // namespace detail

using namespace detail;

std::string json_quote(std::string_view text) {
    return build([&](writer& w) { str(w, text); });
}

std::string to_json(const error_body& e) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "error");
        w.StartObject();
        kv(w, "code", e.code);
        kv(w, "message", e.message);
        kv(w, "retryable", e.retryable);
        if (e.retry_at) kv(w, "retryAt", *e.retry_at);
        w.EndObject();
        w.EndObject();
    });
}

std::string to_json(const health& h) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "status", h.status);
        kv(w, "version", h.version);
        kv(w, "uptimeSeconds", h.uptime_seconds);
        kv(w, "ready", h.ready);
        key(w, "sync");
        w.StartObject();
        kv(w, "initialComplete", h.sync.initial_complete);
        kv(w, "clientsDone", h.sync.clients_done);
        kv(w, "clientsTotal", h.sync.clients_total);
        kv(w, "instancesDone", h.sync.instances_done);
        kv(w, "instancesTotal", h.sync.instances_total);
        w.EndObject();
        key(w, "clients");
        w.StartArray();
        for (auto& c : h.clients) write(w, c);
        w.EndArray();
        if (h.include_queue) {
            key(w, "queue");
            w.StartObject();
            kv(w, "depth", h.queue.depth);
            key(w, "byState");
            w.StartObject();
            for (auto& [k, v] : h.queue.by_state) kv(w, k, v);
            w.EndObject();
            w.EndObject();
        }
        if (h.node) {
            kv(w, "node", *h.node);
            key(w, "leases");
            w.StartArray();
            for (const auto& l : h.leases) {
                w.StartObject();
                kv(w, "client", l.client);
                kv(w, "node", l.node);
                kv(w, "epoch", l.epoch);
                kv(w, "expiresAt", l.expires_at);
                kv(w, "live", l.live);
                w.EndObject();
            }
            w.EndArray();
        }
        w.EndObject();
    });
}

std::string to_json(const std::vector<client_state>& v) { return list("clients", v); }
std::string to_json(const std::vector<event>& v) { return list("events", v); }
std::string to_json(const std::vector<instance_summary>& v) { return list("instances", v); }
std::string to_json(const std::vector<reservation>& v) { return list("reservations", v); }

std::string to_json(const instance& i) {
    return build([&](writer& w) { write(w, i, false); });
}

std::string to_json(const seat_plan& p) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "instance", p.instance);
        kv(w, "plan", p.plan);
        kv(w, "confirmedAt", p.confirmed_at);
        key(w, "seats");
        w.StartArray();
        for (auto& s : p.seats) {
            w.StartObject();
            kv(w, "id", s.id);
            kv(w, "name", s.name);
            kv(w, "area", s.area);
            kv(w, "row", s.row);
            kv(w, "priceBand", s.price_band);
            kv(w, "status", s.status);
            if (s.x) kv(w, "x", *s.x);
            if (s.y) kv(w, "y", *s.y);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    });
}

std::string to_json(const reservation_request& r) {
    return build([&](writer& w) { write(w, r); });
}

std::string to_json(const reservation& r) {
    return build([&](writer& w) { write(w, r); });
}

std::string to_json(const std::vector<history_entry>& v) { return list("history", v); }

std::string to_json(const confirm_request& c) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "customer");
        w.StartObject();
        kv(w, "firstName", c.cust.first_name);
        kv(w, "lastName", c.cust.last_name);
        kv(w, "addressLine1", c.cust.address_line1);
        w.EndObject();
        kv(w, "reference", c.reference);
        w.EndObject();
    });
}

std::string to_json(const extend_request& e) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "seconds", e.seconds);
        w.EndObject();
    });
}

std::string to_json(const admin_sync_request& r) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "client", r.client);
        if (r.instance) kv(w, "instance", *r.instance);
        w.EndObject();
    });
}

std::string to_json(const admin_sync_answer& a) {
    return build([&](writer& w) {
        w.StartObject();
        kv(w, "accepted", a.accepted);
        kv(w, "message", a.message);
        w.EndObject();
    });
}

std::string to_json(const reconcile_report& r) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "confirmUnknown");
        w.StartArray();
        for (auto& x : r.confirm_unknown) write(w, x);
        w.EndArray();
        key(w, "orphanBaskets");
        w.StartArray();
        for (auto& b : r.orphan_baskets) {
            w.StartObject();
            kv(w, "client", b.client);
            kv(w, "basket", b.basket);
            kv(w, "createdAt", b.created_at);
            w.EndObject();
        }
        w.EndArray();
        key(w, "orderMismatch");
        w.StartArray();
        for (auto& x : r.order_mismatch) write(w, x);
        w.EndArray();
        key(w, "soldUnread");
        w.StartArray();
        for (auto& x : r.sold_unread) write(w, x);
        w.EndArray();
        for (auto [name, ids] : {std::pair{"ledgerMissing", &r.ledger_missing}, std::pair{"ledgerOrphaned", &r.ledger_orphaned}}) {
            key(w, name);
            w.StartArray();
            for (auto& id : *ids) str(w, id);
            w.EndArray();
        }
        w.EndObject();
    });
}

std::string to_json(const resolve_request& r) {
    return build([&](writer& w) {
        w.StartObject();
        key(w, "sold");
        w.Bool(r.sold);
        if (!r.order_id.empty()) kv(w, "orderId", r.order_id);
        if (!r.note.empty()) kv(w, "note", r.note);
        w.EndObject();
    });
}

}  // namespace agentd::api
