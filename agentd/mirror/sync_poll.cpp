// The sync service's upstream polls: one catalogue pass and one instance's availability.
#include "agentd/mirror/db_job.hpp"
#include "agentd/mirror/mirror_writes.hpp"
#include "agentd/mirror/sync_service.hpp"
#include "agentd/mirror/sync_state.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/mirror_store.hpp"

#include <algorithm>
#include <set>

namespace agentd::app {

namespace asio = boost::asio;
using namespace sync;

namespace {

upstream::call_options sync_call() {
    upstream::call_options o;
    o.prio = upstream::priority::sync;
    return o;
}

bool is_cancelled(const upstream::failure& f) { return f.cls == upstream::error_class::cancelled; }

domain::diff_settings diff_of(const config::sync_settings& s) {
    domain::diff_settings d;
    d.tombstone_after_misses = static_cast<int>(std::max<std::int64_t>(1, s.tombstone_after));
    d.max_removal_share = s.max_removal_share;
    return d;
}

store::mirror_sync_state_row state_row(std::string resource, sys_time now, std::optional<sys_time> last_ok,
                                       std::optional<std::string> err, sys_time next_due,
                                       std::optional<std::uint64_t> hash) {
    store::mirror_sync_state_row r;
    r.resource = std::move(resource);
    r.last_attempt = to_ms(now);
    if (last_ok) r.last_success = to_ms(*last_ok);
    r.last_error = std::move(err);
    r.next_due = to_ms(next_due);
    r.content_hash = hash;
    return r;
}

}  // namespace

asio::awaitable<void> sync_service::sync_catalogue(client_state& cs) {
    const auto now = clock_.now();
    const auto interval = std::chrono::duration_cast<sys_time::duration>(settings_.catalogue_interval);
    const auto from = format_date_utc(now);
    const auto to = format_date_utc(now + std::chrono::hours(24) * settings_.catalogue_days_ahead);
    const auto ds = diff_of(settings_);
    auto fail_pass = [&](std::string msg) -> asio::awaitable<void> {
        ++cs.catalogue_failures;
        const auto backoff = std::min<sys_time::duration>(
            interval, std::chrono::seconds(1) * (1 << std::min(cs.catalogue_failures, 10)));
        cs.catalogue_retry = now + backoff;
        note_failure(cs, "catalogue", msg);
        auto row = state_row("catalogue", now, cs.catalogue_last_ok, msg, cs.catalogue_retry, std::nullopt);
        std::function<result<bool>(store::write_txn&)> job0 = [client = cs.name, row](store::write_txn& t) -> result<bool> {
            if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
            return true;
        };
        co_await run_job<bool>(db_, std::move(job0));
    };

    auto events = co_await cs.up->list_events(from, to, sync_call());
    count_request(events.has_value());
    if (!events) {
        if (!is_cancelled(events.error())) co_await fail_pass("list events: " + events.error().message);
        co_return;
    }
    std::function<result<write_outcome>(store::write_txn&)> job1 = [client = cs.name, list = *events, ds, now](store::write_txn& t) {
        return apply_events(t, client, list, ds, now);
    };
    auto ev = co_await run_job<write_outcome>(db_, std::move(job1));
    if (!ev) {
        co_await fail_pass("write events: " + ev.error().message);
        co_return;
    }
    feed(ev->last_feed_seq);
    {
        std::lock_guard lk(stats_mu_);
        counters_.catalogue_rows_written += ev->rows;
        counters_.feed_rows += ev->feed_rows;
        if (ev->refused) ++counters_.refused_removals;
    }
    if (ev->refused) {
        log::error("sync", "catalogue", "refused a mass removal of events", {{"client", cs.name}, {"reason", ev->refusal}});
        co_await fail_pass("refused: " + ev->refusal);
        co_return;
    }

    std::vector<upstream::instance> instances;
    std::set<std::string> listed;
    bool all_ok = true;
    for (const auto& e : *events) {
        auto li = co_await cs.up->list_instances(e.id, from, to, sync_call());
        count_request(li.has_value());
        if (!li) {
            if (is_cancelled(li.error())) co_return;
            all_ok = false;
            note_failure(cs, "catalogue", "list instances of event " + e.id + ": " + li.error().message);
            continue;
        }
        listed.insert(e.id);
        for (auto& i : *li) {
            if (i.event_id.empty()) i.event_id = e.id;
            instances.push_back(std::move(i));
        }
    }
    std::function<result<instances_outcome>(store::write_txn&)> job2 = [client = cs.name, list = std::move(instances), listed, ds, now](store::write_txn& t) {
            return apply_instances(t, client, list, listed, ds, now);
        };
    auto in = co_await run_job<instances_outcome>(db_, std::move(job2));
    if (!in) {
        co_await fail_pass("write instances: " + in.error().message);
        co_return;
    }
    feed(in->w.last_feed_seq);
    {
        std::lock_guard lk(stats_mu_);
        counters_.catalogue_rows_written += in->w.rows;
        counters_.feed_rows += in->w.feed_rows;
        if (in->w.refused) ++counters_.refused_removals;
    }
    if (in->w.refused) {
        log::error("sync", "catalogue", "refused a mass removal of instances",
                   {{"client", cs.name}, {"reason", in->w.refusal}});
        co_await fail_pass("refused: " + in->w.refusal);
        co_return;
    }
    std::set<std::string> live;
    for (const auto& row : in->live) {
        live.insert(row.id);
        auto& is = cs.instances[row.id];
        auto start = parse_iso(row.start_utc);
        is.start = start ? *start : sys_time{};
        is.cancelled = row.cancelled;
        is.plan_id = row.plan_id;
        is.price_list_id = row.price_list_id;
        is.removed = false;
    }
    for (auto it = cs.instances.begin(); it != cs.instances.end();) {
        if (live.count(it->first)) {
            ++it;
        } else if (it->second.in_flight) {
            it->second.removed = true;
            ++it;
        } else {
            it = cs.instances.erase(it);
        }
    }
    wake(cs);  // availability can start while price lists and plans download

    co_await sync_reference_data(cs, now, all_ok);

    if (all_ok) {
        cs.catalogue_failures = 0;
        cs.catalogue_last_ok = now;
        cs.catalogue_retry = {};
        note_success(cs);
        auto row = state_row("catalogue", now, now, std::nullopt, now + interval, std::nullopt);
        std::function<result<bool>(store::write_txn&)> job3 = [client = cs.name, row](store::write_txn& t) -> result<bool> {
            if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
            return true;
        };
        auto w = co_await run_job<bool>(db_, std::move(job3));
        std::lock_guard lk(stats_mu_);
        if (w) ++counters_.sync_state_rows_written;
    } else {
        co_await fail_pass("catalogue pass incomplete");
    }
}

asio::awaitable<void> sync_service::sync_reference_data(client_state& cs, sys_time now, bool& all_ok) {
    const auto interval = std::chrono::duration_cast<sys_time::duration>(settings_.catalogue_interval);
    // One instance per distinct price list / plan: many instances share them.
    std::map<std::string, std::string> price_lists, plans;
    for (const auto& [id, is] : cs.instances) {
        if (is.removed) continue;
        if (!is.price_list_id.empty()) price_lists.emplace(is.price_list_id, id);
        if (!is.plan_id.empty()) plans.emplace(is.plan_id, id);
    }
    auto fresh = [&](const std::string& key) {
        auto it = cs.fetched.find(key);
        return it != cs.fetched.end() && now - it->second < interval;
    };
    auto record = [&](std::string key, std::uint64_t hash, std::uint64_t rows, std::uint64_t feed_rows, std::int64_t seq) {
        cs.fetched[key] = now;
        feed(seq);
        std::lock_guard lk(stats_mu_);
        counters_.catalogue_rows_written += rows;
        counters_.feed_rows += feed_rows;
        ++counters_.catalogue_downloads;
        ++counters_.sync_state_rows_written;
        (void)hash;
    };
    for (const auto& [pl_id, inst] : price_lists) {
        const std::string key = "price_list:" + pl_id;
        if (fresh(key)) continue;
        auto pl = co_await cs.up->get_price_list(inst, sync_call());
        count_request(pl.has_value());
        if (!pl) {
            if (is_cancelled(pl.error())) co_return;
            all_ok = false;
            note_failure(cs, "catalogue", "get price list " + pl_id + ": " + pl.error().message);
            continue;
        }
        if (pl->id.empty()) pl->id = pl_id;
        const auto h = hash_of(*pl);
        auto row = state_row(key, now, now, std::nullopt, now + interval, h);
        std::function<result<write_outcome>(store::write_txn&)> job4 = [client = cs.name, p = std::move(*pl), row, now](store::write_txn& t)
                                                          -> result<write_outcome> {
            auto out = apply_price_list(t, client, p, now);
            if (!out) return out;
            if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
            return out;
        };
        auto w = co_await run_job<write_outcome>(db_, std::move(job4));
        if (!w) {
            all_ok = false;
            note_failure(cs, "catalogue", "write price list " + pl_id + ": " + w.error().message);
            continue;
        }
        record(key, h, w->rows, w->feed_rows, w->last_feed_seq);
    }
    for (const auto& [plan_id, inst] : plans) {
        const std::string key = "plan:" + plan_id;
        if (fresh(key)) continue;
        auto p = co_await cs.up->get_plan(inst, sync_call());
        count_request(p.has_value());
        if (!p) {
            if (is_cancelled(p.error())) co_return;
            all_ok = false;
            note_failure(cs, "catalogue", "get plan " + plan_id + ": " + p.error().message);
            continue;
        }
        // The mirror keys plans by the instance's planId, whatever id the root area carries.
        p->id = plan_id;
        const auto h = hash_of(*p);
        auto row = state_row(key, now, now, std::nullopt, now + interval, h);
        std::function<result<write_outcome>(store::write_txn&)> job5 = [client = cs.name, pl = std::move(*p), row, now](store::write_txn& t)
                                                          -> result<write_outcome> {
            auto out = apply_plan(t, client, pl, now);
            if (!out) return out;
            if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
            return out;
        };
        auto w = co_await run_job<write_outcome>(db_, std::move(job5));
        if (!w) {
            all_ok = false;
            note_failure(cs, "catalogue", "write plan " + plan_id + ": " + w.error().message);
            continue;
        }
        record(key, h, w->rows, w->feed_rows, w->last_feed_seq);
    }
}

asio::awaitable<void> sync_service::sync_availability(client_state& cs, std::string id) {
    const auto policy = policy_of(settings_);
    const auto now = clock_.now();
    auto finish = [&](bool ok) {
        auto it = cs.instances.find(id);
        if (it == cs.instances.end()) return;
        it->second.in_flight = false;
        if (it->second.removed) {
            cs.instances.erase(it);
            return;
        }
        if (ok) {
            it->second.failures = 0;
            it->second.retry_after = {};
            return;
        }
        // Capped at four of the instance's intervals, so a venue that recovers is caught up soon.
        ++it->second.failures;
        const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                            it->second.last_reserved};
        const auto interval = domain::interval_of(domain::tier_for(act, now, policy), policy).value_or(seconds(60));
        const auto backoff = std::min<sys_time::duration>(seconds(1) * (1 << std::min(it->second.failures, 10)),
                                                          std::max<sys_time::duration>(interval * 4, seconds(1)));
        it->second.retry_after = now + backoff;
    };

