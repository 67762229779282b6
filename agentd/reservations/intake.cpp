// Intake: what channels and operators ask of the queue (create, read, confirm, extend,
// release, resolve). Each request is answered from one durable transition; the upstream work
// follows in the driver. See service_impl.hpp.
#include "agentd/reservations/convert.hpp"
#include "agentd/reservations/driver_support.hpp"

#include "agentd/core/id.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"

#include <algorithm>

namespace agentd::reservations {
namespace asio = boost::asio;
using domain::reservation_state;

namespace {

struct created_row {
    store::reservation_row row;
    bool replayed = false;
    std::int64_t seq = 0;
};

// Built outside any coroutine body: GCC 12 mishandles lambdas with by-value captures that are
// created inside a coroutine and outlive its current suspension.
std::function<result<created_row>(store::write_txn&)> insert_job(store::reservation_row row) {
    return [row = std::move(row)](store::write_txn& t) -> result<created_row> {
        // The UNIQUE (channel, idempotency_key) constraint finds a concurrent first try with the
        // same key; only then is the row read, to answer as a replay.
        auto seq = store::insert_reservation(t, row, feed_payload(row));
        if (seq) return created_row{row, false, *seq};
        if (seq.error().code != errc::conflict) return seq.error();
        auto again = store::find_reservation_by_key(t.conn(), row.channel, row.idempotency_key);
        if (!again) return again.error();
        if (!*again) return seq.error();
        if (auto same = domain::compare_request_hash((*again)->request_hash, row.request); !same) return same.error();
        return created_row{std::move(**again), true, 0};
    };
}

}  // namespace

reservation_service::reservation_service(asio::any_io_executor ex, store::database& db, std::string db_path, settings s,
                                         std::vector<res_client> clients, const domain::catalogue_view& catalogue,
                                         const agentd::clock& clock, std::function<void(std::uint64_t)> on_feed,
                                         std::function<void(std::string_view, std::string_view)> on_activity)
    : impl_(std::make_unique<impl>(std::move(ex), db, std::move(db_path), std::move(s), std::move(clients), catalogue,
                                   clock, std::move(on_feed), std::move(on_activity))) {}

reservation_service::~reservation_service() = default;

std::size_t reservation_service::tasks_left() const noexcept { return impl_->children.size(); }

namespace {

// "Not yours" and "no such id" must read the same; callers only ever see this.
error no_such(std::string_view verb) { return fail(errc::not_found, std::string(verb) + " reservation: no such reservation"); }

bool same_confirm(const domain::reservation& r, const domain::end_customer& c) {
    return r.customer && r.customer->first_name == c.first_name && r.customer->last_name == c.last_name &&
           r.customer->address_line1 == c.address_line1 && r.customer->reference == c.reference;
}

}  // namespace

asio::awaitable<result<api::created_reservation>> reservation_service::create(std::string channel,
                                                                              std::string idempotency_key,
                                                                              api::reservation_request req) {
    auto& m = *impl_;
    const sys_time now = m.clock.now();
    if (!valid_id(channel)) co_return fail(errc::invalid_argument, "create reservation: channel name is invalid");
    if (!valid_id(idempotency_key))
        co_return fail(errc::invalid_argument,
                       "create reservation: Idempotency-Key must be 1-128 characters of [A-Za-z0-9_.:-]");
    auto dreq = to_domain(req);

    // A retry is answered before anything else is checked: the catalogue may have moved on
    // since the first try, but that reservation exists and is being driven. A retry that
    // passes the checks is found by the insert's UNIQUE (channel, key) constraint instead, so
    // the common first try reads nothing before its insert.
    using created = result<api::created_reservation>;
    auto replay = [&]() -> std::optional<created> {
        auto c = m.reader();
        if (!c) return created(c.error());
        auto existing = store::find_reservation_by_key(**c, channel, idempotency_key);
        if (!existing) return created(existing.error());
        if (!*existing) return std::nullopt;
        if (auto same = domain::compare_request_hash((*existing)->request_hash, dreq); !same) return created(same.error());
        m.drive_if_orphaned(**existing);
        return created(api::created_reservation{to_api(**existing), true});
    };
    auto refuse = [&](error e) -> created {
        if (auto r = replay()) return std::move(*r);
        return e;
    };

    const auto* client = m.client_named(dreq.client);
    if (!client || client->accounts.empty())
        co_return refuse(fail(errc::not_found, "create reservation: unknown client " + dreq.client));
    if (auto v = domain::validate_request(dreq, m.cfg.limits, m.catalogue, now); !v) co_return refuse(v.error());
    if (auto st = m.window_now(dreq.client); st.inside && st.refuse_creates) {
        error e{errc::do_not_transact, "create reservation: client " + dreq.client + " is in do-not-transact window '" +
                                           st.name + "' until " + format_iso_utc(st.ends_at) + "; retry then"};
        e.retry_at = st.ends_at;
        co_return refuse(std::move(e));
    }

    // A pool's ready hold that satisfies the request is handed over by one durable transition,
    // with no upstream call (docs/pools.md); otherwise the request goes the normal way. A retry
    // of a create a pool already served is answered as it stands, never served a second hold.
    if (!m.pools_cfg.pools.empty()) {
        if (auto r = replay()) co_return std::move(*r);
        if (auto drawn = co_await m.draw(channel, idempotency_key, dreq))
            co_return api::created_reservation{to_api(drawn->row), drawn->replayed};
    }

    if (m.queue.size() + m.pending_total >= m.cfg.queue.max_total)
        co_return refuse(fail(errc::unavailable, "create reservation: queue is full; retry later"));
    if (m.queue.backlog(channel) + m.pending_per_channel[channel] >= m.cfg.queue.max_per_channel)
        co_return refuse(fail(errc::rate_limited, "create reservation for channel " + channel + ": backlog is full; retry later"));

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
    auto out = co_await m.run_job<created_row>(insert_job(std::move(row)));
    --m.pending_total;
    if (--m.pending_per_channel[channel] == 0) m.pending_per_channel.erase(channel);
    if (!out) {
        // A full disk or writer queue is a retryable 503, never a conflict.
        // A retry of an acknowledged request is still answered from what is stored.
        if (out.error().code == errc::io_error)
            co_return refuse(error{errc::unavailable, "create reservation: " + out.error().message});
        co_return out.error();
    }
    if (out->replayed) {
        m.drive_if_orphaned(out->row);
    } else {
        m.note_version(out->row);
        m.enqueue(out->row);
        // Answering locally is a driver's decision: only the venue's owner makes it.
        if (m.owned(out->row.client)) m.admit(out->row);
        if (m.on_feed) m.on_feed(static_cast<std::uint64_t>(out->seq));
        if (m.on_activity) m.on_activity(out->row.client, out->row.instance);
    }
    co_return api::created_reservation{to_api(out->row), out->replayed};
}

result<api::reservation> reservation_service::get(std::string_view id) {
    if (!valid_id(id)) return no_such("get");
    auto row = impl_->load(id);
    if (!row) return row.error().code == errc::not_found ? no_such("get") : row.error();
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
    if (!valid_id(id)) return no_such("get history of");
    auto row = impl_->load(id);
    if (!row) return row.error().code == errc::not_found ? no_such("get history of") : row.error();
    auto c = impl_->reader();
    if (!c) return c.error();
    auto rows = store::load_history(**c, id);
    if (!rows) return rows.error();
    std::vector<api::history_entry> out;
    for (const auto& h : *rows) {
        // The stored note is the transition's sentence (domain/history_note.hpp); rows written
        // before sentences existed have only the event's verb.
        std::string note = h.note.empty() ? h.event : h.note;
        out.push_back({h.version, h.to_state, h.at, std::move(note)});
    }
    return out;
}

asio::awaitable<result<api::reservation>> reservation_service::confirm(std::string id, api::confirm_request req) {
    auto& m = *impl_;
    domain::end_customer cust{req.cust.first_name, req.cust.last_name, req.cust.address_line1, req.reference};
    if (auto ok = domain::validate_confirm(cust); !ok) co_return ok.error();
    if (!valid_id(id)) co_return no_such("confirm");
    // Named, not built in the co_await statement: GCC 12 destroys an aggregate temporary with
    // non-trivial members there twice (see tests/unit/core/coro_temporaries_test.cpp).
    domain::event requested = domain::ev::confirm_requested{cust};
    auto out = co_await m.apply(id, std::move(requested));
    if (!out) {
        if (out.error().code == errc::not_found) co_return no_such("confirm");
        // A retry of an accepted confirm (same customer and reference) gets the same answer.
        if (out.error().code == errc::conflict) {
            auto row = m.load(id);
            if (row && row->rec.state != reservation_state::held && same_confirm(row->rec, cust)) {
                m.start_drive(id);
                co_return to_api(*row);
            }
        }
        co_return out.error();
    }
    m.hold_deadlines.erase(id);
    m.start_drive(id);
    co_return to_api(out->row);
}

asio::awaitable<result<api::reservation>> reservation_service::extend(std::string id, api::extend_request req) {
    return impl_->extend_hold(std::move(id), req.seconds);
}

asio::awaitable<result<api::reservation>> reservation_service::impl::extend_hold(std::string id, std::int64_t extra_seconds) {
    auto& m = *this;
    api::extend_request req{extra_seconds};
    if (req.seconds < 0) co_return fail(errc::invalid_argument, "extend reservation: seconds must not be negative");
    if (!valid_id(id)) co_return no_such("extend");
    auto row = m.load(id);
    if (!row) {
        if (row.error().code == errc::not_found) co_return no_such("extend");
        co_return row.error();
    }
    if (row->rec.state != reservation_state::held || !row->rec.expires_at)
        co_return fail(errc::conflict, "extend reservation in state " + std::string(domain::to_string(row->rec.state)) +
                                           ": not allowed");
    const auto& hold = m.hold_for(*row);
    if (auto ok = domain::check_extension(row->rec.created_at, *row->rec.expires_at, m.clock.now(), hold); !ok)
        co_return ok.error();
    const auto now_mono = std::chrono::steady_clock::now();
    if (auto last = m.last_extend.find(id);
        last != m.last_extend.end() && now_mono - last->second < m.cfg.extend_min_interval)
        co_return fail(errc::rate_limited, "extend reservation " + id + ": extended less than " +
                                               std::to_string(m.cfg.extend_min_interval.count()) + " s ago; retry later");
    if (auto st = m.window_now(row->client); st.inside) {
        error e{errc::do_not_transact, "extend reservation " + id + ": client " + row->client +
                                           " is in do-not-transact window '" + st.name + "' until " +
                                           format_iso_utc(st.ends_at)};
        e.retry_at = st.ends_at;
        co_return e;
    }
    // Serialised with the drive: a confirm or release of this reservation waits for the touch.
    if (m.busy.contains(id)) co_return fail(errc::unavailable, "extend reservation " + id + ": busy; retry shortly");
    // The basket is touched upstream: only the node driving the venue may do that.
    if (!m.owned(row->client))
        co_return fail(errc::unavailable, "extend reservation " + id + ": venue " + row->client + " is driven by " +
                                              (m.ownership.owner_hint.empty() ? std::string("another node")
                                                                              : m.ownership.owner_hint) +
                                              "; retry there or after a takeover");
    auto* up = m.client_for(*row);
    if (!up) co_return fail(errc::internal, "extend reservation " + id + ": no upstream for client " + row->client);
    m.busy.insert(id);
    m.last_extend[id] = now_mono;
    struct release_busy {
        reservation_service::impl& m;
        std::string id;
        ~release_busy() {
            m.busy.erase(id);
            if (m.again.erase(id)) m.start_drive(id);
        }
    } guard{m, id};
    // A modifying call without customer data restarts the basket's sliding lifetime (docs/upstream-contract.md U9).
    const sys_time sent = m.clock.now();
    const impl::sent_at sent_now{sent, std::chrono::steady_clock::now()};
    auto touched = co_await up->touch_basket(row->rec.basket_id, m.write_options(true));
    if (!touched) {
        auto e = touched.error().to_error();
        co_return error{e.code, "extend reservation " + id + ": " + e.message};
    }
    auto deadline = domain::extended_deadline(row->rec.created_at, *row->rec.expires_at, sent, hold);
    if (!deadline) co_return deadline.error();
    if (req.seconds > 0) {
        // A shorter extension than the maximum the lifetime allows is honoured.
        auto asked = *row->rec.expires_at + seconds(req.seconds);
        if (asked < *deadline) *deadline = std::max(asked, sent + seconds(1));
    }
    auto out = co_await m.record(id, domain::ev::extend_requested{*deadline, sent});
    if (!out) co_return out.error();
    // The countdown runs from this touch: after a wall-clock step back the stored deadline (never
    // shortened on the wall clock) may lie beyond what this touch gives upstream's lifetime.
    if (out->row.rec.expires_at) {
        const auto own = domain::local_deadline(row->rec.created_at, sent, hold);
        const auto effective = std::min(*out->row.rec.expires_at, own);
        m.hold_deadlines[id] = sent_now.mono + std::chrono::duration_cast<std::chrono::steady_clock::duration>(effective - sent);
    }
    co_return to_api(out->row);
}

asio::awaitable<result<api::reservation>> reservation_service::release(std::string id) {
    return impl_->release_hold(std::move(id));
}

asio::awaitable<result<api::reservation>> reservation_service::impl::release_hold(std::string id) {
    auto& m = *this;
    if (!valid_id(id)) co_return no_such("release");
    auto row = m.load(id);
    if (!row) {
        if (row.error().code == errc::not_found) co_return no_such("release");
        co_return row.error();
    }
    // A retry of an acknowledged release answers as the reservation stands.
    const auto st = row->rec.state;
    if (st == reservation_state::releasing || st == reservation_state::released || st == reservation_state::cancelled ||
        (st == reservation_state::placing && row->rec.cancel_pending)) {
        if (st == reservation_state::releasing) m.start_drive(id);
        co_return to_api(*row);
    }
    auto out = co_await m.apply(id, domain::ev::cancel_requested{});
    if (!out) co_return out.error();
    const auto now_state = out->row.rec.state;
    if (now_state == reservation_state::cancelled || now_state == reservation_state::releasing) {
        m.queue.erase_if([&](const auto& e) { return e.item == id; });
        if (!m.busy.contains(id)) m.local.stop_placing(id);  // its seats are no longer claimed
    }
    if (now_state == reservation_state::releasing) {
        m.hold_deadlines.erase(id);
        m.start_drive(id);
    }
    co_return to_api(out->row);
}

asio::awaitable<result<api::reservation>> reservation_service::resolve(std::string id, api::resolve_request req) {
    auto& m = *impl_;
    if (!valid_id(id)) co_return no_such("resolve");
    if (req.sold && !valid_id(req.order_id))
        co_return fail(errc::invalid_argument, "resolve reservation: --sold needs the venue's order id");
    if (req.note.size() > 512) co_return fail(errc::invalid_argument, "resolve reservation: note is longer than 512 characters");
    domain::event ev = req.sold ? domain::event{domain::ev::resolve_sold{req.order_id, req.note}}
                                : domain::event{domain::ev::resolve_not_sold{req.note}};
    // The history sentence names the order and carries the operator's note.
    auto out = co_await m.apply(id, std::move(ev));
    if (!out) {
        if (out.error().code == errc::not_found) co_return no_such("resolve");
        co_return out.error();
    }
    log::info("reservations", "resolve", "confirm_unknown settled by an operator",
              {{"id", id}, {"sold", req.sold ? "yes" : "no"}, {"order", req.order_id}});
    if (out->row.rec.state == reservation_state::releasing) m.start_drive(id);
    co_return to_api(out->row);
}

result<api::reconcile_report> reservation_service::reconcile() {
    api::reconcile_report rep;
    api::reservation_filter f;
    f.state = "confirm_unknown";
    auto rows = list(f);
    if (!rows) return rows.error();
    rep.confirm_unknown = std::move(*rows);
    auto c = impl_->reader();
    if (!c) return c.error();
    auto confirmed = store::confirmed_needing_attention(**c);
    if (!confirmed) return confirmed.error();
    for (const auto& r : *confirmed) {
        if (!r.rec.order_mismatch.empty()) rep.order_mismatch.push_back(to_api(r));
        if (r.rec.order_id.empty()) rep.sold_unread.push_back(to_api(r));
    }
    return rep;
}

reservation_stats reservation_service::stats() const {
    const auto& m = *impl_;
    reservation_stats s;
    s.queue_depth = static_cast<std::int64_t>(m.queue.size());
    s.in_flight = m.in_flight;
    s.answered_locally = static_cast<std::int64_t>(m.local.answered);
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

}  // namespace agentd::reservations
