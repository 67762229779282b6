#include "agentd/store/mirror_store.hpp"

#include <bit>

namespace agentd::store {

namespace {

std::uint64_t from_db(std::int64_t h) { return std::bit_cast<std::uint64_t>(h); }

// Runs `st` to the end, calling `row(st)` for each row.
template <class F>
result<void> each_row(statement& st, F&& row) {
    for (;;) {
        auto more = st.step();
        if (!more) return more.error();
        if (!*more) return {};
        row(st);
    }
}

mirror_instance_row read_instance(const statement& st) {
    mirror_instance_row r;
    r.id = st.column_text(0);
    r.event_id = st.column_text(1);
    r.plan_id = st.column_text(2);
    r.price_list_id = st.column_text(3);
    r.start_local = st.column_text(4);
    r.start_utc = st.column_text(5);
    r.on_sale = st.column_int64(6) != 0;
    r.cancelled = st.column_int64(7) != 0;
    r.tombstoned = st.column_int64(8) != 0;
    r.event_name = st.column_is_null(9) ? std::string() : st.column_text(9);
    r.available = st.column_optional_int64(10);
    return r;
}

constexpr std::string_view k_instance_cols =
    "SELECT i.id, i.event_id, i.plan_id, i.price_list_id, i.start_local, i.start_utc, i.on_sale, i.cancelled, "
    "i.tombstoned, e.name, s.available FROM mirror_instance i "
    "LEFT JOIN mirror_event e ON e.client = i.client AND e.id = i.event_id "
    "LEFT JOIN mirror_status s ON s.client = i.client AND s.instance_id = i.id AND s.area_id = '' ";

}  // namespace

result<std::vector<mirror_client_row>> mirror_clients(connection& c) {
    auto st = c.prepare("mirror.clients", "SELECT name, account, seat_status FROM mirror_client ORDER BY name");
    if (!st) return st.error();
    std::vector<mirror_client_row> out;
    auto r = each_row(*st, [&](statement& s) {
        mirror_client_row row{s.column_text(0), s.column_text(1), std::nullopt};
        if (auto v = s.column_optional_int64(2)) row.seat_status = *v != 0;
        out.push_back(std::move(row));
    });
    if (!r) return r.error();
    return out;
}

result<std::map<std::string, mirror_known_row>> mirror_known(connection& c, std::string_view kind,
                                                             std::string_view client) {
    const bool event = kind == "event";
    if (!event && kind != "instance") return fail(errc::internal, "read known rows: unknown kind");
    auto st = event ? c.prepare("mirror.known_events",
                                "SELECT id, hash, misses, tombstoned, '' FROM mirror_event WHERE client = ?1")
                    : c.prepare("mirror.known_instances",
                                "SELECT id, hash, misses, tombstoned, event_id FROM mirror_instance WHERE client = ?1");
    if (!st) return st.error();
    st->bind(1, client);
    std::map<std::string, mirror_known_row> out;
    auto r = each_row(*st, [&](statement& s) {
        out.emplace(s.column_text(0), mirror_known_row{from_db(s.column_int64(1)), static_cast<int>(s.column_int64(2)),
                                                       s.column_int64(3) != 0, s.column_text(4)});
    });
    if (!r) return r.error();
    return out;
}

result<std::optional<std::uint64_t>> mirror_price_list_hash(connection& c, std::string_view client, std::string_view id) {
    auto st = c.prepare("mirror.price_list_hash", "SELECT hash FROM mirror_price_list WHERE client = ?1 AND id = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, id);
    auto more = st->step();
    if (!more) return more.error();
    if (!*more) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>{from_db(st->column_int64(0))};
}

result<std::optional<std::uint64_t>> mirror_plan_hash(connection& c, std::string_view client, std::string_view id) {
    auto st = c.prepare("mirror.plan_hash", "SELECT hash FROM mirror_plan WHERE client = ?1 AND id = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, id);
    auto more = st->step();
    if (!more) return more.error();
    if (!*more) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>{from_db(st->column_int64(0))};
}

namespace {
mirror_sync_state_row read_sync_state(const statement& s) {
    mirror_sync_state_row r;
    r.resource = s.column_text(0);
    r.last_attempt = s.column_optional_int64(1);
    r.last_success = s.column_optional_int64(2);
    r.last_error = s.column_optional_text(3);
    r.next_due = s.column_optional_int64(4);
    if (auto h = s.column_optional_int64(5)) r.content_hash = from_db(*h);
    return r;
}
}  // namespace

result<std::vector<mirror_sync_state_row>> mirror_sync_states(connection& c, std::string_view client) {
    auto st = c.prepare("mirror.sync_states",
                        "SELECT resource, last_attempt, last_success, last_error, next_due, content_hash "
                        "FROM mirror_sync_state WHERE client = ?1");
    if (!st) return st.error();
    st->bind(1, client);
    std::vector<mirror_sync_state_row> out;
    auto r = each_row(*st, [&](statement& s) { out.push_back(read_sync_state(s)); });
    if (!r) return r.error();
    return out;
}

result<std::optional<mirror_sync_state_row>> mirror_sync_state(connection& c, std::string_view client,
                                                               std::string_view resource) {
    auto st = c.prepare("mirror.sync_state",
                        "SELECT resource, last_attempt, last_success, last_error, next_due, content_hash "
                        "FROM mirror_sync_state WHERE client = ?1 AND resource = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, resource);
    auto more = st->step();
    if (!more) return more.error();
    if (!*more) return std::optional<mirror_sync_state_row>{};
    return std::optional<mirror_sync_state_row>{read_sync_state(*st)};
}

result<std::vector<mirror_event_row>> mirror_events(connection& c, std::string_view client,
                                                    const std::optional<std::string>& from,
                                                    const std::optional<std::string>& to,
                                                    const std::optional<std::string>& search) {
    auto st = c.prepare("mirror.events",
                        "SELECT id, name, description, duration_minutes, image_url, on_sale, instance_dates, "
                        "first_local, last_local FROM mirror_event WHERE client = ?1 AND tombstoned = 0 "
                        "AND (?2 IS NULL OR last_local >= ?2) AND (?3 IS NULL OR first_local <= ?3) "
                        "AND (?4 IS NULL OR instr(lower(name), lower(?4)) > 0) ORDER BY first_local, id");
    if (!st) return st.error();
    st->bind(1, client).bind(2, from).bind(3, to).bind(4, search);
    std::vector<mirror_event_row> out;
    auto r = each_row(*st, [&](statement& s) {
        mirror_event_row e;
        e.id = s.column_text(0);
        e.name = s.column_text(1);
        e.description = s.column_text(2);
        e.duration_minutes = s.column_int64(3);
        e.image_url = s.column_text(4);
        e.on_sale = s.column_int64(5) != 0;
        e.instance_dates = s.column_text(6);
        e.first_local = s.column_text(7);
        e.last_local = s.column_text(8);
        out.push_back(std::move(e));
    });
    if (!r) return r.error();
    return out;
}

result<std::vector<mirror_instance_row>> mirror_instances(connection& c, std::string_view client,
                                                          const std::optional<std::string>& from,
                                                          const std::optional<std::string>& to,
                                                          const std::optional<std::string>& event) {
    static const std::string sql = std::string(k_instance_cols) +
                                   "WHERE i.client = ?1 AND i.tombstoned = 0 AND (?2 IS NULL OR i.start_utc >= ?2) "
                                   "AND (?3 IS NULL OR i.start_utc <= ?3) AND (?4 IS NULL OR i.event_id = ?4) "
                                   "ORDER BY i.start_utc, i.id";
    auto st = c.prepare("mirror.instances", sql);
    if (!st) return st.error();
    st->bind(1, client).bind(2, from).bind(3, to).bind(4, event);
    std::vector<mirror_instance_row> out;
    auto r = each_row(*st, [&](statement& s) { out.push_back(read_instance(s)); });
    if (!r) return r.error();
    return out;
}

result<std::optional<mirror_instance_row>> mirror_instance(connection& c, std::string_view client, std::string_view id) {
    static const std::string sql = std::string(k_instance_cols) + "WHERE i.client = ?1 AND i.id = ?2";
    auto st = c.prepare("mirror.instance", sql);
    if (!st) return st.error();
    st->bind(1, client).bind(2, id);
    auto more = st->step();
    if (!more) return more.error();
    if (!*more) return std::optional<mirror_instance_row>{};
    return std::optional<mirror_instance_row>{read_instance(*st)};
}

result<std::vector<mirror_price_row>> mirror_prices(connection& c, std::string_view client,
                                                    std::string_view price_list_id) {
    auto st = c.prepare("mirror.prices",
                        "SELECT band_id, ticket_type_id, band_name, ticket_type_name, amount_minor, band_default "
                        "FROM mirror_price WHERE client = ?1 AND price_list_id = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, price_list_id);
    std::vector<mirror_price_row> out;
    auto r = each_row(*st, [&](statement& s) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_int64(4),
                       s.column_int64(5) != 0});
    });
    if (!r) return r.error();
    return out;
}

result<std::vector<mirror_area_row>> mirror_areas(connection& c, std::string_view client, std::string_view plan_id) {
    auto st = c.prepare("mirror.areas",
                        "SELECT id, parent_id, name, reserved, capacity, band_id FROM mirror_area "
                        "WHERE client = ?1 AND plan_id = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, plan_id);
    std::vector<mirror_area_row> out;
    auto r = each_row(*st, [&](statement& s) {
        out.push_back({s.column_text(0), s.column_optional_text(1), s.column_text(2), s.column_int64(3) != 0,
                       s.column_int64(4), s.column_optional_text(5)});
    });
    if (!r) return r.error();
    return out;
}

result<std::vector<mirror_seat_row>> mirror_seats(connection& c, std::string_view client, std::string_view plan_id,
                                                  std::string_view instance) {
    auto st = c.prepare("mirror.seats",
                        "SELECT s.id, s.area_id, s.name, s.row, s.number, s.x, s.y, s.band_id, ss.status, ss.lock_type "
                        "FROM mirror_seat s LEFT JOIN mirror_seat_status ss ON ss.client = s.client "
                        "AND ss.instance_id = ?3 AND ss.seat_id = s.id WHERE s.client = ?1 AND s.plan_id = ?2");
    if (!st) return st.error();
    st->bind(1, client).bind(2, plan_id).bind(3, instance);
    std::vector<mirror_seat_row> out;
    auto r = each_row(*st, [&](statement& s) {
        mirror_seat_row row{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_int64(4),
                            s.column_int64(5), s.column_int64(6), s.column_optional_text(7), std::nullopt, {}};
        if (auto v = s.column_optional_int64(8)) row.status = static_cast<int>(*v);
        if (auto v = s.column_optional_text(9)) row.lock_type = std::move(*v);
        out.push_back(std::move(row));
    });
    if (!r) return r.error();
    return out;
}

result<std::vector<mirror_status_row>> mirror_statuses(connection& c, std::string_view client,
                                                       std::string_view instance) {
    auto st = c.prepare("mirror.statuses",
                        "SELECT area_id, name, capacity, available, locked, reserved, sold, in_basket, unavailable "
                        "FROM mirror_status WHERE client = ?1 AND instance_id = ?2 ORDER BY area_id");
    if (!st) return st.error();
    st->bind(1, client).bind(2, instance);
    std::vector<mirror_status_row> out;
    auto r = each_row(*st, [&](statement& s) {
        out.push_back({s.column_text(0), s.column_text(1), s.column_int64(2), s.column_int64(3), s.column_int64(4),
                       s.column_int64(5), s.column_int64(6), s.column_int64(7), s.column_int64(8)});
    });
    if (!r) return r.error();
    return out;
}

result<std::optional<mirror_seat_names_row>> mirror_seat_names(connection& c, std::string_view client,
                                                               std::string_view instance, std::string_view area,
                                                               std::string_view price_band,
                                                               std::string_view ticket_type) {
    // Every subquery is a primary-key lookup: the seat's own (band, ticket type) price row
    // answers both price names; a band or ticket type missing there walks that one list.
    auto st = c.prepare(
        "mirror.seat_names",
        "SELECT coalesce(e.name, ''), i.start_local, "
        "coalesce((SELECT s.name FROM mirror_status s WHERE s.client = i.client AND s.instance_id = i.id "
        "AND s.area_id = ?3 AND ?3 <> ''), ''), "
        "coalesce((SELECT p.band_name FROM mirror_price p WHERE p.client = i.client AND p.price_list_id = "
        "i.price_list_id AND p.band_id = ?4 AND p.ticket_type_id = ?5 AND p.band_name <> ''), "
        "(SELECT p.band_name FROM mirror_price p WHERE p.client = i.client AND p.price_list_id = "
        "i.price_list_id AND p.band_id = ?4 AND p.band_name <> '' ORDER BY p.ticket_type_id LIMIT 1), ''), "
        "coalesce((SELECT p.ticket_type_name FROM mirror_price p WHERE p.client = i.client AND p.price_list_id = "
        "i.price_list_id AND p.band_id = ?4 AND p.ticket_type_id = ?5 AND p.ticket_type_name <> ''), "
        "(SELECT p.ticket_type_name FROM mirror_price p WHERE p.client = i.client AND p.price_list_id = "
        "i.price_list_id AND p.ticket_type_id = ?5 AND p.ticket_type_name <> '' ORDER BY p.band_id LIMIT 1), '') "
        "FROM mirror_instance i LEFT JOIN mirror_event e ON e.client = i.client AND e.id = i.event_id "
        "WHERE i.client = ?1 AND i.id = ?2 AND i.tombstoned = 0");
    if (!st) return st.error();
    st->bind(1, client).bind(2, instance).bind(3, area).bind(4, price_band).bind(5, ticket_type);
    auto more = st->step();
    if (!more) return more.error();
    if (!*more) return std::optional<mirror_seat_names_row>{};
    return std::optional<mirror_seat_names_row>{mirror_seat_names_row{
        st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3), st->column_text(4)}};
}

result<std::int64_t> mirror_count(connection& c, std::string_view table, std::string_view client) {
    static const char* const tables[] = {"mirror_event",  "mirror_instance", "mirror_price_list", "mirror_price",
                                         "mirror_plan",   "mirror_area",     "mirror_seat",       "mirror_status",
                                         "mirror_seat_status", "mirror_sync_state"};
    for (const char* t : tables) {
        if (table != t) continue;
        std::string sql = "SELECT count(*) FROM " + std::string(t) + " WHERE client = '";
        for (char ch : client) {
            if (ch == '\'') sql += '\'';
            sql += ch;
        }
        sql += "'";
        return c.query_int64(sql, "mirror.count");
    }
    return fail(errc::invalid_argument, "count mirror rows: unknown table " + std::string(table));
}

}  // namespace agentd::store
