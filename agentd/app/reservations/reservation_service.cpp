#include "agentd/app/reservations/reservation_service.hpp"

#include "agentd/app/reservations/convert.hpp"
#include "agentd/app/reservations/service_impl.hpp"
#include "agentd/core/id.hpp"

#include <algorithm>

namespace agentd::app {
namespace asio = boost::asio;
using domain::reservation_state;

namespace {

domain::fair_queue_settings queue_settings(const config::reservation_settings& s,
                                           const std::vector<config::channel_settings>& channels) {
    domain::fair_queue_settings q;
    if (s.queue_limit > 0) q.max_total = static_cast<std::size_t>(s.queue_limit);
    if (s.channel_backlog_limit > 0) q.max_per_channel = static_cast<std::size_t>(s.channel_backlog_limit);
    if (s.inflight_per_client > 0) q.max_in_flight_per_client = static_cast<int>(s.inflight_per_client);
    for (const auto& c : channels) q.channel_weights[c.name] = static_cast<int>(std::clamp<std::int64_t>(c.weight, 1, 1000));
    return q;
}

domain::hold_settings hold_of(const config::reservation_settings& s) {
    domain::hold_settings h;
    using std::chrono::duration_cast;
    if (s.basket_lifetime.count() > 0) h.basket_lifetime = duration_cast<seconds>(s.basket_lifetime);
    if (s.expiry_margin.count() > 0) h.expiry_margin = duration_cast<seconds>(s.expiry_margin);
    if (s.max_hold.count() > 0) h.max_hold = duration_cast<seconds>(s.max_hold);
    return h;
}

struct created_row {
    store::reservation_row row;
    bool replayed = false;
    std::int64_t seq = 0;
};

// Built outside any coroutine body: GCC 12 mishandles lambdas with by-value captures that are
// created inside a coroutine and outlive its current suspension.
std::function<result<created_row>(store::write_txn&)> insert_job(store::reservation_row row) {
    return [row = std::move(row)](store::write_txn& t) -> result<created_row> {
        // Two concurrent first tries with one key: the second finds the first here.
        auto again = store::find_reservation_by_key(t.conn(), row.channel, row.idempotency_key);
        if (!again) return again.error();
        if (*again) {
            if (auto same = domain::compare_request_hash((*again)->request_hash, row.request); !same)
                return same.error();
            return created_row{std::move(**again), true, 0};
        }
        auto seq = store::insert_reservation(t, row);
        if (!seq) return seq.error();
        return created_row{row, false, *seq};
    };
}

}  // namespace

std::function<result<reservation_service::impl::applied>(store::write_txn&)> reservation_service::impl::transition_job(
    std::string id, domain::event ev, amend_fn amend, std::string note, sys_time now) {
    return [id = std::move(id), ev = std::move(ev), amend = std::move(amend), note = std::move(note),
            now](store::write_txn& t) -> result<reservation_service::impl::applied> {
        auto loaded = store::load_reservation(t.conn(), id);
        if (!loaded) return loaded.error();
        if (!*loaded) return fail(errc::not_found, "update reservation " + id + ": unknown id");
        store::reservation_row row = std::move(**loaded);
        auto next = domain::transition(row.rec, ev, now);
        if (!next) return next.error();
        const bool seats_changed = next->next.seats.size() != row.rec.seats.size();
        row.rec = next->next;
        if (seats_changed) row.details.resize(row.rec.seats.size());
        if (amend) amend(row);
        auto seq = store::save_transition(t, row, *next, note);
        if (!seq) return seq.error();
        return reservation_service::impl::applied{std::move(row), *seq};
    };
}

reservation_service::impl::amend_fn reservation_service::impl::set_error_code(std::string code) {
    return [code = std::move(code)](store::reservation_row& r) { r.error_code = code; };
}

reservation_service::impl::amend_fn reservation_service::impl::set_details(std::vector<store::ticket_detail> details) {
    return [details = std::move(details)](store::reservation_row& r) { r.details = details; };
}

reservation_service::impl::impl(asio::any_io_executor ex_, store::database& db_, std::string db_path_,
                                config::reservation_settings s, std::vector<config::channel_settings> channels,
                                std::vector<res_client> clients_, const domain::catalogue_view& catalogue_,
                                const agentd::clock& clock_, std::function<void(std::uint64_t)> on_feed_,
                                std::function<void(std::string_view, std::string_view)> on_activity_)
    : ex(ex_), db(db_), db_path(std::move(db_path_)), settings(s), hold(hold_of(s)), clients(std::move(clients_)),
      catalogue(catalogue_), clock(clock_), on_feed(std::move(on_feed_)), on_activity(std::move(on_activity_)),
      queue(queue_settings(s, channels)), children(ex_), wake_timer(ex_) {
    if (s.max_quantity > 0) limits.max_quantity = static_cast<int>(s.max_quantity);
    if (s.best_available_retries > 0) retry_policy.max_attempts = static_cast<int>(s.best_available_retries) + 1;
    auto q = queue_settings(s, channels);
    max_total = q.max_total;
    max_per_channel = q.max_per_channel;
}

result<store::connection*> reservation_service::impl::reader() {
    if (!rd) {
        auto r = store::reader::open(db_path);
        if (!r) return r.error().wrap("open reservations reader");
        rd.emplace(std::move(*r));
    }
    return &rd->conn();
}

result<store::reservation_row> reservation_service::impl::load(std::string_view id) {
    auto c = reader();
    if (!c) return c.error();
    auto row = store::load_reservation(**c, id);
    if (!row) return row.error();
    if (!*row) return fail(errc::not_found, "get reservation " + std::string(id) + ": unknown id");
    return std::move(**row);
}

asio::awaitable<result<reservation_service::impl::applied>> reservation_service::impl::apply(std::string id,
                                                                                             domain::event ev,
                                                                                             amend_fn amend,
                                                                                             std::string note) {
    // Not a coroutine: the arguments move straight into the job (see transition_job).
    const auto start = std::chrono::steady_clock::now();
    std::string key = id;
    return run_job<applied>(transition_job(std::move(id), std::move(ev), std::move(amend), std::move(note), clock.now()),
                            [this, start, key = std::move(key)](const result<applied>& r) {
                                commit_wait[key] += std::chrono::steady_clock::now() - start;
                                if (r && on_feed) on_feed(static_cast<std::uint64_t>(r->feed_seq));
                            });
}

upstream::client* reservation_service::impl::client_for(const store::reservation_row& row) const {
    for (const auto& c : clients) {
        if (c.name != row.client) continue;
        for (const auto& [account, up] : c.accounts)
            if (account == row.account) return up;
        return c.accounts.empty() ? nullptr : c.accounts.front().second;
    }
    return nullptr;
}

upstream::call_options reservation_service::impl::write_options(bool retry_safe) const {
    upstream::call_options o;
    o.prio = upstream::priority::reservation;
    o.retry_safe = retry_safe;
    if (settings.confirm_timeout.count() > 0) o.deadline = settings.confirm_timeout;
    return o;
}

upstream::call_options reservation_service::impl::read_options() const {
    upstream::call_options o;
    o.prio = upstream::priority::reservation;
    o.retry_safe = true;
    if (settings.confirm_timeout.count() > 0) o.deadline = settings.confirm_timeout;
    return o;
}

void reservation_service::impl::enqueue(const store::reservation_row& row) {
    // Bounds were checked (with pending creates counted) before the row was written, and a
    // requeue takes back the place it left, so a refusal here means a bound changed under us:
    // the row stays `queued` and the next recover() picks it up.
    (void)queue.push(row.channel, row.client, row.id);
    wake();
}

void reservation_service::impl::wake() {
    wake_pending = true;
    wake_timer.cancel();
}

reservation_service::reservation_service(asio::any_io_executor ex, store::database& db, std::string db_path,
                                         config::reservation_settings settings,
                                         std::vector<config::channel_settings> channels,
                                         std::vector<res_client> clients, const domain::catalogue_view& catalogue,
                                         const agentd::clock& clock, std::function<void(std::uint64_t)> on_feed,
                                         std::function<void(std::string_view, std::string_view)> on_activity)
    : impl_(std::make_unique<impl>(std::move(ex), db, std::move(db_path), settings, std::move(channels),
                                   std::move(clients), catalogue, clock, std::move(on_feed), std::move(on_activity))) {}

reservation_service::~reservation_service() = default;

asio::awaitable<result<control::created_reservation>> reservation_service::create(std::string channel,
                                                                                  std::string idempotency_key,
                                                                                  api::reservation_request req) {
    auto& m = *impl_;
    const sys_time now = m.clock.now();
    if (!valid_id(channel)) co_return fail(errc::invalid_argument, "create reservation: channel name is invalid");
    if (!valid_id(idempotency_key))
        co_return fail(errc::invalid_argument,
                       "create reservation: Idempotency-Key must be 1-128 characters of [A-Za-z0-9_.:-]");
    auto dreq = to_domain(req);
    auto client = std::find_if(m.clients.begin(), m.clients.end(), [&](const res_client& c) { return c.name == dreq.client; });
    if (client == m.clients.end() || client->accounts.empty())
        co_return fail(errc::not_found, "create reservation: unknown client " + dreq.client);
    if (auto v = domain::validate_request(dreq, m.limits, m.catalogue, now); !v) co_return v.error();

    // A retry is answered from the reader without a write.
    auto c = m.reader();
    if (!c) co_return c.error();
    auto existing = store::find_reservation_by_key(**c, channel, idempotency_key);
    if (!existing) co_return existing.error();
    if (*existing) {
        if (auto same = domain::compare_request_hash((*existing)->request_hash, dreq); !same) co_return same.error();
        co_return control::created_reservation{to_api(**existing), true};
    }

    if (m.queue.size() + m.pending_total >= m.max_total)
        co_return fail(errc::unavailable, "create reservation: queue is full; retry later");
    if (m.queue.backlog(channel) + m.pending_per_channel[channel] >= m.max_per_channel)
        co_return fail(errc::rate_limited, "create reservation for channel " + channel + ": backlog is full; retry later");

    store::reservation_row row;
    row.id = new_reservation_id(now);
    row.channel = channel;
    row.idempotency_key = idempotency_key;
    row.client = dreq.client;
    row.account = client->accounts.front().first;
    row.instance = dreq.instance;
    row.request_hash = domain::request_hash(dreq);
    row.request = std::move(dreq);
    row.rec = domain::make_reservation(now);

    ++m.pending_total;
    ++m.pending_per_channel[channel];
    auto out = co_await defer([&] { return m.run_job<created_row>(insert_job(std::move(row))); });
    --m.pending_total;
    if (--m.pending_per_channel[channel] == 0) m.pending_per_channel.erase(channel);
    if (!out) co_return out.error();
    if (!out->replayed) {
        m.enqueue(out->row);
        if (m.on_feed) m.on_feed(static_cast<std::uint64_t>(out->seq));
        if (m.on_activity) m.on_activity(out->row.client, out->row.instance);
    }
    co_return control::created_reservation{to_api(out->row), out->replayed};
}

result<api::reservation> reservation_service::get(std::string_view id) {
    if (!valid_id(id)) return fail(errc::not_found, "get reservation: unknown id");
    auto row = impl_->load(id);
    if (!row) return row.error();
    return to_api(*row);
}

result<std::vector<api::reservation>> reservation_service::list(const api::reservation_filter& f) {
    if (f.state && !domain::parse_reservation_state(*f.state))
        return fail(errc::invalid_argument, "list reservations: unknown state " + *f.state);
    auto c = impl_->reader();
    if (!c) return c.error();
    store::reservation_query q;
    q.state = f.state;
    q.channel = f.channel;
    q.client = f.client;
    auto rows = store::list_reservations(**c, q);
    if (!rows) return rows.error();
    std::vector<api::reservation> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back(to_api(r));
    return out;
}

result<std::vector<api::history_entry>> reservation_service::history(std::string_view id) {
    auto row = impl_->load(id);
    if (!row) return row.error();
    auto c = impl_->reader();
    if (!c) return c.error();
    auto rows = store::load_history(**c, id);
    if (!rows) return rows.error();
    std::vector<api::history_entry> out;
    for (const auto& h : *rows) {
        std::string note = h.event;
        if (!h.note.empty()) note += ": " + h.note;
        out.push_back({h.version, h.to_state, h.at, std::move(note)});
    }
    return out;
}

asio::awaitable<result<api::reservation>> reservation_service::confirm(std::string id, api::confirm_request req) {
    auto& m = *impl_;
    if (req.reference.empty() || req.reference.size() > 128)
        co_return fail(errc::invalid_argument, "confirm reservation: reference must be 1-128 characters");
    for (const auto* f : {&req.cust.first_name, &req.cust.last_name, &req.cust.address_line1})
        if (f->size() > 256) co_return fail(errc::invalid_argument, "confirm reservation: customer field too long");
    domain::end_customer cust{req.cust.first_name, req.cust.last_name, req.cust.address_line1, req.reference};
    auto op = m.apply(id, domain::ev::confirm_requested{std::move(cust)});
    auto out = co_await std::move(op);
    if (!out) co_return out.error();
    m.start_drive(id);
    co_return to_api(out->row);
}

asio::awaitable<result<api::reservation>> reservation_service::extend(std::string id, api::extend_request req) {
    auto& m = *impl_;
    if (req.seconds < 0) co_return fail(errc::invalid_argument, "extend reservation: seconds must not be negative");
    auto row = m.load(id);
    if (!row) co_return row.error();
    if (row->rec.state != reservation_state::held || !row->rec.expires_at)
        co_return fail(errc::conflict, "extend reservation in state " +
                                           std::string(domain::to_string(row->rec.state)) + ": not allowed");
    if (auto ok = domain::check_extension(row->rec.created_at, *row->rec.expires_at, m.clock.now(), m.hold); !ok)
        co_return ok.error();
    auto* up = m.client_for(*row);
    if (!up) co_return fail(errc::internal, "extend reservation " + id + ": no upstream for client " + row->client);
    // Any modifying call restarts the basket's sliding lifetime (contract §14 #9).
    upstream::agent_customer touch;
    if (row->rec.customer)
        touch = {row->rec.customer->first_name, row->rec.customer->last_name, row->rec.customer->address_line1,
                 row->rec.customer->reference};
    auto touched = co_await defer([&] { return up->set_agent_customer(row->rec.basket_id, touch, m.write_options(true)); });
    if (!touched) {
        auto e = touched.error().to_error();
        co_return error{e.code, "extend reservation " + id + ": " + e.message};
    }
    const sys_time at = m.clock.now();
    auto deadline = domain::extended_deadline(row->rec.created_at, *row->rec.expires_at, at, m.hold);
    if (!deadline) co_return deadline.error();
    if (req.seconds > 0) {
        // A shorter extension than the maximum the lifetime allows is honoured.
        auto asked = *row->rec.expires_at + seconds(req.seconds);
        if (asked < *deadline) *deadline = std::max(asked, at + seconds(1));
    }
    auto out = co_await defer([&] { return m.apply(id, domain::ev::extend_requested{*deadline}); });
    if (!out) co_return out.error();
    co_return to_api(out->row);
}

asio::awaitable<result<api::reservation>> reservation_service::release(std::string id) {
    auto& m = *impl_;
    auto row = m.load(id);
    if (!row) co_return row.error();
    auto out = co_await defer([&] { return m.apply(id, domain::ev::cancel_requested{}); });
    if (!out) co_return out.error();
    if (out->row.rec.state == reservation_state::cancelled) {
        m.queue.erase_if([&](const auto& e) { return e.item == id; });
    } else if (out->row.rec.state == reservation_state::releasing) {
        m.start_drive(id);
    }
    co_return to_api(out->row);
}

result<api::reconcile_report> reservation_service::reconcile() {
    api::reconcile_report rep;
    api::reservation_filter f;
    f.state = "confirm_unknown";
    auto rows = list(f);
    if (!rows) return rows.error();
    rep.confirm_unknown = std::move(*rows);
    return rep;
}

reservation_stats reservation_service::stats() const {
    const auto& m = *impl_;
    reservation_stats s;
    s.queue_depth = static_cast<std::int64_t>(m.queue.size());
    s.in_flight = m.in_flight;
    if (auto c = impl_->reader()) {
        if (auto counts = store::count_by_state(**c)) s.by_state = std::move(*counts);
    }
    auto sum = [](const timing_log& t) {
        return op_timing_summary{t.size(), t.percentile(0.5), t.percentile(0.99), t.max()};
    };
    s.placement = sum(m.place_timing);
    s.confirmation = sum(m.confirm_timing);
    s.placement_cpu = sum(m.place_cpu_timing);
    s.confirmation_cpu = sum(m.confirm_cpu_timing);
    return s;
}

}  // namespace agentd::app
