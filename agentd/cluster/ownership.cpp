// The ownership loop and its local views. See ownership.hpp.
#include "agentd/cluster/ownership.hpp"

#include "agentd/log/log.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace agentd::cluster {

namespace asio = boost::asio;

ownership::ownership(lease_table& table, ownership_settings s, std::vector<std::string> clients, now_fn now)
    : table_(&table), cfg_(std::move(s)), clients_(std::move(clients)), now_(std::move(now)) {
    for (const auto& c : clients_) held_[c];
}

ownership::ownership(std::vector<std::string> clients, std::string node) : clients_(std::move(clients)) {
    cfg_.node = std::move(node);
    for (const auto& c : clients_) held_[c] = held{true, 0, mono::time_point::max(), {}};
}

bool ownership::owns(std::string_view client) const {
    std::lock_guard lk(mu_);
    auto it = held_.find(client);
    if (it == held_.end() || !it->second.owned) return false;
    // Checked against the clock on every call, not only by the loop: a node that was paused
    // wakes up with an expired view before its loop has run once.
    return now() < it->second.valid_until;
}

std::optional<std::int64_t> ownership::epoch(std::string_view client) const {
    if (!owns(client)) return std::nullopt;
    std::lock_guard lk(mu_);
    return held_.find(client)->second.epoch;
}

std::vector<lease_view> ownership::snapshot() const {
    std::vector<lease_view> out;
    const auto t = now();
    std::lock_guard lk(mu_);
    for (const auto& [client, h] : held_) out.push_back({client, h.owned && t < h.valid_until, h.epoch, h.valid_until});
    return out;
}

void ownership::set(const std::string& client, const held& h) {
    std::lock_guard lk(mu_);
    held_[client] = h;
}

void ownership::drop(const std::string& client, std::string_view why) {
    {
        std::lock_guard lk(mu_);
        auto& h = held_[client];
        if (!h.owned) return;
        h.owned = false;
    }
    log::warn("cluster", "lease", "venue lost: no longer driven by this node",
              {{"client", client}, {"node", cfg_.node}, {"why", std::string(why)}});
    if (on_change_) on_change_(client, false);
}

void ownership::lost(std::string_view client) {
    if (!table_) return;  // one node: nothing can fence it
    drop(std::string(client), "a write was fenced by the database");
}

asio::awaitable<void> ownership::pass() {
    if (!table_) co_return;
    const auto renew_every = cfg_.ttl / 3;
    for (const auto& client : clients_) {
        held h;
        {
            std::lock_guard lk(mu_);
            h = held_[client];
        }
        auto t = now();
        if (h.owned && t >= h.valid_until) {
            // Renewals failed (database unreachable) for longer than the view lasts.
            drop(client, "lease ran out locally before it could be renewed");
            h.owned = false;
        }
        if (h.owned) {
            if (t - h.last_sent < renew_every) continue;
            auto r = co_await table_->renew(client, h.epoch);
            if (!r) {
                log::warn("cluster", "lease", "renewing a venue lease failed; keeping it while the local view lasts",
                          {{"client", client}, {"error", r.error().message}});
                continue;
            }
            if (!*r) {
                drop(client, "the lease was taken over");
                continue;
            }
            // A renewal that came back after the view ran out does not revive it: the next
            // pass re-acquires with a new epoch instead.
            {
                std::lock_guard lk(mu_);
                auto& cur = held_[client];
                if (!cur.owned || cur.epoch != h.epoch) continue;
                cur.last_sent = t;
                cur.valid_until = t + cfg_.ttl - margin();
            }
            continue;
        }
        auto r = co_await table_->acquire(client);
        if (!r) {
            log::warn("cluster", "lease", "acquiring a venue lease failed", {{"client", client}, {"error", r.error().message}});
            continue;
        }
        if (!*r) continue;  // another node holds it
        const auto valid_until = t + cfg_.ttl - margin();
        if (now() >= valid_until) continue;  // the grant took longer than it lasts: not usable
        set(client, held{true, **r, valid_until, t});
        log::info("cluster", "lease", "venue acquired: driven by this node",
                  {{"client", client}, {"node", cfg_.node}, {"epoch", **r}});
        if (on_change_) on_change_(client, true);
    }
}

asio::awaitable<void> ownership::run() {
    if (!table_) co_return;
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    co_await asio::this_coro::throw_if_cancelled(false);
    for (;;) {
        try {
            co_await pass();
        } catch (const std::exception& e) {
            log::warn("cluster", "lease", "ownership pass failed", {{"error", e.what()}});
        }
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
        timer.expires_after(cfg_.pass);
        boost::system::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if ((co_await asio::this_coro::cancellation_state).cancelled() != asio::cancellation_type::none) break;
    }
    co_await asio::this_coro::reset_cancellation_state();
    // A graceful stop hands the venues over at once instead of after the ttl.
    for (const auto& client : clients_) {
        held h;
        {
            std::lock_guard lk(mu_);
            h = held_[client];
        }
        if (!h.owned) continue;
        drop(client, "stopping");
        auto r = co_await table_->release(client, h.epoch);
        if (!r)
            log::warn("cluster", "lease", "releasing a venue lease failed; it expires by itself",
                      {{"client", client}, {"error", r.error().message}});
    }
}

}  // namespace agentd::cluster