    auto st = co_await cs.up->get_instance_status(id, sync_call());
    count_request(st.has_value());
    if (!st) {
        finish(false);
        if (!is_cancelled(st.error())) note_failure(cs, "availability", "get status of " + id + ": " + st.error().message);
        co_return;
    }

    std::vector<store::mirror_seat_status_input> seats;
    std::uint64_t ids_hash = 0;
    std::vector<std::uint8_t> states;
    bool seats_read = false;
    if (settings_.seat_status && cs.seat_status != false) {
        auto ss = co_await cs.up->get_seat_status(id, sync_call());
        count_request(ss.has_value() || ss.error().cls == upstream::error_class::not_found);
        if (!ss) {
            if (is_cancelled(ss.error())) {
                finish(false);
                co_return;
            }
            if (ss.error().cls != upstream::error_class::not_found) {
                finish(false);
                note_failure(cs, "availability", "get seat status of " + id + ": " + ss.error().message);
                co_return;
            }
            // The instance answered its status just now, so the 404 is the endpoint itself.
            cs.seat_status = false;
            log::info("sync", "capability", "seat status not offered; using counts only", {{"client", cs.name}});
            std::function<result<bool>(store::write_txn&)> job6 = [client = cs.name](store::write_txn& t) -> result<bool> {
                if (auto r = store::mirror_set_seat_status_capability(t, client, false); !r) return r.error();
                return true;
            };
            co_await run_job<bool>(db_, std::move(job6));
        } else {
            if (cs.seat_status != true) {
                cs.seat_status = true;
                std::function<result<bool>(store::write_txn&)> job7 = [client = cs.name](store::write_txn& t) -> result<bool> {
                    if (auto r = store::mirror_set_seat_status_capability(t, client, true); !r) return r.error();
                    return true;
                };
                co_await run_job<bool>(db_, std::move(job7));
            }
            seats_read = true;
            domain::content_hasher h;
            states.reserve(ss->size());
            for (const auto& s : *ss) {
                h.field(s.id);
                states.push_back(static_cast<std::uint8_t>(s.status));
            }
            ids_hash = h.value();
            auto it = cs.instances.find(id);
            const bool same_order = it != cs.instances.end() && it->second.seat_ids_hash == ids_hash &&
                                    it->second.seat_states.size() == states.size();
            for (std::size_t i = 0; i < ss->size(); ++i)
                if (!same_order || it->second.seat_states[i] != states[i])
                    seats.push_back({(*ss)[i].id, static_cast<int>(states[i])});
        }
    }
    {
        std::lock_guard lk(cs.mu);
        cs.prog.seat_status = cs.seat_status.value_or(false);
    }

