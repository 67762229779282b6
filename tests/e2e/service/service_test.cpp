// The daemon as systemd runs it: notifications, signals, reload, the database lock, and the
// demo a newcomer starts first. Real binaries, real sockets, real signals.
#include "tests/support/harness.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>
#include <fstream>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

// A fake $NOTIFY_SOCKET: a datagram socket the daemon sends its state strings to.
class notify_socket {
public:
    explicit notify_socket(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    }
    ~notify_socket() { ::close(fd_); }
    const std::string& path() const { return path_; }

    // Collects messages until one contains `needle` or the timeout passes.
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (const auto& m : seen_)
                if (m.find(needle) != std::string::npos) return true;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, int(left.count())) <= 0) continue;
            char buf[4096];
            ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n > 0) seen_.emplace_back(buf, std::size_t(n));
        }
    }
    std::size_t index_of(const std::string& needle) const {
        for (std::size_t i = 0; i < seen_.size(); ++i)
            if (seen_[i].find(needle) != std::string::npos) return i;
        return seen_.size();
    }

private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::string> seen_;
};

// The value of the first sample line that starts with `prefix` (name and labels).
std::optional<double> metric(const std::string& text, const std::string& prefix) {
    std::size_t at = 0;
    while ((at = text.find(prefix, at)) != std::string::npos) {
        if (at == 0 || text[at - 1] == '\n') {
            auto eol = text.find('\n', at);
            auto line = text.substr(at, eol == std::string::npos ? std::string::npos : eol - at);
            if (line.size() > prefix.size() && line[prefix.size()] == ' ') return std::stod(line.substr(prefix.size() + 1));
        }
        at += prefix.size();
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("/metrics shows the writer's group commits and commit waits apart from daemon time") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    auto d = start_daemon(dir, config);
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    const auto client = sim.clients.at(0).name;
    // The mirror lists an instance before its price list has landed: wait for one that can be sold.
    const sellable sale = wait_sellable(sock, client);
    const std::string instance = sale.instance;
    const std::optional<std::string> ticket_type = sale.ticket_type;

    constexpr int acks = 16;
    std::atomic<int> acked{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < acks; ++i)
        ts.emplace_back([&, i] {
            std::string body = R"({"client":")" + client + R"(","instance":")" + instance +
                               R"(","bestAvailable":{"quantity":1,"ticketType":")" + *ticket_type + R"("}})";
            auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: m-" + std::to_string(i)}, 10s);
            if (a && a->status == 202) ++acked;
        });
    for (auto& t : ts) t.join();
    CHECK(acked == acks);

    auto m = uds_request(sock, "GET", "/metrics");
    REQUIRE(m);
    REQUIRE(m->status == 200);
    const auto& text = m->body;
    auto commits = metric(text, "agentd_store_commits_total");
    auto jobs = metric(text, "agentd_store_committed_jobs_total");
    REQUIRE(commits);
    REQUIRE(jobs);
    CHECK(*commits > 0);
    CHECK(*jobs >= *commits);
    double by_size = 0;
    for (const char* b : {"1", "2-3", "4-7", "8-15", "16-63", "64+"}) {
        auto v = metric(text, std::string("agentd_store_commits_by_jobs_total{jobs=\"") + b + "\"}");
        REQUIRE_MESSAGE(v, b);
        by_size += *v;
    }
    CHECK(by_size == *commits);
    // Every acknowledgement is a durable job that waited for its commit.
    auto waits = metric(text, "agentd_commit_wait_seconds_count");
    REQUIRE(waits);
    CHECK(*waits >= acks);
    REQUIRE(metric(text, "agentd_commit_wait_seconds_sum"));
    REQUIRE(metric(text, "agentd_store_commit_seconds_total"));
    REQUIRE(metric(text, R"(agentd_reservation_step_seconds{step="placement",quantile="0.99"})"));
    REQUIRE(metric(text, R"(agentd_reservation_step_seconds{step="confirm",quantile="0.5"})"));
    CHECK(text.find("# TYPE agentd_store_commits_by_jobs_total counter") != std::string::npos);
    d->signal(SIGTERM);
    CHECK(d->wait(30s) == 0);
}

TEST_CASE("under a fake NOTIFY_SOCKET the daemon sends READY, then WATCHDOG, then STOPPING, and exits 0") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    notify_socket ns(dir.file("notify"));
    auto d = start_daemon(dir, config, {"NOTIFY_SOCKET=" + ns.path(), "WATCHDOG_USEC=400000"});
    REQUIRE(ns.wait_for("READY=1", 60s));
    CHECK(ns.wait_for("WATCHDOG=1", 10s));
    CHECK(ns.index_of("READY=1") < ns.index_of("WATCHDOG=1"));
    CHECK(ns.wait_for("STATUS=", 10s));
    d->signal(SIGTERM);
    CHECK(ns.wait_for("STOPPING=1", 20s));
    auto st = d->wait(30s);
    REQUIRE(st);
    CHECK(*st == 0);
    CHECK(::access(dir.file("agentd.sock").c_str(), F_OK) != 0);  // the socket file is removed on a clean stop
}

