#include "agentd/mirror/view.hpp"

#include "agentd/mirror/write.hpp"
#include "agentd/core/money.hpp"
#include "agentd/core/time.hpp"
#include "agentd/store/mirror_store.hpp"
#include "agentd/store/lazy_reader.hpp"

namespace agentd::mirror {

namespace {

// A bare date as an upper bound means "through the end of that day".
std::optional<std::string> upper_bound(const std::optional<std::string>& to) {
    if (to && to->size() == 10) return *to + "T23:59:59~";
    return to;
}

std::string seat_status_text(const std::optional<int>& s) {
    if (!s) return "unknown";
    auto n = seat_state_name(*s);
    if (n == "unavailable") return "locked";
    return std::string(n);
}

result<bool> client_known(store::connection& c, std::string_view client) {
    auto all = store::mirror_clients(c);
    if (!all) return all.error();
    for (const auto& r : *all)
        if (r.name == client) return true;
    return false;
}

}  // namespace

mirror_view::mirror_view(std::string db_path, const agentd::clock& clk) : db_path_(std::move(db_path)), clock_(clk) {}

mirror_view::~mirror_view() = default;

result<store::connection*> mirror_view::conn_for_thread() const {
    std::lock_guard lk(mu_);
    auto& slot = readers_[std::this_thread::get_id()];
    if (!slot) slot = std::make_unique<store::lazy_reader>(db_path_);
    return slot->conn();
}

result<std::vector<api::client_state>> mirror_view::clients() {
    auto conn = conn_for_thread();
    if (!conn) return conn.error();
    auto& c = **conn;
    auto rows = store::mirror_clients(c);
    if (!rows) return rows.error();
    std::vector<api::client_state> out;
    for (const auto& r : *rows) {
        api::client_state s;
        s.name = r.name;
        auto st = store::mirror_sync_state(c, r.name, "catalogue");
        if (!st) return st.error();
        s.state = "syncing";
        if (*st) {
            if ((*st)->last_success) s.last_success = format_iso_utc(from_ms(*(*st)->last_success));
            s.last_error = (*st)->last_error;
            s.state = (*st)->last_error ? "degraded" : ((*st)->last_success ? "ok" : "syncing");
        }
        out.push_back(std::move(s));
    }
    return out;
}

result<store::connection*> mirror_view::known_client_conn(std::string_view client, std::string_view what) const {
    auto conn = conn_for_thread();
    if (!conn) return conn.error();
    auto& c = **conn;
    auto known = client_known(c, client);
    if (!known) return known.error();
    if (!*known) return fail(errc::not_found, std::string(what) + ": unknown client " + std::string(client));
    return &c;
}

namespace {

// A listing's rows, each turned into its answer.
template <class Out, class Rows, class Convert>
result<std::vector<Out>> answers_of(result<Rows> rows, Convert convert) {
    if (!rows) return rows.error();
    std::vector<Out> out;
    out.reserve(rows->size());
    for (auto& r : *rows) out.push_back(convert(r));
    return out;
}

// An instance the mirror knows (not removed upstream), else not_found naming what was asked.
result<store::mirror_instance_row> live_instance(store::connection& c, std::string_view client, std::string_view id,
                                                 std::string_view what) {
    auto row = store::mirror_instance(c, client, id);
    if (!row) return row.error();
    if (!*row || (*row)->tombstoned)
        return fail(errc::not_found, std::string(what) + " " + std::string(id) + ": unknown to the mirror of " + std::string(client));
    return std::move(**row);
}

// When the instance's availability was last read from upstream (the poll's send time).
result<std::optional<sys_time>> availability_read_at(store::connection& c, std::string_view client, std::string_view id) {
    auto st = store::mirror_sync_state(c, client, "avail:" + std::string(id));
    if (!st) return st.error();
    if (!*st || !(*st)->last_success) return std::optional<sys_time>{};
    return std::optional<sys_time>{from_ms(*(*st)->last_success)};
}

}  // namespace

result<std::vector<api::event>> mirror_view::events(const api::event_query& q) {
    auto conn = known_client_conn(q.client, "list events");
    if (!conn) return conn.error();
    auto rows = store::mirror_events(**conn, q.client, q.from, upper_bound(q.to), q.search);
    return answers_of<api::event>(std::move(rows), [&](auto& r) {
        api::event e;
        e.id = std::move(r.id);
        e.client = q.client;
        e.name = std::move(r.name);
        e.description = std::move(r.description);
        if (!r.first_local.empty()) e.first_instance = std::move(r.first_local);
        if (!r.last_local.empty()) e.last_instance = std::move(r.last_local);
        e.on_sale = r.on_sale;
        return e;
    });
}

result<std::vector<api::instance_summary>> mirror_view::instances(const api::instance_query& q) {
    auto conn = known_client_conn(q.client, "list instances");
    if (!conn) return conn.error();
    auto rows = store::mirror_instances(**conn, q.client, q.from, upper_bound(q.to), q.event);
    return answers_of<api::instance_summary>(std::move(rows), [&](auto& r) {
        api::instance_summary s;
        s.id = std::move(r.id);
        s.client = q.client;
        s.event = std::move(r.event_id);
        s.event_name = std::move(r.event_name);
        s.start = std::move(r.start_local);
        s.start_utc = std::move(r.start_utc);
        s.on_sale = r.on_sale;
        s.cancelled = r.cancelled;
        s.available = r.available.value_or(0);
        return s;
    });
}

result<api::instance> mirror_view::instance(std::string_view client, std::string_view id) {
    auto conn = conn_for_thread();
    if (!conn) return conn.error();
    auto& c = **conn;
    auto row = live_instance(c, client, id, "get instance");
    if (!row) return row.error();
    auto& r = *row;
    api::instance out;
    out.id = r.id;
    out.client = std::string(client);
    out.event = r.event_id;
    out.event_name = r.event_name;
    out.start = r.start_local;
    out.start_utc = r.start_utc;
    out.plan = r.plan_id;
    out.on_sale = r.on_sale;
    out.cancelled = r.cancelled;
    auto prices = store::mirror_prices(c, client, r.price_list_id);
    if (!prices) return prices.error();
    for (const auto& p : *prices)
        out.prices.push_back({p.band_id, p.ticket_type_id, p.ticket_type_name, format_money(money{p.amount_minor}), p.band_name});
    auto statuses = store::mirror_statuses(c, client, id);
    if (!statuses) return statuses.error();
    for (const auto& s : *statuses) {
        if (s.area_id.empty()) {
            out.avail.available = s.available;
            out.avail.capacity = s.capacity;
            out.avail.locked = s.locked;
        } else {
            out.avail.areas.push_back({s.area_id, s.name, s.available, s.capacity});
        }
    }
    auto read_at = availability_read_at(c, client, id);
    if (!read_at) return read_at.error();
    out.availability_age = -1;
    if (*read_at) {
        out.availability_confirmed_at = format_iso_utc_ms(**read_at);
        out.availability_age = std::max(0.0, std::chrono::duration<double>(clock_.now() - **read_at).count());
    }
    return out;
}

result<api::seat_plan> mirror_view::seats(std::string_view client, std::string_view id) {
    auto conn = conn_for_thread();
    if (!conn) return conn.error();
    auto& c = **conn;
    auto row = live_instance(c, client, id, "get seats of");
    if (!row) return row.error();
    api::seat_plan out;
    out.instance = std::string(id);
    out.plan = row->plan_id;
    auto read_at = availability_read_at(c, client, id);
    if (!read_at) return read_at.error();
    if (*read_at) out.confirmed_at = format_iso_utc_ms(**read_at);
    auto seats = store::mirror_seats(c, client, out.plan, id);
    if (!seats) return seats.error();
    out.seats.reserve(seats->size());
    for (auto& s : *seats) {
        api::seat a;
        a.id = std::move(s.id);
        a.name = std::move(s.name);
        a.area = std::move(s.area_id);
        a.row = std::move(s.row);
        a.price_band = s.band_id.value_or("");
        a.status = seat_status_text(s.status);
        a.x = static_cast<double>(s.x);
        a.y = static_cast<double>(s.y);
        out.seats.push_back(std::move(a));
    }
    return out;
}

std::optional<seat_names> mirror_view::names_of(std::string_view client, std::string_view instance, std::string_view area,
                                                std::string_view price_band, std::string_view ticket_type) const {
    auto conn = conn_for_thread();
    if (!conn) return std::nullopt;
    auto row = store::mirror_seat_names(**conn, client, instance, area, price_band, ticket_type);
    if (!row || !*row) return std::nullopt;
    auto& r = **row;
    return seat_names{std::move(r.event_name), std::move(r.start_local), std::move(r.area_name),
                      std::move(r.price_band_name), std::move(r.ticket_type_name)};
}

std::optional<domain::instance_facts> mirror_view::instance_facts_of(std::string_view client,
                                                                     std::string_view instance) const {
    auto conn = conn_for_thread();
    if (!conn) return std::nullopt;
    auto& c = **conn;
    auto row = store::mirror_instance(c, client, instance);
    if (!row || !*row || (*row)->tombstoned) return std::nullopt;
    const auto& r = **row;
    domain::instance_facts f;
    f.cancelled = r.cancelled;
    f.on_sale_to_agents = r.on_sale;
    if (auto t = parse_iso(r.start_utc)) f.start = *t;
    auto prices = store::mirror_prices(c, client, r.price_list_id);
    if (!prices) return std::nullopt;
    for (const auto& p : *prices) {
        f.ticket_types.insert(p.ticket_type_id);
        f.price_bands.insert(p.band_id);
    }
    auto areas = store::mirror_areas(c, client, r.plan_id);
    if (!areas) return std::nullopt;
    for (const auto& a : *areas) f.areas.insert(a.id);
    auto seats = store::mirror_seats(c, client, r.plan_id, instance);
    if (!seats) return std::nullopt;
    for (const auto& s : *seats) f.seats.insert(s.id);
    return f;
}

std::vector<domain::event_instance> mirror_view::event_instances(std::string_view client, std::string_view event) const {
    std::vector<domain::event_instance> out;
    auto conn = conn_for_thread();
    if (!conn) return out;
    auto rows = store::mirror_instances(**conn, client, std::nullopt, std::nullopt, std::string(event));
    if (!rows) return out;
    for (const auto& r : *rows) {
        domain::event_instance e;
        e.id = r.id;
        if (auto t = parse_iso(r.start_utc)) e.start = *t;
        e.on_sale_to_agents = r.on_sale;
        e.cancelled = r.cancelled;
        out.push_back(std::move(e));
    }
    return out;
}

const domain::instance_facts* mirror_view::find_instance(std::string_view client, std::string_view instance) const {
    const sys_time now = clock_.now();
    std::pair<std::string, std::string> key{std::string(client), std::string(instance)};
    {
        std::lock_guard lk(mu_);
        auto& cache = facts_cache_[std::this_thread::get_id()];
        if (auto it = cache.find(key); it != cache.end() && now - it->second.loaded < k_facts_ttl && now >= it->second.loaded)
            return &it->second.facts;
    }
    auto f = instance_facts_of(client, instance);
    std::lock_guard lk(mu_);
    auto& cache = facts_cache_[std::this_thread::get_id()];
    if (!f) {
        cache.erase(key);
        return nullptr;
    }
    if (cache.size() >= k_facts_cache_max) cache.clear();
    auto& slot = cache[std::move(key)];
    slot.loaded = now;
    slot.facts = std::move(*f);
    return &slot.facts;
}

}  // namespace agentd::mirror
