// Lease calls as writer jobs. The jobs are built outside the coroutines (GCC 12: no lambda with
// by-value captures created inside a coroutine body). See store_leases.hpp.
#include "agentd/cluster/store_leases.hpp"

#include "agentd/store/await_job.hpp"
#include "agentd/store/lease.hpp"

namespace agentd::cluster {

namespace {

// Durable: a grant or renewal that a database failover could lose would let a node believe
// in a lease the database no longer records.
const store::job_options k_durable{.durable = true};

std::function<result<std::optional<std::int64_t>>(store::write_txn&)> acquire_job(std::string client, std::string node,
                                                                                  std::chrono::milliseconds ttl) {
    return [client = std::move(client), node = std::move(node), ttl](store::write_txn& t) {
        return store::acquire_lease(t, client, node, ttl);
    };
}

std::function<result<bool>(store::write_txn&)> renew_job(std::string client, std::string node, std::int64_t epoch,
                                                         std::chrono::milliseconds ttl) {
    return [client = std::move(client), node = std::move(node), epoch, ttl](store::write_txn& t) {
        return store::renew_lease(t, client, node, epoch, ttl);
    };
}

std::function<result<bool>(store::write_txn&)> release_job(std::string client, std::string node, std::int64_t epoch) {
    return [client = std::move(client), node = std::move(node), epoch](store::write_txn& t) -> result<bool> {
        auto r = store::release_lease(t, client, node, epoch);
        if (!r) return r.error();
        return true;
    };
}

}  // namespace

boost::asio::awaitable<result<std::optional<std::int64_t>>> store_leases::acquire(std::string client) {
    auto job = acquire_job(std::move(client), node_, ttl_);
    co_return co_await store::await_job<std::optional<std::int64_t>>(db_, std::move(job), k_durable);
}

boost::asio::awaitable<result<bool>> store_leases::renew(std::string client, std::int64_t epoch) {
    auto job = renew_job(std::move(client), node_, epoch, ttl_);
    co_return co_await store::await_job<bool>(db_, std::move(job), k_durable);
}

boost::asio::awaitable<result<void>> store_leases::release(std::string client, std::int64_t epoch) {
    auto job = release_job(std::move(client), node_, epoch);
    auto r = co_await store::await_job<bool>(db_, std::move(job), k_durable);
    if (!r) co_return r.error();
    co_return result<void>{};
}

}  // namespace agentd::cluster