TEST_CASE("SIGTERM during a stream of reservations drains, exits 0, and loses nothing acknowledged") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    auto d = start_daemon(dir, config);
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    const auto client = sim.clients.at(0).name;
    // The mirror lists an instance before its price list has landed: wait for one that can be sold.
    const sellable sale = wait_sellable(sock, client);
    const std::string instance = sale.instance;
    const std::optional<std::string> ticket_type = sale.ticket_type;

    std::vector<std::string> acked;
    for (int i = 0; i < 30; ++i) {
        if (i == 15) d->signal(SIGTERM);
        std::string body = R"({"client":")" + client + R"(","instance":")" + instance +
                           R"(","bestAvailable":{"quantity":1,"ticketType":")" + *ticket_type + R"("}})";
        auto a = uds_request(sock, "POST", "/v1/reservations", body, {"Idempotency-Key: drain-" + std::to_string(i)}, 5s);
        if (a && (a->status == 202 || a->status == 200)) acked.push_back(*json_get(a->body, "id"));
    }
    auto st = d->wait(30s);
    REQUIRE(st);
    CHECK(*st == 0);
    REQUIRE_FALSE(acked.empty());

    auto again = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(sock, 60s));
    for (const auto& id : acked) {
        CAPTURE(id);
        auto a = uds_request(sock, "GET", "/v1/reservations/" + id);
        REQUIRE(a);
        CHECK(a->status == 200);
    }
    again->signal(SIGTERM);
    CHECK(again->wait(30s) == 0);
}

TEST_CASE("SIGHUP applies a good configuration and refuses a bad one, keeping the daemon serving") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    auto d = start_daemon(dir, config);
    const auto sock = dir.file("agentd.sock");
    REQUIRE(wait_for_daemon(sock, 60s));
    auto log_has = [&](const std::string& s) { return read_file(dir.file("agentd.log")).find(s) != std::string::npos; };

    SUBCASE("good") {
        daemon_config_options o;
        o.extra = "[api]\nrequests_per_second = 100\nburst = 200\n";
        write_daemon_config(dir, sim, o);
        d->signal(SIGHUP);
        CHECK(wait_until([&] { return log_has("configuration reloaded"); }, 20s));
    }
    SUBCASE("bad") {
        write_file(config, "[daemon]\nno_such_option = 1\n", 0600);
        d->signal(SIGHUP);
        CHECK(wait_until([&] { return log_has("new configuration refused"); }, 20s));
        CHECK(log_has("no_such_option"));
    }
    CHECK(d->running());
    auto h = uds_request(sock, "GET", "/v1/health");
    REQUIRE(h);
    CHECK(h->status == 200);
    d->signal(SIGTERM);
    CHECK(d->wait(30s) == 0);
}

TEST_CASE("a second daemon on the same database is refused with exit status 4") {
    temp_dir dir;
    auto sim = start_sim(dir);
    auto config = write_daemon_config(dir, sim);
    auto d = start_daemon(dir, config);
    REQUIRE(wait_for_daemon(dir.file("agentd.sock"), 60s));

    temp_dir other;
    std::string text = read_file(config);
    auto pos = text.find(dir.file("agentd.sock"));
    REQUIRE(pos != std::string::npos);
    text.replace(pos, dir.file("agentd.sock").size(), other.file("agentd.sock"));
    write_file(other.file("agentd.toml"), text, 0600);
    auto second = start_daemon(other, other.file("agentd.toml"));
    auto st = second->wait(30s);
    REQUIRE(st);
    CHECK(*st == 4);
    CHECK(read_file(other.file("agentd.log")).find("in use") != std::string::npos);
    CHECK(d->running());
    d->signal(SIGTERM);
    CHECK(d->wait(30s) == 0);
}

TEST_CASE("a broken configuration exits 3 naming the file and the option") {
    temp_dir dir;
    write_file(dir.file("bad.toml"), "[sync]\ntier_24h = \"soon\"\n", 0600);
    child_process d({bin_dir() + "/agentd", "--config", dir.file("bad.toml")}, dir.file("agentd.log"));
    auto st = d.wait(30s);
    REQUIRE(st);
    CHECK(*st == 3);
    auto log = read_file(dir.file("agentd.log"));
    CHECK(log.find("bad.toml:2") != std::string::npos);
    CHECK(log.find("tier_24h") != std::string::npos);
}

TEST_CASE("scripts/demo --once runs the whole tour") {
    temp_dir dir;
    std::string build_dir = bin_dir() + "/..";
    child_process demo({"/bin/bash", source_dir() + "/scripts/demo", "--once", "--size", "tiny", "--workdir", dir.path()},
                       dir.file("demo.err"), {"AGENTD_BUILD_DIR=" + build_dir, "AGENTD_SKIP_BUILD=1"});
    std::string out;
    while (auto line = demo.read_line(300s)) out += *line + "\n";
    auto st = demo.wait(60s);
    REQUIRE(st);
    INFO(out);
    INFO(read_file(dir.file("demo.err")));
    CHECK(*st == 0);
    CHECK(out.find("agentctl status") != std::string::npos);
    CHECK(out.find("confirmed") != std::string::npos);
    CHECK(out.find("Ada") != std::string::npos);  // the end customer as the simulator recorded it
    CHECK(out.find("== Done (--once) in ") != std::string::npos);  // the total time
    CHECK(read_file(dir.file("sim.json")).find("\"event\":\"ready\"") != std::string::npos);
}
