// The sync service's catalogue pass: events, their instances, then the price lists and plans
// those instances use, each answer handed to a writer job (jobs.hpp).
#include "agentd/mirror/fetch.hpp"
#include "agentd/mirror/jobs.hpp"
#include "agentd/mirror/state.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/await_job.hpp"

#include <algorithm>
#include <set>

namespace agentd::mirror {

namespace asio = boost::asio;

asio::awaitable<void> sync_service::sync_catalogue(client_state& cs) {
    const auto now = clock_.now();
    const auto interval = std::chrono::duration_cast<sys_time::duration>(settings_.catalogue_interval);
    const auto from = format_date_utc(now);
    const auto to = format_date_utc(now + std::chrono::hours(24) * settings_.catalogue_days_ahead);
    const auto ds = diff_of(settings_);
    auto fail_pass = [&](std::string msg) -> asio::awaitable<void> {
        ++cs.catalogue_failures;
        cs.catalogue_retry = now + retry_delay(cs.catalogue_failures, interval);
        note_failure(cs, "catalogue", msg);
        auto job = record_sync_state(cs.name, state_row("catalogue", now, cs.catalogue_last_ok, msg, cs.catalogue_retry, std::nullopt));
        co_await store::await_job<bool>(db_, std::move(job));
    };

    auto events = co_await cs.up->list_events(from, to, sync_call());
    count_request(events.has_value());
    if (!events) {
        if (!is_cancelled(events.error())) co_await fail_pass("list events: " + events.error().message);
        co_return;
    }
    auto events_job = write_events(cs.name, *events, ds, now);
    auto ev = co_await store::await_job<write_outcome>(db_, std::move(events_job));
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
    auto instances_job = write_instances(cs.name, std::move(instances), listed, ds, now);
    auto in = co_await store::await_job<instances_outcome>(db_, std::move(instances_job));
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
        auto job = record_sync_state(cs.name, state_row("catalogue", now, now, std::nullopt, now + interval, std::nullopt));
        auto w = co_await store::await_job<bool>(db_, std::move(job));
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
        auto job = write_price_list(cs.name, std::move(*pl), std::move(row), now);
        auto w = co_await store::await_job<write_outcome>(db_, std::move(job));
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
        auto job = write_plan(cs.name, std::move(*p), std::move(row), now);
        auto w = co_await store::await_job<write_outcome>(db_, std::move(job));
        if (!w) {
            all_ok = false;
            note_failure(cs, "catalogue", "write plan " + plan_id + ": " + w.error().message);
            continue;
        }
        record(key, h, w->rows, w->feed_rows, w->last_feed_seq);
    }
}

}  // namespace agentd::mirror
