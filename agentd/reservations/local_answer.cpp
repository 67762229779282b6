// Local answers: what the reservation service can decide about a placement without spending
// upstream requests. See local_answer.hpp and domain/seat_choice.hpp.
#include "agentd/reservations/driver_support.hpp"

#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"

#include <boost/asio/this_coro.hpp>

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;

namespace {

// Seats agentd's live holds occupy. A hold being released is left out (its clear may already
// have freed them), and so is a placement whose seats are not recorded yet: leaving a seat
// out only makes the picture show more free seats, never fewer.
// One arm per state rather than `state IN (...)`: each arm walks the state index directly,
// where an IN list builds a temporary table on every run.
constexpr std::string_view k_held_seats_sql =
    "SELECT r.id, t.seat, NULL FROM reservations r JOIN reservation_tickets t ON t.reservation_id = r.id "
    "WHERE r.state = 'held' AND r.client = ?1 AND r.instance = ?2 "
    "UNION ALL SELECT r.id, t.seat, NULL FROM reservations r JOIN reservation_tickets t ON t.reservation_id = r.id "
    "WHERE r.state = 'confirming' AND r.client = ?1 AND r.instance = ?2 "
    "UNION ALL SELECT r.id, t.seat, NULL FROM reservations r JOIN reservation_tickets t ON t.reservation_id = r.id "
    "WHERE r.state = 'confirm_unknown' AND r.client = ?1 AND r.instance = ?2 "
    "UNION ALL SELECT r.id, t.seat, r.updated_at FROM reservations r JOIN reservation_tickets t ON t.reservation_id = r.id "
    "WHERE r.state = 'confirmed' AND r.updated_at >= ?3 AND r.client = ?1 AND r.instance = ?2";

bool occupies_seats(reservation_state s) {
    return s == reservation_state::held || s == reservation_state::confirming || s == reservation_state::confirm_unknown ||
           s == reservation_state::confirmed;
}

local_answer_state::key_view key_of(const store::reservation_row& row) { return {row.client, row.instance}; }

}  // namespace

namespace {

void add_claims(local_answer_state::instance_placings& in, const local_answer_state::placing& p, int sign) {
    if (p.seats.empty()) in.unseated_quantity += sign * p.quantity;
    for (const auto& seat : p.seats)
        if ((in.seats[seat] += sign) <= 0) in.seats.erase(seat);
}

}  // namespace

void local_answer_state::start_placing(const std::string& id, key_view k, int quantity, std::set<std::string> seats) {
    stop_placing(id);
    auto at = placing_by_instance.find(k);
    if (at == placing_by_instance.end()) at = placing_by_instance.emplace(key{k.first, k.second}, instance_placings{}).first;
    auto& in = at->second;
    auto& p = in.by_id[id];
    p.quantity = quantity;
    p.seats = std::move(seats);
    add_claims(in, p, +1);
    placing_key.emplace(id, at->first);
}

void local_answer_state::set_placing_seats(std::string_view id, std::set<std::string> seats) {
    auto k = placing_key.find(id);
    if (k == placing_key.end()) return;
    auto of = placing_by_instance.find(k->second);
    if (of == placing_by_instance.end()) return;
    auto& in = of->second;
    auto it = in.by_id.find(id);
    if (it == in.by_id.end()) return;
    add_claims(in, it->second, -1);
    it->second.seats = std::move(seats);
    add_claims(in, it->second, +1);
}

void local_answer_state::stop_placing(std::string_view id) {
    auto k = placing_key.find(id);
    if (k == placing_key.end()) return;
    if (auto in = placing_by_instance.find(k->second); in != placing_by_instance.end()) {
        if (auto it = in->second.by_id.find(id); it != in->second.by_id.end()) {
            add_claims(in->second, it->second, -1);
            in->second.by_id.erase(it);
        }
        if (in->second.by_id.empty()) placing_by_instance.erase(in);
    }
    placing_key.erase(k);
}

