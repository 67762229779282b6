// cluster/store_leases: the lease table of ownership.hpp over the store's lease functions
// (store/lease.hpp), each call one writer job. Threading: the executor's thread (await_job).
#pragma once

#include "agentd/cluster/ownership.hpp"

namespace agentd::store {
class database;
}

namespace agentd::cluster {

class store_leases final : public lease_table {
public:
    store_leases(store::database& db, std::string node, std::chrono::milliseconds ttl)
        : db_(db), node_(std::move(node)), ttl_(ttl) {}
    boost::asio::awaitable<result<std::optional<std::int64_t>>> acquire(std::string client) override;
    boost::asio::awaitable<result<bool>> renew(std::string client, std::int64_t epoch) override;
    boost::asio::awaitable<result<void>> release(std::string client, std::int64_t epoch) override;

private:
    store::database& db_;
    std::string node_;
    std::chrono::milliseconds ttl_;
};

}  // namespace agentd::cluster
