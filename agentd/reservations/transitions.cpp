// The one way a reservation changes: a domain transition computed and stored inside one
// durable writer job (history and feed in the same transaction). See service_impl.hpp.
#include "agentd/domain/history_note.hpp"
#include "agentd/reservations/convert.hpp"
#include "agentd/reservations/driver_support.hpp"

#include "agentd/log/log.hpp"

namespace agentd::reservations {
namespace asio = boost::asio;
using namespace driver_support;

namespace {

// A local write that failed for a reason that passes (disk full, busy, queue full) rather
// than because the stored state refuses the transition.
bool local_write_may_pass(const error& e) {
    switch (e.code) {
    case errc::io_error:
    case errc::unavailable:
    case errc::timeout:
    case errc::internal:
        return true;
    default:
        return false;
    }
}

// What a channel asks for, written by whichever node it talks to; every other event is the
// driver's and is fenced by the venue's lease.
bool intake_event(const domain::event& ev) {
    return std::holds_alternative<domain::ev::confirm_requested>(ev) ||
           std::holds_alternative<domain::ev::cancel_requested>(ev) ||
           std::holds_alternative<domain::ev::resolve_sold>(ev) || std::holds_alternative<domain::ev::resolve_not_sold>(ev);
}

}  // namespace

std::function<result<reservation_service::impl::applied>(store::write_txn&)> reservation_service::impl::transition_job(std::string id,
                                                                                           domain::event ev,
                                                                                           amend_fn amend,
                                                                                           std::string note,
                                                                                           sys_time now,
                                                                                           fence_fn fence) {
    return [id = std::move(id), ev = std::move(ev), amend = std::move(amend), note = std::move(note),
            now, fence = std::move(fence)](store::write_txn& t) -> result<reservation_service::impl::applied> {
        auto loaded = store::load_reservation(t.conn(), id);
        if (!loaded) return loaded.error();
        if (!*loaded) return fail(errc::not_found, "update reservation " + id + ": unknown id");
        store::reservation_row row = std::move(**loaded);
        // In the same transaction as the write: a node that lost the venue cannot commit.
        if (fence)
            if (auto f = fence(t, row.client); !f) return f.error();
        auto next = domain::transition(row.rec, ev, now);
        if (!next) return next.error();
        const bool seats_changed = next->next.seats.size() != row.rec.seats.size();
        row.rec = next->next;
        if (seats_changed) row.details.resize(row.rec.seats.size());
        bool owner_changed = false;
        if (amend) {
            const std::string channel = row.channel, key = row.idempotency_key;
            const std::uint64_t hash = row.request_hash;
            amend(row);
            owner_changed = row.channel != channel || row.idempotency_key != key || row.request_hash != hash;
        }
        auto sentence = domain::history_note(*next);
        if (!note.empty()) sentence += "; " + note;
        auto seq = store::save_transition(t, row, *next, sentence, feed_payload(row), owner_changed);
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

result<store::connection*> reservation_service::impl::reader() { return rd.conn(); }

result<store::reservation_row> reservation_service::impl::load(std::string_view id) {
    auto c = reader();
    if (!c) return c.error();
    auto row = store::load_reservation(**c, id);
    if (!row) return row.error();
    if (!*row) return fail(errc::not_found, "reservation " + std::string(id) + ": no such reservation");
    return std::move(**row);
}

asio::awaitable<result<reservation_service::impl::applied>> reservation_service::impl::apply(std::string id, domain::event ev, amend_fn amend,
                                                                  std::string note) {
    // Not a coroutine: the arguments move straight into the job (see transition_job).
    const auto start = std::chrono::steady_clock::now();
    std::string key = id;
    fence_fn fence = intake_event(ev) ? fence_fn{} : ownership.fence;
    return run_job<reservation_service::impl::applied>(transition_job(std::move(id), std::move(ev), std::move(amend), std::move(note), clock.now(), std::move(fence)),
                            [this, start, key = std::move(key)](const result<reservation_service::impl::applied>& r) {
                                commit_wait[key] += std::chrono::steady_clock::now() - start;
                                if (r) {
                                    note_version(r->row);
                                    note_committed(r->row);
                                }
                                if (r && on_feed) on_feed(static_cast<std::uint64_t>(r->feed_seq));
                            });
}

asio::awaitable<result<reservation_service::impl::applied>> reservation_service::impl::record(std::string id, domain::event ev, amend_fn amend,
                                                                   std::string note) {
    for (int attempt = 1;; ++attempt) {
        auto a = co_await apply(id, ev, amend, note);
        if (a || !local_write_may_pass(a.error())) co_return a;
        log::warn("reservations", "record", "storing an upstream outcome failed; retrying the local write",
                  {{"id", id}, {"attempt", static_cast<std::int64_t>(attempt)}, {"error", a.error().message}});
        if (co_await cancelled()) co_return a;
        co_await pause(backoff_delay(attempt));
    }
}

std::chrono::milliseconds reservation_service::impl::backoff_delay(int attempt) {
    // Half fixed, half jitter: never zero, so a retry loop cannot spin.
    const auto ceiling = cfg.backoff.ceiling(attempt);
    const double unit = std::uniform_real_distribution<double>(0.5, 1.0)(rng);
    return std::max(std::chrono::milliseconds(1), std::chrono::milliseconds(static_cast<std::int64_t>(double(ceiling.count()) * unit)));
}

void reservation_service::set_write_fault(write_fault f) { impl_->fault = std::move(f); }
void reservation_service::set_ownership(ownership_hooks h) { impl_->ownership = std::move(h); }

void reservation_service::impl::note_version(const store::reservation_row& row) {
    if (domain::is_terminal(row.rec.state)) {
        if (auto it = versions.find(row.id); it != versions.end()) versions.erase(it);
        return;
    }
    versions.insert_or_assign(row.id, static_cast<std::int64_t>(row.rec.version));
}

std::optional<std::int64_t> reservation_service::known_version(std::string_view id) const {
    auto it = impl_->versions.find(id);
    if (it == impl_->versions.end()) return std::nullopt;
    return it->second;
}

}  // namespace agentd::reservations