void local_answer_state::placing_claims(key_view k, std::string_view id, int& quantity, std::set<std::string>& seats) const {
    auto in = placing_by_instance.find(k);
    if (in == placing_by_instance.end()) return;
    const placing* own = nullptr;
    if (auto it = in->second.by_id.find(id); it != in->second.by_id.end()) own = &it->second;
    quantity = in->second.unseated_quantity - (own && own->seats.empty() ? own->quantity : 0);
    for (const auto& [seat, n] : in->second.seats)
        if (n > (own && own->seats.contains(seat) ? 1 : 0)) seats.insert(seat);
}

void reservation_service::set_seat_view(const domain::seat_status_view* v) { impl_->local.seats = v; }
void reservation_service::set_sold_out_witness(sold_out_witness w) { impl_->witness = std::move(w); }

domain::local_claims reservation_service::impl::claims_for(const store::reservation_row& row) {
    domain::local_claims c;
    c.freed_at = local.started;
    if (auto it = local.freed_at.find(key_of(row)); it != local.freed_at.end()) c.freed_at = std::max(c.freed_at, it->second);
    local.placing_claims(key_of(row), row.id, c.placing_quantity, c.placing_seats);
    // A sale older than any usable picture is already in it.
    const auto since = clock.now() - cfg.local_sold_out_max_age - std::chrono::minutes(1);
    auto held = local.held.find(key_of(row));
    if (held == local.held.end()) {
        auto conn = reader();
        if (!conn) return c;
        auto st = (*conn)->prepare("reservations.local_held_seats", k_held_seats_sql);
        if (!st) return c;
        st->bind_text(1, row.client).bind_text(2, row.instance).bind_text(3, format_iso_utc_ms(since));
        std::map<std::string, local_answer_state::held_entry, std::less<>> read;
        for (;;) {
            auto more = st->step();
            if (!more) return c;  // not cached: read again next time
            if (!*more) break;
            auto& e = read[st->column_text(0)];
            e.seats.push_back(st->column_text(1));
            if (auto at = st->column_optional_text(2))
                if (auto t = parse_iso(*at)) e.sold_at = *t;
        }
        held = local.held.emplace(local_answer_state::key{row.client, row.instance}, std::move(read)).first;
    }
    for (auto it = held->second.begin(); it != held->second.end();) {
        if (it->second.sold_at && *it->second.sold_at < since) {
            it = held->second.erase(it);  // only ever gets older
            continue;
        }
        c.held.insert(it->second.seats.begin(), it->second.seats.end());
        ++it;
    }
    return c;
}

void reservation_service::impl::note_committed(const store::reservation_row& row) {
    auto held = local.held.find(key_of(row));
    if (held == local.held.end()) return;  // read from the store when next needed
    auto it = held->second.find(row.id);
    if (!occupies_seats(row.rec.state) || row.rec.seats.empty()) {
        if (it != held->second.end()) held->second.erase(it);
        return;
    }
    local_answer_state::held_entry e;
    for (const auto& s : row.rec.seats) e.seats.push_back(s.seat);
    if (row.rec.state == reservation_state::confirmed) e.sold_at = row.rec.updated_at;
    held->second.insert_or_assign(row.id, std::move(e));
}

namespace {

// Still the pool's own fill (a drawn hold is the channel's and is never placed again).
bool is_pool_fill(const store::reservation_row& row) {
    return !row.pool.empty() && row.channel.size() == row.pool.size() + 5 && row.channel.starts_with("pool:");
}

}  // namespace

const pool_spec* reservation_service::impl::configured_pool(std::string_view name) const {
    for (const auto& p : pools_cfg.pools)
        if (p.name == name) return &p;
    return nullptr;
}

const std::vector<std::string>* reservation_service::impl::allocation_of(const store::reservation_row& row) const {
    if (!is_pool_fill(row)) return nullptr;
    if (const auto* p = configured_pool(row.pool)) return p->lock_types.empty() ? nullptr : &p->lock_types;
    auto rt = pool_rt.find(row.pool);
    return rt == pool_rt.end() || rt->second.lock_types.empty() ? nullptr : &rt->second.lock_types;
}

bool reservation_service::impl::fill_of_gone_pool(const store::reservation_row& row) const {
    return is_pool_fill(row) && !configured_pool(row.pool) && !pool_rt.contains(row.pool);
}

std::optional<sys_time> reservation_service::impl::grab_opening(const store::reservation_row& row) const {
    if (!is_pool_fill(row)) return std::nullopt;
    const auto* p = configured_pool(row.pool);
    if (p && p->fill_at && *p->fill_at > clock.now()) return p->fill_at;
    return std::nullopt;
}

