#include "agentd/store/ledger.hpp"

#include "agentd/core/time.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/sqlite.hpp"

namespace agentd::store {
namespace {

result<void> insert_ticket(write_txn& t, std::int64_t entry, std::int64_t pos, const domain::order_line& l) {
    auto st = t.prepare("ledger.ticket",
                        "INSERT INTO sales_ledger_tickets (entry_id, position, ticket_id, seat, ticket_type, "
                        "face_minor, commission_minor, net_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st) return st.error();
    st->bind(1, entry).bind(2, pos).bind(3, l.ticket_id).bind(4, l.seat).bind(5, l.ticket_type);
    st->bind(6, l.face.minor).bind(7, l.commission.minor).bind(8, l.net.minor);
    return st->run();
}

// The hold's seats as ledger lines: what was sold when no order was read (already confirmed,
// settled by an operator). The commission is not known then and is recorded as 0.
std::vector<domain::order_line> lines_from_hold(const domain::reservation& r) {
    std::vector<domain::order_line> out;
    for (const auto& s : r.seats) out.push_back({s.ticket_id, s.seat, s.ticket_type, s.price, money{}, s.price});
    return out;
}

}  // namespace

result<std::int64_t> append_sale(write_txn& t, const reservation_row& row) {
    const bool from_order = !row.rec.order_lines.empty();
    const auto lines = from_order ? row.rec.order_lines : lines_from_hold(row.rec);
    money face, commission, net;
    for (const auto& l : lines) {
        auto f = checked_add(face, l.face);
        auto c = checked_add(commission, l.commission);
        auto n = checked_add(net, l.net);
        if (!f || !c || !n) return fail(errc::invalid_argument, "ledger entry for " + row.id + ": amounts overflow");
        face = *f;
        commission = *c;
        net = *n;
    }
    std::int64_t entry = 0;
    {
        // Event name and instance start are copied from the mirror now, so the books keep them
        // after the catalogue drops the event.
        auto st = t.prepare(
            "ledger.sale",
            "INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, total_minor, reference, "
            "confirmed_at, settled_by, mismatch, kind, account, event_id, event_name, instance_start, face_minor, "
            "commission_minor, net_minor, amounts_from, pool) "
            "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'sale', ?12, coalesce(i.event_id, ''), "
            "coalesce(e.name, ''), coalesce(i.start_local, ''), ?13, ?14, ?15, ?16, ?17 "
            "FROM (SELECT 1) AS one LEFT JOIN mirror_instance i ON i.client = ?3 AND i.id = ?5 "
            "LEFT JOIN mirror_event e ON e.client = ?3 AND e.id = i.event_id RETURNING entry_id");
        if (!st) return st.error();
        if (row.rec.order_id.empty()) st->bind_null(1);
        else st->bind(1, row.rec.order_id);
        st->bind(2, row.id).bind(3, row.client).bind(4, row.channel).bind(5, row.instance);
        st->bind(6, static_cast<std::int64_t>(lines.size())).bind(7, row.rec.total.minor);
        st->bind(8, row.rec.customer ? row.rec.customer->reference : std::string());
        st->bind(9, format_iso_utc_ms(row.rec.updated_at)).bind(10, row.rec.settled_by).bind(11, row.rec.order_mismatch);
        st->bind(12, row.account).bind(13, face.minor).bind(14, commission.minor).bind(15, net.minor);
        st->bind(16, from_order ? "order" : "hold").bind(17, row.pool);
        auto got = st->step();
        if (!got) return got.error();
        if (!*got) return fail(errc::internal, "ledger entry for " + row.id + ": no entry id returned");
        entry = st->column_int64(0);
    }
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (auto r = insert_ticket(t, entry, static_cast<std::int64_t>(i), lines[i]); !r) return r.error();
    return entry;
}

result<std::int64_t> append_correction(write_txn& t, const ledger_correction& c) {
    if (c.note.empty()) return fail(errc::invalid_argument, "ledger correction: a note saying why is required");
    auto st = t.prepare(
        "ledger.correction",
        "INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, total_minor, reference, "
        "confirmed_at, settled_by, mismatch, kind, corrects, account, event_id, event_name, instance_start, face_minor, "
        "commission_minor, net_minor, amounts_from, note, pool) "
        "SELECT NULL, c.reservation_id, c.client, c.channel, c.instance, ?2, ?3, c.reference, ?4, 'operator', '', "
        "'correction', c.entry_id, c.account, c.event_id, c.event_name, c.instance_start, ?3, ?5, ?6, 'correction', ?7, "
        // The pool of the entry it corrects, so a correction of a correction keeps it too; a
        // correction written before corrections carried their pool has it through its own entry.
        "CASE WHEN c.kind = 'correction' AND c.pool = '' THEN coalesce((SELECT o.pool FROM sales_ledger o "
        "WHERE o.entry_id = c.corrects), '') ELSE c.pool END "
        "FROM sales_ledger c WHERE c.entry_id = ?1 RETURNING entry_id");
    if (!st) return st.error();
    st->bind(1, c.corrects).bind(2, c.seats).bind(3, c.face.minor).bind(4, format_iso_utc_ms(c.at));
    st->bind(5, c.commission.minor).bind(6, c.net.minor).bind(7, c.note);
    auto got = st->step();
    if (!got) return got.error();
    if (!*got) return fail(errc::not_found, "ledger correction: no entry " + std::to_string(c.corrects));
    return st->column_int64(0);
}

result<void> scan_ledger(connection& c, const ledger_filter& f, const std::function<void(const ledger_entry&)>& each) {
    // One statement: "?1 IS NULL OR" keeps the plan on the time index, which is what bounds a
    // month-end report; the client filter is cheap on the rows that index yields.
    auto st = c.prepare(
        "ledger.scan",
        "SELECT entry_id, kind, corrects, coalesce(order_id, ''), reservation_id, client, channel, account, event_id, "
        "event_name, instance, instance_start, seats, face_minor, commission_minor, net_minor, reference, confirmed_at, "
        "settled_by, amounts_from, mismatch, note, "
        // A correction carries the pool of the entry it corrects; one written before it did
        // counts where that entry does.
        "CASE WHEN kind = 'correction' AND pool = '' THEN coalesce((SELECT o.pool FROM sales_ledger o WHERE "
        "o.entry_id = sales_ledger.corrects), '') ELSE pool END FROM sales_ledger INDEXED BY sales_ledger_by_time "
        "WHERE confirmed_at >= coalesce(?3, '') AND (?4 IS NULL OR confirmed_at < ?4) "
        "AND (?1 IS NULL OR client = ?1) AND (?2 IS NULL OR channel = ?2) ORDER BY confirmed_at, entry_id");
    if (!st) return st.error();
    st->bind(1, f.client).bind(2, f.channel).bind(3, f.from).bind(4, f.to);
    ledger_entry e;
    for (;;) {
        auto more = st->step();
        if (!more) return more.error();
        if (!*more) return {};
        e.entry_id = st->column_int64(0);
        e.kind = st->column_text(1);
        e.corrects = st->column_optional_int64(2);
        e.order_id = st->column_text(3);
        e.reservation_id = st->column_text(4);
        e.client = st->column_text(5);
        e.channel = st->column_text(6);
        e.account = st->column_text(7);
        e.event_id = st->column_text(8);
        e.event_name = st->column_text(9);
        e.instance = st->column_text(10);
        e.instance_start = st->column_text(11);
        e.seats = st->column_int64(12);
        e.face = {st->column_int64(13)};
        e.commission = {st->column_int64(14)};
        e.net = {st->column_int64(15)};
        e.reference = st->column_text(16);
        e.confirmed_at = st->column_text(17);
        e.settled_by = st->column_text(18);
        e.amounts_from = st->column_text(19);
        e.mismatch = st->column_text(20);
        e.note = st->column_text(21);
        e.pool = st->column_text(22);
        each(e);
    }
}

result<ledger_gaps> find_ledger_gaps(connection& c, std::size_t limit) {
    ledger_gaps out;
    auto collect = [&](std::string_view name, std::string_view sql, std::vector<std::string>& into) -> result<void> {
        auto st = c.prepare(name, sql);
        if (!st) return st.error();
        st->bind(1, static_cast<std::int64_t>(limit));
        for (;;) {
            auto more = st->step();
            if (!more) return more.error();
            if (!*more) return {};
            into.push_back(st->column_text(0));
        }
    };
    if (auto r = collect("ledger.gap_confirmed",
                         "SELECT r.id FROM reservations r WHERE r.state = 'confirmed' AND NOT EXISTS "
                         "(SELECT 1 FROM sales_ledger l WHERE l.reservation_id = r.id AND l.kind = 'sale') "
                         "ORDER BY r.updated_at LIMIT ?1",
                         out.confirmed_without_entry);
        !r)
        return r.error();
    if (auto r = collect("ledger.gap_entry",
                         "SELECT l.reservation_id FROM sales_ledger l LEFT JOIN reservations r ON r.id = l.reservation_id "
                         "WHERE l.kind = 'sale' AND (r.id IS NULL OR r.state <> 'confirmed') ORDER BY l.entry_id LIMIT ?1",
                         out.entry_without_confirmed);
        !r)
        return r.error();
    return out;
}

}  // namespace agentd::store
