#include "agentd/store/mirror_store.hpp"

#include <algorithm>
#include <bit>

namespace agentd::store {

namespace {

std::int64_t to_db(std::uint64_t h) { return std::bit_cast<std::int64_t>(h); }

#define AGENTD_TRY(expr)                      \
    do {                                      \
        auto agentd_r_ = (expr);              \
        if (!agentd_r_) return agentd_r_.error(); \
    } while (0)

}  // namespace

result<void> mirror_put_client(write_txn& t, std::string_view client, std::string_view account,
                               const std::vector<std::string>& logins) {
    {
        auto st = t.prepare("mirror.put_client",
                            "INSERT INTO mirror_client(name, account) VALUES(?1, ?2) "
                            "ON CONFLICT(name) DO UPDATE SET account = excluded.account "
                            "WHERE mirror_client.account != excluded.account");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, account).run());
    }
    for (const auto& l : logins) {
        auto st = t.prepare("mirror.put_account",
                            "INSERT INTO mirror_account(client, login) VALUES(?1, ?2) ON CONFLICT DO NOTHING");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, l).run());
    }
    return {};
}

result<void> mirror_set_seat_status_capability(write_txn& t, std::string_view client, bool offered) {
    auto st = t.prepare("mirror.set_seat_cap", "UPDATE mirror_client SET seat_status = ?2 WHERE name = ?1");
    if (!st) return st.error();
    return st->bind(1, client).bind(2, offered ? 1 : 0).run();
}

result<void> mirror_upsert_event(write_txn& t, std::string_view client, const mirror_event_row& r, std::uint64_t hash) {
    auto st = t.prepare(
        "mirror.upsert_event",
        "INSERT INTO mirror_event(client, id, name, description, duration_minutes, image_url, on_sale, "
        "instance_dates, first_local, last_local, hash, misses, tombstoned) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0) "
        "ON CONFLICT(client, id) DO UPDATE SET name = excluded.name, description = excluded.description, "
        "duration_minutes = excluded.duration_minutes, image_url = excluded.image_url, on_sale = excluded.on_sale, "
        "instance_dates = excluded.instance_dates, first_local = excluded.first_local, "
        "last_local = excluded.last_local, hash = excluded.hash, misses = 0, tombstoned = 0");
    if (!st) return st.error();
    return st->bind(1, client)
        .bind(2, r.id)
        .bind(3, r.name)
        .bind(4, r.description)
        .bind(5, r.duration_minutes)
        .bind(6, r.image_url)
        .bind(7, r.on_sale ? 1 : 0)
        .bind(8, r.instance_dates)
        .bind(9, r.first_local)
        .bind(10, r.last_local)
        .bind(11, to_db(hash))
        .run();
}

result<void> mirror_upsert_instance(write_txn& t, std::string_view client, const mirror_instance_row& r,
                                    std::uint64_t hash) {
    auto st = t.prepare(
        "mirror.upsert_instance",
        "INSERT INTO mirror_instance(client, id, event_id, plan_id, price_list_id, start_local, start_utc, on_sale, "
        "cancelled, hash, misses, tombstoned) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 0, 0) "
        "ON CONFLICT(client, id) DO UPDATE SET event_id = excluded.event_id, plan_id = excluded.plan_id, "
        "price_list_id = excluded.price_list_id, start_local = excluded.start_local, start_utc = excluded.start_utc, "
        "on_sale = excluded.on_sale, cancelled = excluded.cancelled, hash = excluded.hash, misses = 0, "
        "tombstoned = 0");
    if (!st) return st.error();
    return st->bind(1, client)
        .bind(2, r.id)
        .bind(3, r.event_id)
        .bind(4, r.plan_id)
        .bind(5, r.price_list_id)
        .bind(6, r.start_local)
        .bind(7, r.start_utc)
        .bind(8, r.on_sale ? 1 : 0)
        .bind(9, r.cancelled ? 1 : 0)
        .bind(10, to_db(hash))
        .run();
}

result<void> mirror_set_misses(write_txn& t, std::string_view kind, std::string_view client, std::string_view id,
                               int misses, bool tombstoned) {
    const bool event = kind == "event";
    if (!event && kind != "instance") return fail(errc::internal, "set misses: unknown kind");
    auto st = event ? t.prepare("mirror.misses_event",
                                "UPDATE mirror_event SET misses = ?3, tombstoned = ?4 WHERE client = ?1 AND id = ?2")
                    : t.prepare("mirror.misses_instance",
                                "UPDATE mirror_instance SET misses = ?3, tombstoned = ?4 WHERE client = ?1 AND id = ?2");
    if (!st) return st.error();
    return st->bind(1, client).bind(2, id).bind(3, misses).bind(4, tombstoned ? 1 : 0).run();
}