domain::local_verdict reservation_service::impl::judge_locally(const store::reservation_row& row) {
    if (cfg.local_sold_out_max_age <= std::chrono::milliseconds::zero()) return domain::local_verdict::go_upstream;
    // The open seats say nothing about an allocation's: its fill decides from the locked seats.
    if (allocation_of(row)) return domain::local_verdict::go_upstream;
    const auto now = clock.now();
    const std::vector<domain::scarcity_proof>* proofs = nullptr;
    if (auto it = local.proofs.find(key_of(row)); it != local.proofs.end()) {
        std::erase_if(it->second, [&](const domain::scarcity_proof& p) { return now - p.sent > cfg.local_sold_out_max_age; });
        if (it->second.empty()) local.proofs.erase(it);
        else proofs = &it->second;
    }
    std::shared_ptr<const domain::seat_snapshot> snap;
    if (local.seats) snap = local.seats->seats_of(row.client, row.instance);
    if (!proofs && !snap) return domain::local_verdict::go_upstream;
    static const std::vector<domain::scarcity_proof> no_proofs;
    const auto claims = claims_for(row);
    const auto verdict = domain::judge_locally(row.request, claims, snap.get(), proofs ? *proofs : no_proofs, now,
                                               {cfg.local_sold_out_max_age});
    if (verdict == domain::local_verdict::sold_out && witness) witness(row.id);
    return verdict;
}

