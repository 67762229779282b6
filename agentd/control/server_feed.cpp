// The server-sent-event feed: catch-up from the backend at the reader's pace, then live
// fan-out into a bounded per-subscriber queue; a reader that lets its queue fill is sent a
// final `overflow` event carrying the last seq it got and disconnected, so it never slows the
// daemon and can resume with `since`. Every event passes the subscriber's scope
// (feed_scope.hpp) as of now: a reload re-scopes open streams and ends those of removed peers.
#include "agentd/api/json.hpp"
#include "agentd/control/feed_scope.hpp"
#include "agentd/control/server_impl.hpp"

#include "agentd/log/log.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace agentd::control {

namespace asio = boost::asio;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

namespace {

constexpr std::size_t k_page = 256;

void format_event(std::string& out, const api::feed_event& e) {
    out += "id: " + std::to_string(e.seq) + "\nevent: " + e.kind + "\n";
    // Multi-line data would end the event early: split it into data lines.
    std::string_view d = e.data;
    for (;;) {
        auto nl = d.find('\n');
        out += "data: ";
        out.append(d.substr(0, nl));
        out += '\n';
        if (nl == std::string_view::npos) break;
        d.remove_prefix(nl + 1);
    }
    out += '\n';
}

}  // namespace

void server::impl::on_feed(std::uint64_t seq) {
    changes_.notify();
    bool any_live = false;
    for (auto* sub : subscribers_) any_live = any_live || sub->live;
    if (!any_live) {
        // Nobody live: new subscribers catch up from the store themselves.
        feed_last_ = std::max(feed_last_, seq);
        return;
    }
    if (seq <= feed_last_) return;
    // Bounded work per notification; a larger backlog is picked up by re-posting.
    for (int page = 0; page < 16; ++page) {
        auto rows = be_.feed_since(feed_last_, k_page);
        if (!rows) {
            log::warn("control", "feed", "read feed failed", {{"error", rows.error().message}});
            return;
        }
        if (rows->empty()) return;
        for (auto& row : *rows) {
            feed_last_ = row.seq;
            auto scope = scope_of(row);
            for (auto* sub : subscribers_) {
                if (!sub->live || sub->overflow || row.seq <= sub->high) continue;
                if (!visible_to(scope, sub->who)) {
                    sub->high = row.seq;
                    continue;
                }
                if (sub->queue.size() >= settings_.feed_buffer) {
                    sub->overflow = true;
                } else {
                    sub->queue.push_back(row);
                    sub->high = row.seq;
                }
                sub->wake.cancel();
            }
        }
    }
    asio::post(ex_, [this, s = feed_last_ + 1] { on_feed(s); });
}

void server::impl::rescope_subscribers() {
    for (auto* sub : subscribers_) {
        auto who = identify(settings_.channels, sub->who.peer);
        if (!who) {
            sub->revoked = true;
            sub->wake.cancel();
            continue;
        }
        sub->who = std::move(*who);
        // Events queued under the old role go out only if the new one may see them.
        std::erase_if(sub->queue, [&](const api::feed_event& e) { return !visible_to(scope_of(e), sub->who); });
    }
}

awaitable<void> server::impl::run_feed(stream_type& stream, std::uint64_t since, const caller& who) {
    boost::system::error_code ec;
    feed_subscriber sub(ex_, who);
    sub.high = sub.delivered = since;
    subscribers_.push_back(&sub);
    struct guard {
        impl* m;
        std::list<feed_subscriber*>::iterator it;
        ~guard() { m->subscribers_.erase(it); }
    } g{this, std::prev(subscribers_.end())};

    auto write = [&](const std::string& text) -> awaitable<bool> {
        stream.expires_after(settings_.write_timeout);
        co_await asio::async_write(stream, asio::buffer(text), redirect_error(use_awaitable, ec));
        co_return !ec && !stopping_;
    };

    std::string out =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
        ": agentd feed\nretry: 1000\n\n";
    if (!co_await write(out)) co_return;

    // Catch-up at the reader's pace straight from the store.
    for (;;) {
        auto rows = be_.feed_since(sub.high, k_page);
        if (!rows) {
            out = "event: error\ndata: " + error_reply(rows.error()).body + "\n\n";
            co_await write(out);
            co_return;
        }
        if (rows->empty()) break;
        if (sub.revoked) break;
        out.clear();
        for (auto& r : *rows)
            if (visible_to(scope_of(r), sub.who)) {
                format_event(out, r);
                sub.delivered = r.seq;
            }
        if (!out.empty() && !co_await write(out)) co_return;
        sub.high = rows->back().seq;
    }
    // No suspension between the empty read above and going live: the hub cannot miss a row.
    // If others are live, the hub's position stays where they need it (rows this subscriber
    // already has are skipped by `high`); otherwise the hub starts from here.
    bool others_live = false;
    for (auto* o : subscribers_) others_live = others_live || (o != &sub && o->live);
    sub.live = true;
    if (!others_live) feed_last_ = std::max(feed_last_, sub.high);

    while (!stopping_) {
        if (sub.revoked) {
            log::info("control", "feed", "feed peer no longer mapped to a channel; closing",
                      {{"uid", sub.who.peer.uid}, {"channel", sub.who.channel}});
            out = "event: error\ndata: " +
                  error_reply(fail(errc::permission_denied, "feed: uid " + std::to_string(sub.who.peer.uid) +
                                                               " is no longer mapped to a channel"))
                      .body +
                  "\n\n";
            co_await write(out);
            co_return;
        }
        if (!sub.queue.empty()) {
            out.clear();
            std::uint64_t last = sub.delivered;
            while (!sub.queue.empty() && out.size() < 256 * 1024) {
                format_event(out, sub.queue.front());
                last = sub.queue.front().seq;
                sub.queue.pop_front();
            }
            if (!co_await write(out)) co_return;
            sub.delivered = last;
            continue;
        }
        if (sub.overflow) {
            ++overflows_;
            log::warn("control", "feed", "feed reader too slow; disconnected", {{"last_seq", sub.delivered}});
            out = "event: overflow\ndata: " + api::to_json(api::feed_overflow{sub.delivered}) + "\n\n";
            co_await write(out);
            co_return;
        }
        sub.wake.expires_after(settings_.feed_heartbeat);
        co_await sub.wake.async_wait(redirect_error(use_awaitable, ec));
        if (!ec) {
            if (!co_await write(": heartbeat\n\n")) co_return;
        }
    }
}

}  // namespace agentd::control
