// domain/fair_queue: the order in which queued reservations go upstream. FIFO within each
// (channel, client); channels share the service by weight (smooth weighted round robin, as
// in nginx upstreams); a client with its maximum of upstream operations in flight is skipped
// until done(client). Total length and each channel's backlog are bounded: push refuses with
// a retryable error instead of growing. Generic over the item (a reservation id in the
// daemon; items are ordered, so membership is a lookup). Every operation on the way of an
// acknowledgement is logarithmic, not a walk of the queue: thousands wait while a venue's
// upstream is slow, and each ack both checks membership and wakes pop().
// Not thread-safe: one owner (the queue worker) drives it.
#pragma once

#include "agentd/core/error.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace agentd::domain {

struct fair_queue_settings {
    std::size_t max_total = 10'000;        // all channels together
    std::size_t max_per_channel = 1'000;   // one channel's backlog
    int max_in_flight_per_client = 4;      // upstream operations per client at once
    std::map<std::string, int, std::less<>> channel_weights;  // absent: default_weight
    int default_weight = 1;
};

template <class T>
class fair_queue {
public:
    struct entry {
        std::string channel;
        std::string client;
        T item;
    };

    explicit fair_queue(fair_queue_settings s) : settings_(std::move(s)) {}

    // errc::unavailable when the whole queue is full, errc::rate_limited when this channel's
    // backlog is; both retryable, and the queue is unchanged.
    result<void> push(std::string channel, std::string client, T item) {
        if (total_ >= settings_.max_total)
            return fail(errc::unavailable, "queue reservation: queue is full (" + std::to_string(total_) +
                                               " waiting); retry later");
        auto& ch = channels_[channel];
        if (ch.items.size() >= settings_.max_per_channel)
            return fail(errc::rate_limited, "queue reservation for channel " + channel + ": backlog is full (" +
                                                std::to_string(ch.items.size()) + " waiting); retry later");
        add(ch, entry{std::move(channel), std::move(client), std::move(item)});
        return {};
    }

    // Queues an item that was already accepted once (a requeue, recovery, a rescan): never
    // refused, since refusing would strand work that a channel was told is queued.
    void readmit(std::string channel, std::string client, T item) {
        auto& ch = channels_[channel];
        add(ch, entry{std::move(channel), std::move(client), std::move(item)});
    }

    // Whether `item` is waiting (in any channel).
    template <class K>
    bool contains(const K& item) const {
        return items_.find(item) != items_.end();
    }

    template <class Pred>
    bool contains_if(Pred pred) const {
        for (const auto& [name, ch] : channels_)
            for (const auto& e : ch.items)
                if (pred(e)) return true;
        return false;
    }

    // The next item to send upstream, or nullopt when nothing is eligible (empty, or every
    // waiting client is at its in-flight bound). Counts the item's client as in flight.
    std::optional<entry> pop() {
        channel_state* best = nullptr;
        std::int64_t weight_sum = 0;
        for (auto& [name, ch] : channels_) {
            if (first_eligible(ch) == ch.items.end()) continue;
            const std::int64_t w = weight_of(name);
            ch.current += w;
            weight_sum += w;
            if (!best || ch.current > best->current) best = &ch;
        }
        if (!best) return std::nullopt;
        best->current -= weight_sum;
        auto it = first_eligible(*best);
        entry e = std::move(*it);
        best->items.erase(it);
        forget(*best, e);
        // An idle channel keeps neither credit nor debt into its next busy period.
        if (best->items.empty()) best->current = 0;
        ++in_flight_[e.client];
        return e;
    }

    // The upstream operation for `client` finished (any outcome). Unknown clients are ignored.
    void done(std::string_view client) {
        auto it = in_flight_.find(client);
        if (it == in_flight_.end()) return;
        if (--it->second <= 0) in_flight_.erase(it);
    }

    // Removes waiting items matching `pred(const entry&)` (e.g. a cancelled reservation).
    template <class Pred>
    std::size_t erase_if(Pred pred) {
        std::size_t n = 0;
        for (auto& [name, ch] : channels_) {
            for (auto it = ch.items.begin(); it != ch.items.end();) {
                if (pred(std::as_const(*it))) {
                    forget(ch, *it);
                    it = ch.items.erase(it);
                    ++n;
                } else {
                    ++it;
                }
            }
            if (ch.items.empty()) ch.current = 0;
        }
        return n;
    }

    std::size_t size() const noexcept { return total_; }
    bool empty() const noexcept { return total_ == 0; }
    std::size_t backlog(std::string_view channel) const {
        auto it = channels_.find(channel);
        return it == channels_.end() ? 0 : it->second.items.size();
    }
    int in_flight(std::string_view client) const {
        auto it = in_flight_.find(client);
        return it == in_flight_.end() ? 0 : it->second;
    }

private:
    struct channel_state {
        std::deque<entry> items;
        std::int64_t current = 0;  // smooth weighted round robin credit
        std::map<std::string, std::size_t, std::less<>> clients;  // items waiting per client
    };

    void add(channel_state& ch, entry e) {
        ++ch.clients[e.client];
        ++items_[e.item];
        ch.items.push_back(std::move(e));
        ++total_;
    }
    // Bookkeeping for an entry leaving `ch` (popped or erased).
    void forget(channel_state& ch, const entry& e) {
        if (auto c = ch.clients.find(e.client); c != ch.clients.end() && --c->second == 0) ch.clients.erase(c);
        if (auto i = items_.find(e.item); i != items_.end() && --i->second == 0) items_.erase(i);
        --total_;
    }

    std::int64_t weight_of(std::string_view channel) const {
        auto it = settings_.channel_weights.find(channel);
        int w = it == settings_.channel_weights.end() ? settings_.default_weight : it->second;
        return w < 1 ? 1 : w;
    }

    // First item whose client may start another operation; skipping a blocked client never
    // reorders that client's own items.
    typename std::deque<entry>::iterator first_eligible(channel_state& ch) {
        // Per client first, so a channel whose clients are all at their bound costs a lookup
        // per client instead of a walk of its backlog.
        bool any = false;
        for (const auto& [client, n] : ch.clients) any = any || in_flight(client) < settings_.max_in_flight_per_client;
        if (!any) return ch.items.end();
        for (auto it = ch.items.begin(); it != ch.items.end(); ++it)
            if (in_flight(it->client) < settings_.max_in_flight_per_client) return it;
        return ch.items.end();
    }

    fair_queue_settings settings_;
    std::map<std::string, channel_state, std::less<>> channels_;
    std::map<std::string, int, std::less<>> in_flight_;
    std::map<T, std::size_t, std::less<>> items_;  // how often each item waits (normally once)
    std::size_t total_ = 0;
};

}  // namespace agentd::domain