std::vector<std::string> reservation_service::impl::choose_from_mirror(const store::reservation_row& row) {
    if (const auto* locks = allocation_of(row); locks && local.seats && row.request.best_available) {
        auto snap = local.seats->seats_of(row.client, row.instance);
        return domain::choose_locked_seats(*row.request.best_available, *locks, claims_for(row), snap.get());
    }
    if (!cfg.choose_seats_from_mirror || !local.seats || !row.request.best_available) return {};
    auto snap = local.seats->seats_of(row.client, row.instance);
    if (!snap) return {};
    const auto claims = claims_for(row);
    // The same freshness rule as a local answer, with the same age (at least a moment, so the
    // choice still works when local answers are disabled).
    const auto age = std::max(cfg.local_sold_out_max_age, std::chrono::milliseconds(1'000));
    return domain::choose_seats(*row.request.best_available, claims, snap.get(), clock.now(), {age});
}

bool reservation_service::impl::basket_best_available(const store::reservation_row& row) {
    if (!row.request.best_available || !row.request.best_available->area.empty()) return false;  // no area in that form
    const auto* c = client_named(row.client);
    if (!c) return false;
    switch (c->best_available) {
    case best_available_form::never: return false;
    case best_available_form::always: return true;
    case best_available_form::automatic: break;
    }
    if (basket_form_refused_on.contains({row.client, row.instance})) return false;
    // Only another placement of ours would be offered the same block by the query form.
    int others = 0;
    std::set<std::string> seats;
    local.placing_claims(key_of(row), row.id, others, seats);
    return others > 0;
}

void reservation_service::impl::basket_form_refused(const store::reservation_row& row) {
    if (!basket_form_refused_on.emplace(row.client, row.instance).second) return;
    log::info("reservations", "place",
              "the venue refused best available into a basket where the query found seats; this instance uses the query from now on",
              {{"client", row.client}, {"instance", row.instance}});
}

void reservation_service::impl::note_placing(const store::reservation_row& row) {
    std::set<std::string> seats;
    int quantity = 0;
    if (row.request.best_available) {
        // An allocation's fill does not compete for open seats.
        if (!allocation_of(row)) quantity = row.request.best_available->quantity;
    } else {
        quantity = static_cast<int>(row.request.tickets.size());
        for (const auto& t : row.request.tickets) seats.insert(t.seat);
    }
    local.start_placing(row.id, key_of(row), quantity, std::move(seats));
}

void reservation_service::impl::note_chosen(const std::string& id, const std::vector<std::string>& seats) {
    local.set_placing_seats(id, std::set<std::string>(seats.begin(), seats.end()));
}

void reservation_service::impl::placing_done(const std::string& id, const store::reservation_row& row) {
    local.stop_placing(id);
    wake_parked(row.client, row.instance);
}

void reservation_service::impl::note_freed(const store::reservation_row& row) {
    auto at = local.freed_at.find(key_of(row));
    if (at == local.freed_at.end()) at = local.freed_at.emplace(local_answer_state::key{row.client, row.instance}, sys_time{}).first;
    at->second = std::max(at->second, clock.now());
    if (auto p = local.proofs.find(key_of(row)); p != local.proofs.end()) local.proofs.erase(p);
    // What is held is read from the store again (the freeing transition may not be committed yet).
    if (auto h = local.held.find(key_of(row)); h != local.held.end()) local.held.erase(h);
    wake_parked(row.client, row.instance);
}

void reservation_service::impl::note_scarcity(const store::reservation_row& row, sys_time sent) {
    if (!row.request.best_available) return;
    const auto& b = *row.request.best_available;
    local.proofs[local_answer_state::key{row.client, row.instance}].push_back({sent, b.quantity, b.price_band, b.area});
}

void reservation_service::impl::admit(const store::reservation_row& row) {
    if (!row.rec.basket_id.empty() || row.rec.state != reservation_state::queued) return;
    switch (judge_locally(row)) {
    case domain::local_verdict::go_upstream:
        // Later arrivals see its seats as taken: FIFO by arrival among those that can win.
        note_placing(row);
        return;
    case domain::local_verdict::sold_out:
        if (busy.contains(row.id)) return;
        queue.erase_if([&](const auto& e) { return e.item == row.id; });
        busy.insert(row.id);
        children.spawn(reject_at_once(row.id), "reservation local answer");
        return;
    case domain::local_verdict::wait: return;  // the queue looks again when its turn comes
    }
}

asio::awaitable<void> reservation_service::impl::reject_at_once(std::string id) {
    co_await asio::this_coro::throw_if_cancelled(false);
    try {
        co_await answer_sold_out(id, false);
    } catch (const std::exception& e) {
        log::warn("reservations", "local", "local answer ended early", {{"id", id}, {"cause", e.what()}});
    }
    busy.erase(id);
    // Still queued (the write failed): the queue takes it as usual.
    if (auto row = load(id); row && row->rec.state == reservation_state::queued) enqueue(*row);
    if (again.erase(id) && !stopping) start_drive(id);
}

void reservation_service::impl::park(const store::reservation_row& row) {
    auto& ids = local.parked[local_answer_state::key{row.client, row.instance}];
    if (std::find(ids.begin(), ids.end(), row.id) == ids.end()) ids.push_back(row.id);
}

void reservation_service::impl::wake_parked(const std::string& client, const std::string& instance) {
    auto it = local.parked.find(local_answer_state::key_view{client, instance});
    if (it == local.parked.end()) return;
    auto ids = std::move(it->second);
    local.parked.erase(it);
    // Oldest first: the queue keeps each channel's order, and parked ids are in arrival order.
    for (const auto& id : ids) {
        if (busy.contains(id)) continue;
        auto row = load(id);
        if (row && row->rec.state == reservation_state::queued && !row->rec.cancel_pending) enqueue(*row);
    }
}

asio::awaitable<void> reservation_service::impl::answer_sold_out(std::string id, bool placing) {
    if (!placing) {
        auto a = co_await apply(id, domain::ev::place_started{});
        if (!a) co_return;  // the rescan drives it again
    } else if (auto row = load(id); row && !row->rec.basket_id.empty() && ambiguous_baskets.erase(row->rec.basket_id)) {
        // The basket is empty now, but an add whose answer was lost may still land in it.
        sweeps.push_back({id, row->rec.basket_id, std::chrono::steady_clock::now() + cfg.sweep_after});
    }
    ++local.answered;
    const std::string reason =
        "place reservation: no seats left (every seat upstream showed free in the last " +
        std::to_string(std::chrono::duration_cast<std::chrono::seconds>(cfg.local_sold_out_max_age).count()) +
        " s is held or being placed by agentd)";
    domain::event failed = domain::ev::place_failed{reason, false};
    co_await record(id, std::move(failed), set_error_code("unavailable"));
}

}  // namespace agentd::reservations
