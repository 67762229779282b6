#include "bench/baselines.hpp"

#include "bench/support.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <cstdio>
#include <stdexcept>
#include <thread>
#include <unistd.h>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::local::stream_protocol;

namespace bench {

namespace {

std::string fixed_body() {
    std::string b = R"({"id":"67201AVC","client":"royalcourt","event":"1201AVC","eventName":"The Seagull","available":118,"pad":")";
    while (b.size() < 1022) b += 'x';
    return b + "\"}";
}

asio::awaitable<void> serve(stream_protocol::socket s, const std::string& body) {
    boost::beast::flat_buffer buf;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(s, buf, req, asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/json");
        res.keep_alive(req.keep_alive());
        res.body() = body;
        res.prepare_payload();
        auto [wec, wn] = co_await http::async_write(s, res, asio::as_tuple(asio::use_awaitable));
        if (wec || !res.keep_alive()) co_return;
    }
}

asio::awaitable<void> accept_loop(stream_protocol::acceptor& a, const std::string& body) {
    for (;;) {
        auto [ec, s] = co_await a.async_accept(asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;
        // The baseline server is a measuring instrument, not the daemon: sessions end with
        // their connection or with the io_context.
        asio::co_spawn(a.get_executor(), serve(std::move(s), body), asio::detached);
    }
}

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
}

sqlite3* open_db(const std::string& path, const char* sync) {
    ::unlink(path.c_str());
    ::unlink((path + "-wal").c_str());
    ::unlink((path + "-shm").c_str());
    sqlite3* db = nullptr;
    check(sqlite3_open(path.c_str(), &db), db, "open");
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr), db, "wal");
    check(sqlite3_exec(db, (std::string("PRAGMA synchronous=") + sync).c_str(), nullptr, nullptr, nullptr), db, "sync");
    check(sqlite3_exec(db, "PRAGMA cache_size=-65536", nullptr, nullptr, nullptr), db, "cache");
    return db;
}

}  // namespace

struct beast_baseline::impl {
    asio::io_context ioc{1};
    stream_protocol::acceptor acceptor{ioc};
    std::string body = fixed_body();
    std::thread thread;
};

beast_baseline::beast_baseline(std::string socket_path) : path_(std::move(socket_path)), impl_(std::make_unique<impl>()) {
    ::unlink(path_.c_str());
    stream_protocol::endpoint ep(path_);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen(1024);
    asio::co_spawn(impl_->ioc, accept_loop(impl_->acceptor, impl_->body), asio::detached);
    impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

beast_baseline::~beast_baseline() {
    impl_->ioc.stop();
    impl_->thread.join();
    ::unlink(path_.c_str());
}

double sqlite_durable_commits_per_second(const std::string& dir, double seconds) {
    auto path = dir + "/baseline-commits.db";
    sqlite3* db = open_db(path, "FULL");
    check(sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, key TEXT NOT NULL, body TEXT NOT NULL)", nullptr, nullptr,
                       nullptr),
          db, "create");
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(db, "INSERT INTO t(key, body) VALUES (?1, ?2)", -1, &ins, nullptr), db, "prepare");
    std::string body(300, 'r');
    long n = 0;
    auto t0 = clock_type::now();
    while (seconds_since(t0) < seconds) {
        check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
        auto key = "k" + std::to_string(n);
        sqlite3_bind_text(ins, 1, key.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, body.c_str(), int(body.size()), SQLITE_STATIC);
        check(sqlite3_step(ins), db, "insert");
        sqlite3_reset(ins);
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        ++n;
    }
    double rate = double(n) / seconds_since(t0);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    ::unlink(path.c_str());
    return rate;
}

double sqlite_seat_upserts_per_second(const std::string& dir, int instances, int seats, int rounds) {
    auto path = dir + "/baseline-seats.db";
    sqlite3* db = open_db(path, "NORMAL");
    check(sqlite3_exec(db,
                       "CREATE TABLE s(client TEXT NOT NULL, instance_id TEXT NOT NULL, seat_id TEXT NOT NULL, "
                       "status INTEGER NOT NULL, PRIMARY KEY (client, instance_id, seat_id)) WITHOUT ROWID",
                       nullptr, nullptr, nullptr),
          db, "create");
    sqlite3_stmt* up = nullptr;
    check(sqlite3_prepare_v2(db,
                             "INSERT INTO s(client, instance_id, seat_id, status) VALUES ('bench', ?1, ?2, ?3) "
                             "ON CONFLICT (client, instance_id, seat_id) DO UPDATE SET status = excluded.status "
                             "WHERE status != excluded.status",
                             -1, &up, nullptr),
          db, "prepare");
    std::vector<std::string> seat_ids;
    for (int s = 0; s < seats; ++s) seat_ids.push_back(std::to_string(100000 + s * 7));
    long written = 0;
    clock_type::time_point t0;
    for (int round = 0; round <= rounds; ++round) {
        if (round == 1) {
            t0 = clock_type::now();  // round 0 inserts the rows; later rounds change them all
            written = 0;
        }
        for (int i = 0; i < instances; ++i) {
            auto inst = "I" + std::to_string(i);
            check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
            for (int s = 0; s < seats; ++s) {
                sqlite3_bind_text(up, 1, inst.c_str(), int(inst.size()), SQLITE_STATIC);
                sqlite3_bind_text(up, 2, seat_ids[std::size_t(s)].c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_int(up, 3, (round + s) % 2 + 1);
                check(sqlite3_step(up), db, "upsert");
                written += sqlite3_changes(db);
                sqlite3_reset(up);
            }
            check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        }
    }
    double rate = double(written) / seconds_since(t0);
    sqlite3_finalize(up);
    sqlite3_close(db);
    ::unlink(path.c_str());
    return rate;
}

double rapidjson_mb_per_second(const std::vector<std::string>& docs, int passes) {
    std::size_t bytes = 0, sink = 0;
    auto t0 = clock_type::now();
    for (int p = 0; p < passes; ++p) {
        for (const auto& d : docs) {
            rapidjson::Document doc;
            doc.Parse(d.data(), d.size());
            if (doc.HasParseError()) throw std::runtime_error("baseline JSON does not parse");
            sink += doc.Size();
            bytes += d.size();
        }
    }
    double s = seconds_since(t0);
    if (sink == 0) std::fputs("", stdout);
    return double(bytes) / 1e6 / s;
}

}  // namespace bench
