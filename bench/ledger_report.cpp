// bench_ledger: the time of the ledger report (store::summarize_ledger, what GET /v1/ledger runs)
// over 100,000 ledger entries in a real SQLite file, grouped by client and by venue-local day,
// next to its baseline: SQLite's own SUM ... GROUP BY over the same rows (no per-entry work).
// Prints one line per figure. Run by hand: build/bin/bench_ledger [entries] [reps].
#include "agentd/core/time.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/ledger.hpp"
#include "agentd/store/reader.hpp"
#include "agentd/store/sqlite.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

using namespace agentd;
using namespace agentd::store;

namespace {

result<int> fill(write_txn& t, int n) {
    const auto start = parse_iso("2026-01-01T00:00:00Z").value();
    for (int i = 0; i < n; ++i) {
        const std::string id = "r" + std::to_string(i);
        const std::string client = "client" + std::to_string(i % 4);
        const std::string at = format_iso_utc_ms(start + std::chrono::minutes(5 * i));
        auto res = t.prepare("b.res", "INSERT INTO reservations (id, channel, idempotency_key, client, account, instance, request_hash, "
                                      "state, version, created_at, updated_at) VALUES (?1, ?2, ?1, ?3, 'a1', 'I1', 0, 'confirmed', 1, ?4, ?4)");
        if (!res) return res.error();
        res->bind(1, id).bind(2, i % 3 ? "web" : "box").bind(3, client).bind(4, at);
        if (auto r = res->run(); !r) return r.error();
        auto st = t.prepare("b.ledger",
                            "INSERT INTO sales_ledger (order_id, reservation_id, client, channel, instance, seats, total_minor, "
                            "confirmed_at, event_id, event_name, face_minor, commission_minor, net_minor, amounts_from) "
                            "VALUES (?1, ?2, ?3, ?4, 'I1', 2, 7100, ?5, ?6, 'Event', 7100, 710, 6390, 'order')");
        if (!st) return st.error();
        st->bind(1, "O" + std::to_string(i)).bind(2, id).bind(3, client).bind(4, i % 3 ? "web" : "box").bind(5, at);
        st->bind(6, "E" + std::to_string(i % 50));
        if (auto r = st->run(); !r) return r.error();
    }
    return n;
}

template <class F>
double median_ms(int reps, F&& f) {
    std::vector<double> ms;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 5;
    const auto dir = std::filesystem::temp_directory_path() / ("bench_ledger." + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        auto db = database::open({.path = (dir / "l.db").string()});
        if (!db) return std::fprintf(stderr, "open: %s\n", db.error().message.c_str()), 1;
        if (auto r = (*db)->submit_wait<int>([&](write_txn& t) { return fill(t, n); }); !r)
            return std::fprintf(stderr, "fill: %s\n", r.error().message.c_str()), 1;
    }
    auto rd = reader::open((dir / "l.db").string());
    if (!rd) return std::fprintf(stderr, "reader: %s\n", rd.error().message.c_str()), 1;
    client_books london{"GBP", time_zone::load_or_utc("Europe/London")};
    books_lookup books = [&](std::string_view) -> const client_books& { return london; };
    std::int64_t seen = 0;
    for (auto by : {ledger_grouping::client, ledger_grouping::day}) {
        const double ms = median_ms(reps, [&] { seen = summarize_ledger(rd->conn(), {}, by, books).value().entries; });
        std::printf("ledger report by %s over %lld entries: median %.1f ms (%d reps)\n", by == ledger_grouping::client ? "client" : "day",
                    static_cast<long long>(seen), ms, reps);
    }
    const double base = median_ms(reps, [&] {
        (void)rd->conn().query_texts("SELECT client || sum(face_minor) || sum(commission_minor) || sum(net_minor) || sum(seats) "
                                     "FROM sales_ledger GROUP BY client", "baseline");
    });
    std::printf("baseline SQLite SUM ... GROUP BY client over the same rows: median %.1f ms\n", base);
    std::filesystem::remove_all(dir);
    return 0;
}
