#include "bench/micro.hpp"

#include "bench/baselines.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/mirror_store.hpp"
#include "agentd/upstream/codec.hpp"

#include <cstdio>
#include <stdexcept>
#include <unistd.h>

namespace bench {

namespace {

const char* const states[] = {"Available", "Sold", "InOtherBasket", "Reserved", "Locked"};

// Seat-status lists shaped as agentd-sim serves them (docs/upstream-contract.md U6): 1,000 seats each.
std::vector<std::string> seat_documents(int count) {
    std::vector<std::string> docs;
    for (int d = 0; d < count; ++d) {
        std::string s = "[";
        for (int i = 0; i < 1000; ++i) {
            if (i) s += ',';
            s += R"({"id":")" + std::to_string(53000 + d * 1000 + i) + R"(","status":")" + states[(i * 7 + d) % 5] + "\"}";
        }
        docs.push_back(s + "]");
    }
    return docs;
}

double agentd_decode_mb_per_second(const std::vector<std::string>& docs, int passes) {
    std::size_t bytes = 0, seats = 0;
    auto t0 = clock_type::now();
    for (int p = 0; p < passes; ++p) {
        for (const auto& d : docs) {
            auto r = agentd::upstream::codec::decode_seat_statuses(d);
            if (!r) throw std::runtime_error("decode seat statuses: " + r.error().message);
            seats += r->size();
            bytes += d.size();
        }
    }
    if (seats == 0) throw std::runtime_error("decoded no seats");
    return double(bytes) / 1e6 / seconds_since(t0);
}

}  // namespace

void run_decode(const micro_options& o, std::vector<figure>& out) {
    figure f;
    f.name = "upstream JSON decode (seat status lists)";
    f.unit = "MB/s";
    f.baseline_name = "RapidJSON DOM";
    f.target = 0.5;
    f.target_text = "≥ 0.5 × baseline";
    auto docs = seat_documents(50);
    const int passes = o.quick ? 4 : 10;
    agentd_decode_mb_per_second(docs, 1);  // warm-up
    rapidjson_mb_per_second(docs, 1);
    for (int r = 0; r < o.reps; ++r) {
        f.value.push_back(agentd_decode_mb_per_second(docs, passes));
        f.baseline.push_back(rapidjson_mb_per_second(docs, passes));
    }
    f.note = "50 documents of 1,000 seats (" + std::to_string(docs[0].size() / 1024) +
             " KiB each); agentd decodes into typed seat_status values, the baseline only builds a DOM";
    out.push_back(std::move(f));
}

void run_mirror_apply(const micro_options& o, std::vector<figure>& out) {
    const int instances = o.quick ? 30 : 100, seats = 1000;
    figure f;
    f.name = "mirror apply: changed seat-status rows written";
    f.unit = "rows/s";
    f.baseline_name = "batched SQLite upserts";
    f.target = 0.5;
    f.target_text = "≥ 0.5 × baseline";
    auto path = o.dir + "/mirror-apply.db";
    for (auto suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
    auto db = agentd::store::database::open({.path = path});
    if (!db) throw std::runtime_error("open mirror database: " + db.error().message);
    auto put = (*db)->submit_wait<void>([](agentd::store::write_txn& t) {
        return agentd::store::mirror_put_client(t, "bench", "agent1", {"agent1"});
    });
    if (!put) throw std::runtime_error("mirror_put_client: " + put.error().message);
    std::vector<std::string> ids;
    for (int s = 0; s < seats; ++s) ids.push_back(std::to_string(100000 + s * 7));
    int round = 0;
    // One job per instance, as the sync service applies one instance's seat list at a time.
    auto apply_round = [&](std::uint64_t& changed) {
        std::vector<agentd::store::mirror_seat_status_input> in(static_cast<std::size_t>(seats));
        for (int i = 0; i < instances; ++i) {
            for (int s = 0; s < seats; ++s) in[std::size_t(s)] = {ids[std::size_t(s)], (round + s) % 2 + 1, {}};
            auto inst = "I" + std::to_string(i);
            auto r = (*db)->submit_wait<agentd::store::mirror_seat_write_counts>([&](agentd::store::write_txn& t) {
                return agentd::store::mirror_put_seat_status(t, "bench", inst, in);
            });
            if (!r) throw std::runtime_error("mirror_put_seat_status: " + r.error().message);
            changed += r->rows_changed;
        }
        ++round;
    };
    std::uint64_t ignored = 0;
    apply_round(ignored);  // insert
    for (int r = 0; r < o.reps; ++r) {
        std::uint64_t changed = 0;
        auto t0 = clock_type::now();
        apply_round(changed);
        f.value.push_back(double(changed) / seconds_since(t0));
        f.baseline.push_back(sqlite_seat_upserts_per_second(o.dir, instances, seats, 1));
    }
    f.note = std::to_string(instances) + " instances × 1,000 seats, every row changes each round; one writer job per instance";
    out.push_back(std::move(f));
}

}  // namespace bench
