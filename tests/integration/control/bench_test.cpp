// Figures for the note (printed, never asserted): latency and throughput of the instance read
// `GET /v1/clients/{c}/instances/{id}` over the socket with 1 and 8 concurrent keep-alive
// clients, server on one thread over the fake backend.
#include "server_fixture.hpp"

#include <algorithm>
#include <cstdio>

using namespace agentd;
using namespace agentd::test;

TEST_CASE("bench: instance availability read, 1 and 8 clients") {
    running_server s;
    for (int clients : {1, 8}) {
        const int per_client = clients == 1 ? 4000 : 1500;
        std::vector<std::vector<double>> lat(clients);
        std::vector<std::thread> threads;
        std::atomic<int> failures{0};
        auto start = std::chrono::steady_clock::now();
        for (int t = 0; t < clients; ++t) {
            threads.emplace_back([&, t] {
                auto c = s.client();
                lat[t].reserve(per_client);
                for (int i = 0; i < per_client; ++i) {
                    auto t0 = std::chrono::steady_clock::now();
                    auto r = c.get("/v1/clients/royalcourt/instances/67201AVC");
                    auto t1 = std::chrono::steady_clock::now();
                    if (!r || r->status != 200) ++failures;
                    lat[t].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
                }
            });
        }
        for (auto& th : threads) th.join();
        auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::vector<double> all;
        for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
        std::sort(all.begin(), all.end());
        auto pct = [&](double p) { return all[static_cast<std::size_t>(p * (all.size() - 1))]; };
        std::printf("bench instance read: clients=%d requests=%zu p50=%.0f us p99=%.0f us throughput=%.0f req/s\n", clients,
                    all.size(), pct(0.50), pct(0.99), all.size() / secs);
        CHECK(failures == 0);
    }
}
