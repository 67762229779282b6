// The sync service's catalogue pass: events, their instances, then the price lists and plans
// those instances use, each answer handed to a writer job (jobs.hpp).
#include "agentd/mirror/fan_out.hpp"
#include "agentd/mirror/fetch.hpp"
#include "agentd/mirror/jobs.hpp"
#include "agentd/mirror/state.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/await_job.hpp"

#include <algorithm>
#include <memory>
#include <set>

namespace agentd::mirror {

namespace asio = boost::asio;

struct sync_service::instance_listing {
    std::vector<upstream::event> events;
    std::vector<upstream::instance> instances;
    std::set<std::string> listed;  // events whose listing succeeded
    bool all_ok = true;
    bool cancelled = false;
};

struct sync_service::reference_work {
    struct item {
        bool plan = false;      // else a price list
        std::string id;
        std::string instance;   // an instance that uses it (the read is by instance)
    };
    std::vector<item> items;
    bool all_ok = true;
};

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
        auto job = fenced(record_sync_state(cs.name, state_row("catalogue", now, cs.catalogue_last_ok, msg, cs.catalogue_retry, std::nullopt)), cs.name, fence_);
        co_await store::await_job<bool>(db_, std::move(job));
    };

    auto events_call = cs.slots.run(cs.up->list_events(from, to, sync_call()));
    auto events = co_await std::move(events_call);
    count_request(events.has_value());
    if (!events) {
        if (!is_cancelled(events.error())) co_await fail_pass("list events: " + events.error().message);
        co_return;
    }
    auto events_job = fenced(write_events(cs.name, *events, ds, now), cs.name, fence_);
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

    // Every event's instances are listed at once, as many in flight as the client's slots allow.
    auto listing = std::make_shared<instance_listing>();
    listing->events = std::move(*events);
    std::function<asio::awaitable<void>(std::size_t)> list_one = [this, &cs, listing, from, to](std::size_t i) {
        return list_instances_of(cs, listing, i, from, to);
    };
    const std::string lane_name = "sync " + cs.name;
    co_await fan_out(tasks_, ex_, listing->events.size(), cs.slots.limit(), std::move(list_one), lane_name);
    if (listing->cancelled) co_return;
    bool all_ok = listing->all_ok;
    std::vector<upstream::instance> instances = std::move(listing->instances);
    std::set<std::string> listed = std::move(listing->listed);
    auto instances_job = fenced(write_instances(cs.name, std::move(instances), listed, ds, now), cs.name, fence_);
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
        auto job = fenced(record_sync_state(cs.name, state_row("catalogue", now, now, std::nullopt, now + interval, std::nullopt)), cs.name, fence_);
        auto w = co_await store::await_job<bool>(db_, std::move(job));
        std::lock_guard lk(stats_mu_);
        if (w) ++counters_.sync_state_rows_written;
    } else {
        co_await fail_pass("catalogue pass incomplete");
    }
}

asio::awaitable<void> sync_service::list_instances_of(client_state& cs, std::shared_ptr<instance_listing> l,
                                                     std::size_t i, std::string from, std::string to) {
    const std::string event_id = l->events[i].id;
    auto call = cs.slots.run(cs.up->list_instances(event_id, from, to, sync_call()));
    auto li = co_await std::move(call);
    count_request(li.has_value());
    if (!li) {
        if (is_cancelled(li.error())) {
            l->cancelled = true;
            co_return;
        }
        l->all_ok = false;
        note_failure(cs, "catalogue", "list instances of event " + event_id + ": " + li.error().message);
        co_return;
    }
    l->listed.insert(event_id);
    for (auto& inst : *li) {
        if (inst.event_id.empty()) inst.event_id = event_id;
        l->instances.push_back(std::move(inst));
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
    auto work = std::make_shared<reference_work>();
    for (const auto& [pl_id, inst] : price_lists)
        if (!fresh("price_list:" + pl_id)) work->items.push_back({false, pl_id, inst});
    for (const auto& [plan_id, inst] : plans)
        if (!fresh("plan:" + plan_id)) work->items.push_back({true, plan_id, inst});
    // Downloads run side by side; each lane hands its answer to the writer and awaits only its
    // own commit, while the other lanes (and the availability workers) keep the slots busy.
    std::function<asio::awaitable<void>(std::size_t)> fetch_one = [this, &cs, work, now](std::size_t i) {
        return fetch_reference(cs, work, i, now);
    };
    const std::string lane_name = "sync " + cs.name;
    co_await fan_out(tasks_, ex_, work->items.size(), cs.slots.limit(), std::move(fetch_one), lane_name);
    if (!work->all_ok) all_ok = false;
}

asio::awaitable<void> sync_service::fetch_reference(client_state& cs, std::shared_ptr<reference_work> work,
                                                   std::size_t i, sys_time now) {
    const auto interval = std::chrono::duration_cast<sys_time::duration>(settings_.catalogue_interval);
    const auto item = work->items[i];
    const std::string key = (item.plan ? "plan:" : "price_list:") + item.id;
    write_outcome written;
    if (!item.plan) {
        auto call = cs.slots.run(cs.up->get_price_list(item.instance, sync_call()));
        auto pl = co_await std::move(call);
        count_request(pl.has_value());
        if (!pl) {
            if (is_cancelled(pl.error())) co_return;
            work->all_ok = false;
            note_failure(cs, "catalogue", "get price list " + item.id + ": " + pl.error().message);
            co_return;
        }
        if (pl->id.empty()) pl->id = item.id;
        auto row = state_row(key, now, now, std::nullopt, now + interval, hash_of(*pl));
        auto job = fenced(write_price_list(cs.name, std::move(*pl), std::move(row), now), cs.name, fence_);
        auto w = co_await store::await_job<write_outcome>(db_, std::move(job));
        if (!w) {
            work->all_ok = false;
            note_failure(cs, "catalogue", "write price list " + item.id + ": " + w.error().message);
            co_return;
        }
        written = *w;
    } else {
        auto call = cs.slots.run(cs.up->get_plan(item.instance, sync_call()));
        auto p = co_await std::move(call);
        count_request(p.has_value());
        if (!p) {
            if (is_cancelled(p.error())) co_return;
            work->all_ok = false;
            note_failure(cs, "catalogue", "get plan " + item.id + ": " + p.error().message);
            co_return;
        }
        // The mirror keys plans by the instance's planId, whatever id the root area carries.
        p->id = item.id;
        auto row = state_row(key, now, now, std::nullopt, now + interval, hash_of(*p));
        auto job = fenced(write_plan(cs.name, std::move(*p), std::move(row), now), cs.name, fence_);
        auto w = co_await store::await_job<write_outcome>(db_, std::move(job));
        if (!w) {
            work->all_ok = false;
            note_failure(cs, "catalogue", "write plan " + item.id + ": " + w.error().message);
            co_return;
        }
        written = *w;
    }
    cs.fetched[key] = now;
    feed(written.last_feed_seq);
    std::lock_guard lk(stats_mu_);
    counters_.catalogue_rows_written += written.rows;
    counters_.feed_rows += written.feed_rows;
    ++counters_.catalogue_downloads;
    ++counters_.sync_state_rows_written;
}

}  // namespace agentd::mirror
