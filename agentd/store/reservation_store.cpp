#include "agentd/store/reservation_store.hpp"

#include "agentd/core/time.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/ledger.hpp"
#include "agentd/store/sqlite.hpp"

#include <bit>

namespace agentd::store {
namespace {

constexpr std::string_view k_columns =
    "id, channel, idempotency_key, client, account, instance, request_seats, ba_quantity, ba_ticket_type, "
    "ba_price_band, ba_area, request_hash, state, version, basket_id, place_attempts, total_minor, expires_at, "
    "last_touch, customer_first, customer_last, customer_addr1, customer_ref, order_id, releasing_for, "
    "cancel_pending, error_code, reason, last_error, created_at, updated_at, basket_created_at, confirm_sent_at, "
    "settled_by, order_mismatch, pool";

std::string encode_seats(const std::vector<domain::seat_request>& seats) {
    std::string out;
    for (const auto& s : seats) {
        if (!out.empty()) out += ';';
        out += s.seat;
        out += '|';
        out += s.ticket_type;
    }
    return out;
}

// Ids never contain ';' or '|' (core/id.hpp), so the encoding is unambiguous.
std::vector<domain::seat_request> decode_seats(std::string_view text) {
    std::vector<domain::seat_request> out;
    while (!text.empty()) {
        auto end = text.find(';');
        auto item = text.substr(0, end);
        auto bar = item.find('|');
        out.push_back({std::string(item.substr(0, bar)),
                       bar == std::string_view::npos ? std::string() : std::string(item.substr(bar + 1))});
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

std::optional<std::string> opt_time(const std::optional<sys_time>& t) {
    if (!t) return std::nullopt;
    return format_iso_utc_ms(*t);
}

std::optional<sys_time> read_time(const statement& s, int col) {
    auto text = s.column_optional_text(col);
    if (!text) return std::nullopt;
    auto t = parse_iso(*text);
    if (!t) return std::nullopt;
    return *t;
}

result<std::int64_t> append_reservation_feed(write_txn& t, const reservation_row& row, std::string_view payload) {
    feed_entry e;
    e.at = format_iso_utc_ms(row.rec.updated_at);
    e.kind = "reservation";
    e.client = row.client;
    e.entity = row.id;
    e.payload = std::string(payload);
    return append_feed(t, e);
}

result<void> append_history(write_txn& t, const reservation_row& row, std::optional<std::string_view> from,
                            std::string_view event, std::string_view note) {
    auto st = t.prepare("res.history.insert",
                        "INSERT INTO reservation_history (reservation_id, version, from_state, to_state, event, at, note) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!st) return st.error();
    st->bind(1, row.id).bind(2, static_cast<std::int64_t>(row.rec.version));
    if (from) st->bind_text(3, *from);
    else st->bind_null(3);
    st->bind_text(4, domain::to_string(row.rec.state)).bind_text(5, event);
    st->bind(6, format_iso_utc_ms(row.rec.updated_at)).bind_text(7, note);
    return st->run();
}

result<void> write_tickets(write_txn& t, const reservation_row& row) {
    auto del = t.prepare("res.tickets.delete", "DELETE FROM reservation_tickets WHERE reservation_id = ?1");
    if (!del) return del.error();
    del->bind(1, row.id);
    if (auto r = del->run(); !r) return r.error();
    for (std::size_t i = 0; i < row.rec.seats.size(); ++i) {
        const auto& s = row.rec.seats[i];
        ticket_detail d = i < row.details.size() ? row.details[i] : ticket_detail{};
        auto ins = t.prepare("res.tickets.insert",
                             "INSERT INTO reservation_tickets (reservation_id, position, seat, seat_name, area, "
                             "price_band, ticket_type, price_minor, ticket_id, barcode) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        if (!ins) return ins.error();
        ins->bind(1, row.id).bind(2, static_cast<std::int64_t>(i)).bind(3, s.seat).bind(4, d.seat_name);
        ins->bind(5, d.area).bind(6, d.price_band).bind(7, s.ticket_type).bind(8, s.price.minor);
        ins->bind(9, s.ticket_id).bind(10, s.barcode);
        if (auto r = ins->run(); !r) return r.error();
    }
    return {};
}

// Binds every column of k_columns in order (1-based).
void bind_row(statement& st, const reservation_row& row) {
    const auto& r = row.rec;
    const auto& q = row.request;
    st.bind(1, row.id).bind(2, row.channel).bind(3, row.idempotency_key).bind(4, row.client);
    st.bind(5, row.account).bind(6, row.instance).bind(7, encode_seats(q.tickets));
    if (q.best_available) {
        st.bind(8, q.best_available->quantity).bind(9, q.best_available->ticket_type);
        st.bind(10, q.best_available->price_band).bind(11, q.best_available->area);
    } else {
        st.bind_null(8).bind_null(9).bind_null(10).bind_null(11);
    }
    st.bind(12, std::bit_cast<std::int64_t>(row.request_hash));
    st.bind_text(13, domain::to_string(r.state)).bind(14, static_cast<std::int64_t>(r.version));
    st.bind(15, r.basket_id).bind(16, r.place_attempts).bind(17, r.total.minor);
    st.bind(18, opt_time(r.expires_at)).bind(19, opt_time(r.last_upstream_touch));
    if (r.customer) {
        st.bind(20, r.customer->first_name).bind(21, r.customer->last_name);
        st.bind(22, r.customer->address_line1).bind(23, r.customer->reference);
    } else {
        st.bind_null(20).bind_null(21).bind_null(22).bind_null(23);
    }
    st.bind(24, r.order_id).bind_text(25, domain::to_string(r.releasing_for)).bind(26, r.cancel_pending ? 1 : 0);
    st.bind(27, row.error_code).bind(28, r.reason).bind(29, r.last_error);
    st.bind(30, format_iso_utc_ms(r.created_at)).bind(31, format_iso_utc_ms(r.updated_at));
    st.bind(32, opt_time(r.basket_created_at)).bind(33, opt_time(r.confirm_sent_at));
    st.bind(34, r.settled_by).bind(35, r.order_mismatch).bind(36, row.pool);
}

// Binds the columns a transition may change, for res.update.
void bind_mutable(statement& st, const reservation_row& row) {
    const auto& r = row.rec;
    st.bind(1, row.id).bind_text(2, domain::to_string(r.state)).bind(3, static_cast<std::int64_t>(r.version));
    st.bind(4, r.basket_id).bind(5, r.place_attempts).bind(6, r.total.minor);
    st.bind(7, opt_time(r.expires_at)).bind(8, opt_time(r.last_upstream_touch));
    if (r.customer) {
        st.bind(9, r.customer->first_name).bind(10, r.customer->last_name);
        st.bind(11, r.customer->address_line1).bind(12, r.customer->reference);
    } else {
        st.bind_null(9).bind_null(10).bind_null(11).bind_null(12);
    }
    st.bind(13, r.order_id).bind_text(14, domain::to_string(r.releasing_for)).bind(15, r.cancel_pending ? 1 : 0);
    st.bind(16, row.error_code).bind(17, r.reason).bind(18, r.last_error);
    st.bind(19, format_iso_utc_ms(r.updated_at));
    st.bind(20, opt_time(r.basket_created_at)).bind(21, opt_time(r.confirm_sent_at));
    st.bind(22, r.settled_by).bind(23, r.order_mismatch);
}

// Binds the owner and request columns for res.update_owner, after bind_mutable.
void bind_owner(statement& st, const reservation_row& row) {
    const auto& q = row.request;
    st.bind(24, row.channel).bind(25, row.idempotency_key).bind(26, std::bit_cast<std::int64_t>(row.request_hash));
    if (q.best_available) {
        st.bind(27, q.best_available->quantity).bind(28, q.best_available->ticket_type);
        st.bind(29, q.best_available->price_band).bind(30, q.best_available->area);
    } else {
        st.bind_null(27).bind_null(28).bind_null(29).bind_null(30);
    }
    st.bind(31, encode_seats(q.tickets));
}

result<reservation_row> read_row(const statement& s) {
    reservation_row row;
    row.id = s.column_text(0);
    row.channel = s.column_text(1);
    row.idempotency_key = s.column_text(2);
    row.client = s.column_text(3);
    row.account = s.column_text(4);
    row.instance = s.column_text(5);
    row.request.client = row.client;
    row.request.instance = row.instance;
    if (auto qty = s.column_optional_int64(7)) {
        domain::best_available_request b;
        b.quantity = static_cast<int>(*qty);
        b.ticket_type = s.column_text(8);
        b.price_band = s.column_text(9);
        b.area = s.column_text(10);
        row.request.best_available = std::move(b);
    } else {
        row.request.tickets = decode_seats(s.column_text(6));
    }
    row.request_hash = std::bit_cast<std::uint64_t>(s.column_int64(11));
    auto& r = row.rec;
    auto state = domain::parse_reservation_state(s.column_text(12));
    if (!state) return fail(errc::corrupt, "load reservation " + row.id + ": " + state.error().message);
    r.state = *state;
    r.version = static_cast<std::uint64_t>(s.column_int64(13));
    r.basket_id = s.column_text(14);
    r.place_attempts = static_cast<int>(s.column_int64(15));
    r.total = money{s.column_int64(16)};
    r.expires_at = read_time(s, 17);
    r.last_upstream_touch = read_time(s, 18);
    if (!s.column_is_null(19))
        r.customer = domain::end_customer{s.column_text(19), s.column_text(20), s.column_text(21), s.column_text(22)};
    r.order_id = s.column_text(23);
    auto cause = domain::parse_release_cause(s.column_text(24));
    r.releasing_for = cause ? *cause : domain::release_cause::none;
    r.cancel_pending = s.column_int64(25) != 0;
    row.error_code = s.column_text(26);
    r.reason = s.column_text(27);
    r.last_error = s.column_text(28);
    r.created_at = read_time(s, 29).value_or(sys_time{});
    r.updated_at = read_time(s, 30).value_or(sys_time{});
    r.basket_created_at = read_time(s, 31);
    r.confirm_sent_at = read_time(s, 32);
    r.settled_by = s.column_text(33);
    r.order_mismatch = s.column_text(34);
    row.pool = s.column_text(35);
    return row;
}

result<void> load_tickets(connection& c, reservation_row& row) {
    auto st = c.prepare("res.tickets.load",
                        "SELECT seat, seat_name, area, price_band, ticket_type, price_minor, ticket_id, barcode "
                        "FROM reservation_tickets WHERE reservation_id = ?1 ORDER BY position");
    if (!st) return st.error();
    st->bind(1, row.id);
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) break;
        domain::held_seat h;
        h.seat = st->column_text(0);
        h.ticket_type = st->column_text(4);
        h.price = money{st->column_int64(5)};
        h.ticket_id = st->column_text(6);
        h.barcode = st->column_text(7);
        row.rec.seats.push_back(std::move(h));
        row.details.push_back({st->column_text(1), st->column_text(2), st->column_text(3)});
    }
    return {};
}

// Built once per statement (the prepared statement is cached by name; its text need not be
// rebuilt on every load).
std::string select_where(std::string_view where) {
    return "SELECT " + std::string(k_columns) + " FROM reservations WHERE " + std::string(where);
}

result<std::optional<reservation_row>> load_where(connection& c, std::string_view name, std::string_view sql,
                                                  std::string_view a, std::string_view b) {
    std::optional<reservation_row> out;
    {
        auto st = c.prepare(name, sql);
        if (!st) return st.error();
        st->bind_text(1, a);
        if (!b.empty()) st->bind_text(2, b);
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) return out;
        auto row = read_row(*st);
        if (!row) return row.error();
        out = std::move(*row);
    }
    if (auto r = load_tickets(c, *out); !r) return r.error();
    return out;
}

}  // namespace

result<std::int64_t> insert_reservation(write_txn& t, const reservation_row& row, std::string_view feed_payload) {
    {
        static const std::string sql = "INSERT INTO reservations (" + std::string(k_columns) +
                                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                                       "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
                                       "?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36) "
                                       "ON CONFLICT (channel, idempotency_key) DO NOTHING";
        auto st = t.prepare("res.insert", sql);
        if (!st) return st.error();
        bind_row(*st, row);
        // A timeout, deadlock or lost connection keeps its own (retryable) class.
        if (auto r = st->run(); !r) return fail(r.error().code, "insert reservation " + row.id + ": " + r.error().message);
        // A concurrent first try with the same key is skipped, not failed: on PostgreSQL a failed
        // statement would leave the job unable to read the winner's row in its transaction.
        if (t.conn().changes() != 1)
            return fail(errc::conflict, "insert reservation " + row.id + ": channel " + row.channel +
                                            " already used its idempotency key");
    }
    // A new id has no ticket rows to replace (and a new reservation holds none yet).
    if (!row.rec.seats.empty())
        if (auto r = write_tickets(t, row); !r) return r.error();
    if (auto r = append_history(t, row, std::nullopt, "create", ""); !r) return r.error();
    return append_reservation_feed(t, row, feed_payload);
}

result<std::int64_t> save_transition(write_txn& t, const reservation_row& row, const domain::transition_outcome& out,
                                     std::string_view note, std::string_view feed_payload, bool owner_changed) {
    {
        // SQLite rewrites every index over a column the SET list names, changed or not: the
        // owner columns are named only when they change (a channel drawing a pool's hold,
        // docs/pools.md), so an ordinary transition leaves (channel, idempotency_key) and
        // (channel, created_at) alone.
        static const std::string set_mutable =
            "UPDATE reservations SET state = ?2, version = ?3, basket_id = ?4, place_attempts = ?5, "
            "total_minor = ?6, expires_at = ?7, last_touch = ?8, customer_first = ?9, "
            "customer_last = ?10, customer_addr1 = ?11, customer_ref = ?12, order_id = ?13, "
            "releasing_for = ?14, cancel_pending = ?15, error_code = ?16, reason = ?17, "
            "last_error = ?18, updated_at = ?19, basket_created_at = ?20, confirm_sent_at = ?21, "
            "settled_by = ?22, order_mismatch = ?23";
        static const std::string where = " WHERE id = ?1 AND version = ?3 - 1";
        static const std::string update = set_mutable + where;
        static const std::string update_owner = set_mutable +
                                                ", channel = ?24, idempotency_key = ?25, request_hash = ?26, "
                                                "ba_quantity = ?27, ba_ticket_type = ?28, ba_price_band = ?29, "
                                                "ba_area = ?30, request_seats = ?31" +
                                                where;
        auto st = owner_changed ? t.prepare("res.update_owner", update_owner) : t.prepare("res.update", update);
        if (!st) return st.error();
        bind_mutable(*st, row);
        if (owner_changed) bind_owner(*st, row);
        // A draw under a (channel, key) another reservation already has breaks the UNIQUE rule.
        if (auto r = st->run(); !r) return fail(r.error().code, "save reservation " + row.id + ": " + r.error().message);
        if (t.conn().changes() != 1)
            return fail(errc::conflict, "save reservation " + row.id + ": changed concurrently (version " +
                                            std::to_string(row.rec.version - 1) + " no longer current)");
    }
    if (auto r = write_tickets(t, row); !r) return r.error();
    if (auto r = append_history(t, row, domain::to_string(out.from), out.event, note); !r) return r.error();
    if (out.to == domain::reservation_state::confirmed) {
        // One entry per sale, appended (store/ledger): an order proven without its id
        // ("already confirmed") has a NULL order id and says how it was settled.
        if (auto r = append_sale(t, row); !r) return r.error();
    }
    return append_reservation_feed(t, row, feed_payload);
}

result<std::optional<reservation_row>> load_reservation(connection& c, std::string_view id) {
    static const std::string sql = select_where("id = ?1");
    return load_where(c, "res.load", sql, id, {});
}

result<std::optional<reservation_row>> find_reservation_by_key(connection& c, std::string_view channel,
                                                               std::string_view key) {
    static const std::string sql = select_where("channel = ?1 AND idempotency_key = ?2");
    return load_where(c, "res.load_by_key", sql, channel, key);
}

std::string reservation_list_sql(bool by_state, bool by_channel) {
    // One statement per filter shape: "?1 IS NULL OR state = ?1" would keep SQLite from using
    // an index, so each shape names its columns and gets its index (0005_housekeeping).
    std::string where = by_channel ? (by_state ? "channel = ?2 AND state = ?1" : "channel = ?2 AND ?1 IS NULL")
                                   : (by_state ? "state = ?1 AND ?2 IS NULL" : "?1 IS NULL AND ?2 IS NULL");
    return "SELECT id FROM reservations WHERE " + where +
           " AND (?3 IS NULL OR client = ?3) ORDER BY created_at DESC, id DESC LIMIT ?4";
}

result<std::vector<reservation_row>> list_reservations(connection& c, const reservation_query& q) {
    std::vector<std::string> ids;
    {
        const bool by_state = q.state.has_value(), by_channel = q.channel.has_value();
        const char* name = by_channel ? (by_state ? "res.list.channel_state" : "res.list.channel")
                                      : (by_state ? "res.list.state" : "res.list.all");
        auto st = c.prepare(name, reservation_list_sql(by_state, by_channel));
        if (!st) return st.error();
        st->bind(1, q.state).bind(2, q.channel).bind(3, q.client).bind(4, static_cast<std::int64_t>(q.limit));
        for (;;) {
            auto more = st->step();
            if (!more) return more.error();
            if (!*more) break;
            ids.push_back(st->column_text(0));
        }
    }
    std::vector<reservation_row> out;
    out.reserve(ids.size());
    for (const auto& id : ids) {
        auto row = load_reservation(c, id);
        if (!row) return row.error();
        if (*row) out.push_back(std::move(**row));
    }
    return out;
}

result<std::vector<std::string>> reservation_ids_in_states(connection& c,
                                                           std::span<const domain::reservation_state> states) {
    std::vector<std::string> out;
    for (auto s : states) {
        auto st = c.prepare("res.ids_in_state",
                            "SELECT id FROM reservations WHERE state = ?1 ORDER BY created_at, id");
        if (!st) return st.error();
        st->bind_text(1, domain::to_string(s));
        for (;;) {
            auto more = st->step();
            if (!more) return more.error();
            if (!*more) break;
            out.push_back(st->column_text(0));
        }
    }
    return out;
}

result<std::vector<history_row>> load_history(connection& c, std::string_view id) {
    auto st = c.prepare("res.history.load",
                        "SELECT version, coalesce(from_state, ''), to_state, event, at, note FROM reservation_history "
                        "WHERE reservation_id = ?1 ORDER BY version");
    if (!st) return st.error();
    st->bind_text(1, id);
    std::vector<history_row> out;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) break;
        out.push_back({st->column_int64(0), st->column_text(1), st->column_text(2), st->column_text(3),
                       st->column_text(4), st->column_text(5)});
    }
    return out;
}