result<void> mirror_replace_price_list(write_txn& t, std::string_view client, std::string_view id, std::uint64_t hash,
                                       const std::vector<mirror_price_row>& prices) {
    {
        auto st = t.prepare("mirror.del_prices", "DELETE FROM mirror_price WHERE client = ?1 AND price_list_id = ?2");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, id).run());
    }
    for (const auto& p : prices) {
        auto st = t.prepare("mirror.put_price",
                            "INSERT INTO mirror_price(client, price_list_id, band_id, ticket_type_id, "
                            "band_name, ticket_type_name, amount_minor, band_default) "
                            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                            "ON CONFLICT(client, price_list_id, band_id, ticket_type_id) DO UPDATE SET "
                            "band_name = excluded.band_name, ticket_type_name = excluded.ticket_type_name, "
                            "amount_minor = excluded.amount_minor, band_default = excluded.band_default");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client)
                       .bind(2, id)
                       .bind(3, p.band_id)
                       .bind(4, p.ticket_type_id)
                       .bind(5, p.band_name)
                       .bind(6, p.ticket_type_name)
                       .bind(7, p.amount_minor)
                       .bind(8, p.band_default ? 1 : 0)
                       .run());
    }
    auto st = t.prepare("mirror.put_price_list",
                        "INSERT INTO mirror_price_list(client, id, hash) VALUES(?1, ?2, ?3) "
                        "ON CONFLICT(client, id) DO UPDATE SET hash = excluded.hash");
    if (!st) return st.error();
    return st->bind(1, client).bind(2, id).bind(3, to_db(hash)).run();
}

result<void> mirror_replace_plan(write_txn& t, std::string_view client, std::string_view id, std::uint64_t hash,
                                 const std::vector<mirror_area_row>& areas, const std::vector<mirror_seat_row>& seats) {
    {
        auto st = t.prepare("mirror.del_areas", "DELETE FROM mirror_area WHERE client = ?1 AND plan_id = ?2");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, id).run());
    }
    {
        auto st = t.prepare("mirror.del_seats", "DELETE FROM mirror_seat WHERE client = ?1 AND plan_id = ?2");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, id).run());
    }
    for (const auto& a : areas) {
        auto st = t.prepare("mirror.put_area",
                            "INSERT INTO mirror_area(client, plan_id, id, parent_id, name, reserved, "
                            "capacity, band_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                            "ON CONFLICT(client, plan_id, id) DO UPDATE SET parent_id = excluded.parent_id, "
                            "name = excluded.name, reserved = excluded.reserved, capacity = excluded.capacity, "
                            "band_id = excluded.band_id");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client)
                       .bind(2, id)
                       .bind(3, a.id)
                       .bind(4, a.parent_id)
                       .bind(5, a.name)
                       .bind(6, a.reserved ? 1 : 0)
                       .bind(7, a.capacity)
                       .bind(8, a.band_id)
                       .run());
    }
    for (const auto& s : seats) {
        auto st = t.prepare("mirror.put_seat",
                            "INSERT INTO mirror_seat(client, plan_id, id, area_id, name, row, number, x, y, "
                            "band_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                            "ON CONFLICT(client, plan_id, id) DO UPDATE SET area_id = excluded.area_id, "
                            "name = excluded.name, row = excluded.row, number = excluded.number, x = excluded.x, "
                            "y = excluded.y, band_id = excluded.band_id");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client)
                       .bind(2, id)
                       .bind(3, s.id)
                       .bind(4, s.area_id)
                       .bind(5, s.name)
                       .bind(6, s.row)
                       .bind(7, s.number)
                       .bind(8, s.x)
                       .bind(9, s.y)
                       .bind(10, s.band_id)
                       .run());
    }
    auto st = t.prepare("mirror.put_plan",
                        "INSERT INTO mirror_plan(client, id, hash) VALUES(?1, ?2, ?3) "
                        "ON CONFLICT(client, id) DO UPDATE SET hash = excluded.hash");
    if (!st) return st.error();
    return st->bind(1, client).bind(2, id).bind(3, to_db(hash)).run();
}