    auto it = cs.instances.find(id);
    if (it == cs.instances.end()) co_return;
    const auto h = hash_of(*st);
    const bool status_changed = !it->second.status_hash || *it->second.status_hash != h;
    const domain::instance_activity act{it->second.start, it->second.cancelled, it->second.last_read,
                                        it->second.last_reserved};
    const auto next = domain::next_availability_due(act, now, now, policy).value_or(now);
    auto row = state_row("avail:" + id, now, now, std::nullopt, next, h);
    std::optional<upstream::instance_status> status;
    if (status_changed) status = std::move(*st);
    const bool unchanged = !status_changed && seats.empty();
    std::function<result<availability_outcome>(store::write_txn&)> job8 = [client = cs.name, id, status = std::move(status), seats = std::move(seats), row,
              now](store::write_txn& t) -> result<availability_outcome> {
            availability_input in;
            in.instance = id;
            in.status = status ? &*status : nullptr;
            in.seats = seats;
            in.state = row;
            return apply_availability(t, client, in, now);
        };
    auto w = co_await run_job<availability_outcome>(db_, std::move(job8));
    if (!w) {
        finish(false);
        note_failure(cs, "availability", "write availability of " + id + ": " + w.error().message);
        co_return;
    }
    it = cs.instances.find(id);
    if (it != cs.instances.end()) {
        it->second.last_ok = now;
        it->second.status_hash = h;
        if (seats_read) {
            it->second.seat_ids_hash = ids_hash;
            it->second.seat_states = std::move(states);
        }
    }
    finish(true);
    note_success(cs);
    feed(w->w.last_feed_seq);
    std::lock_guard lk(stats_mu_);
    ++counters_.availability_polls;
    if (unchanged) ++counters_.unchanged_polls;
    counters_.seat_rows_offered += w->seats.rows_offered;
    counters_.seat_rows_changed += w->seats.rows_changed;
    counters_.status_rows_changed += w->status_rows;
    counters_.feed_rows += w->w.feed_rows;
    ++counters_.sync_state_rows_written;
}

}  // namespace agentd::app