result<std::vector<std::pair<std::string, std::int64_t>>> count_by_state(connection& c) {
    auto st = c.prepare("res.count_by_state", "SELECT state, count(*) FROM reservations GROUP BY state ORDER BY state");
    if (!st) return st.error();
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) break;
        out.emplace_back(st->column_text(0), st->column_int64(1));
    }
    return out;
}

result<std::vector<pool_hold_row>> pool_holds(connection& c) {
    // Only undrawn rows: their channel is still the pool's own.
    auto st = c.prepare("res.pool_holds",
                        "SELECT id, pool, state, coalesce(ba_quantity, 0), expires_at, created_at, client, instance FROM reservations "
                        "WHERE pool <> '' AND channel = 'pool:' || pool AND state IN ('queued', 'placing', 'held', "
                        "'releasing') ORDER BY created_at, id");
    if (!st) return st.error();
    std::vector<pool_hold_row> out;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) break;
        pool_hold_row h;
        h.id = st->column_text(0);
        h.pool = st->column_text(1);
        auto state = domain::parse_reservation_state(st->column_text(2));
        if (!state) return fail(errc::corrupt, "load pool hold " + h.id + ": " + state.error().message);
        h.state = *state;
        h.quantity = static_cast<int>(st->column_int64(3));
        h.expires_at = read_time(*st, 4);
        h.created_at = read_time(*st, 5).value_or(sys_time{});
        h.client = st->column_text(6);
        h.instance = st->column_text(7);
        out.push_back(std::move(h));
    }
    return out;
}