result<std::uint64_t> mirror_put_status(write_txn& t, std::string_view client, std::string_view instance,
                                        const std::vector<mirror_status_row>& rows) {
    std::uint64_t changed = 0;
    for (const auto& r : rows) {
        auto st = t.prepare(
            "mirror.put_status",
            "INSERT INTO mirror_status(client, instance_id, area_id, name, capacity, available, locked, reserved, "
            "sold, in_basket, unavailable) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
            "ON CONFLICT(client, instance_id, area_id) DO UPDATE SET name = excluded.name, "
            "capacity = excluded.capacity, available = excluded.available, locked = excluded.locked, "
            "reserved = excluded.reserved, sold = excluded.sold, in_basket = excluded.in_basket, "
            "unavailable = excluded.unavailable WHERE (mirror_status.name, mirror_status.capacity, mirror_status.available, "
            "mirror_status.locked, mirror_status.reserved, mirror_status.sold, mirror_status.in_basket, "
            "mirror_status.unavailable) != (excluded.name, excluded.capacity, excluded.available, excluded.locked, "
            "excluded.reserved, excluded.sold, excluded.in_basket, excluded.unavailable)");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client)
                       .bind(2, instance)
                       .bind(3, r.area_id)
                       .bind(4, r.name)
                       .bind(5, r.capacity)
                       .bind(6, r.available)
                       .bind(7, r.locked)
                       .bind(8, r.reserved)
                       .bind(9, r.sold)
                       .bind(10, r.in_basket)
                       .bind(11, r.unavailable)
                       .run());
        changed += static_cast<std::uint64_t>(t.conn().changes());
    }
    // Areas no longer listed (gone upstream, or the instance's plan changed) leave in the same
    // write, else the instance answer would list them with frozen counts. Each removal is a
    // change; rows still listed were handled above and are not touched again.
    std::vector<std::string> gone;
    {
        auto st = t.prepare("mirror.status_areas",
                            "SELECT area_id FROM mirror_status WHERE client = ?1 AND instance_id = ?2");
        if (!st) return st.error();
        st->bind(1, client).bind(2, instance);
        for (;;) {
            auto more = st->step();
            if (!more) return more.error();
            if (!*more) break;
            auto area = st->column_text(0);
            if (std::none_of(rows.begin(), rows.end(), [&](const mirror_status_row& r) { return r.area_id == area; }))
                gone.push_back(std::move(area));
        }
    }
    for (const auto& area : gone) {
        auto st = t.prepare("mirror.del_status",
                            "DELETE FROM mirror_status WHERE client = ?1 AND instance_id = ?2 AND area_id = ?3");
        if (!st) return st.error();
        AGENTD_TRY(st->bind(1, client).bind(2, instance).bind(3, area).run());
        changed += static_cast<std::uint64_t>(t.conn().changes());
    }
    return changed;
}

result<mirror_seat_write_counts> mirror_put_seat_status(write_txn& t, std::string_view client,
                                                        std::string_view instance,
                                                        std::span<const mirror_seat_status_input> seats) {
    mirror_seat_write_counts n;
    for (const auto& s : seats) {
        auto st = t.prepare("mirror.put_seat_status",
                            "INSERT INTO mirror_seat_status(client, instance_id, seat_id, status, lock_type) "
                            "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(client, instance_id, seat_id) DO UPDATE SET "
                            "status = excluded.status, lock_type = excluded.lock_type "
                            "WHERE mirror_seat_status.status != excluded.status "
                            "OR coalesce(mirror_seat_status.lock_type, '') != coalesce(excluded.lock_type, '')");
        if (!st) return st.error();
        std::optional<std::string> lock;
        if (!s.lock_type.empty()) lock = s.lock_type;
        AGENTD_TRY(st->bind(1, client).bind(2, instance).bind(3, s.seat_id).bind(4, s.status).bind(5, lock).run());
        ++n.rows_offered;
        n.rows_changed += static_cast<std::uint64_t>(t.conn().changes());
    }
    return n;
}

result<void> mirror_put_sync_state(write_txn& t, std::string_view client, const mirror_sync_state_row& r) {
    auto st = t.prepare("mirror.put_sync_state",
                        "INSERT INTO mirror_sync_state(client, resource, last_attempt, last_success, "
                        "last_error, next_due, content_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                        "ON CONFLICT(client, resource) DO UPDATE SET last_attempt = excluded.last_attempt, "
                        "last_success = excluded.last_success, last_error = excluded.last_error, "
                        "next_due = excluded.next_due, content_hash = excluded.content_hash");
    if (!st) return st.error();
    std::optional<std::int64_t> h;
    if (r.content_hash) h = to_db(*r.content_hash);
    return st->bind(1, client)
        .bind(2, r.resource)
        .bind(3, r.last_attempt)
        .bind(4, r.last_success)
        .bind(5, r.last_error)
        .bind(6, r.next_due)
        .bind(7, h)
        .run();
}

}  // namespace agentd::store