result<std::map<std::pair<std::string, std::string>, pool_tally>> pool_instance_tallies(connection& c) {
    auto st = c.prepare("res.pool_instance_tallies",
                        "SELECT pool, instance, coalesce(sum(CASE WHEN channel <> 'pool:' || pool THEN 1 ELSE 0 END), 0), "
                        "coalesce(sum(CASE WHEN channel = 'pool:' || pool AND state = 'rejected' THEN 1 ELSE 0 END), 0) "
                        "FROM reservations WHERE pool <> '' GROUP BY pool, instance");
    if (!st) return st.error();
    std::map<std::pair<std::string, std::string>, pool_tally> out;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) break;
        out[{st->column_text(0), st->column_text(1)}] = pool_tally{st->column_int64(2), st->column_int64(3)};
    }
    return out;
}

result<std::map<std::string, pool_tally, std::less<>>> pool_tallies(connection& c) {
    auto per_instance = pool_instance_tallies(c);
    if (!per_instance) return per_instance.error();
    std::map<std::string, pool_tally, std::less<>> out;
    for (const auto& [key, t] : *per_instance) {
        auto& sum = out[key.first];
        sum.drawn += t.drawn;
        sum.failed += t.failed;
    }
    return out;
}

result<std::int64_t> ledger_count(connection& c) { return c.query_int64("SELECT count(*) FROM sales_ledger", "ledger count"); }

result<std::vector<reservation_row>> confirmed_needing_attention(connection& c) {
    std::vector<std::string> ids;
    {
        auto st = c.prepare("res.confirmed_attention",
                            "SELECT id FROM reservations WHERE state = 'confirmed' AND (order_mismatch <> '' OR "
                            "order_id = '') ORDER BY updated_at LIMIT 1000");
        if (!st) return st.error();
        for (;;) {
            auto more = st->step();
            if (!more) return more.error();
            if (!*more) break;
            ids.push_back(st->column_text(0));
        }
    }
    std::vector<reservation_row> out;
    for (const auto& id : ids) {
        auto row = load_reservation(c, id);
        if (!row) return row.error();
        if (*row) out.push_back(std::move(**row));
    }
    return out;
}

}  // namespace agentd::store
