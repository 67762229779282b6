// Several agentd nodes on one PostgreSQL database (docs/scale-out.md): three nodes share a
// throwaway PostgreSQL server and one agentd-sim; channels create, confirm and release on every
// node while the node driving the venue is repeatedly SIGKILLed (then restarted) or SIGSTOPped
// (then SIGCONTed once another node took over). Proves: every acknowledged reservation
// survives (the crash test's audit against the simulator's orders and baskets), nothing is sold
// twice, no venue is driven by two nodes at once (the simulator's record of which node sent
// each request, /_sim/nodes), and reports takeover times (p50, max).
// The server is the `postgresql` CTest fixture's (AGENTD_TEST_PG_URL); the test makes a
// database of its own on it. AGENTD_CLUSTER_KILLS (default 6) sets the number of disruptions (alternately SIGKILL and
// SIGSTOP), AGENTD_CLUSTER_TTL the nodes' lease_ttl in seconds (default 3, the minimum, to keep
// the test short), AGENTD_CLUSTER_SEED the RNG seed.
#include "tests/e2e/reservations/crash_books.hpp"
#include "tests/support/cli_run.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <unistd.h>

using namespace agentd::test;
using namespace agentd::test::crash;
using namespace std::chrono_literals;

namespace {

struct node {
    std::string name;
    std::unique_ptr<temp_dir> dir;
    std::string config, sock;
    std::unique_ptr<child_process> proc;
    bool stopped = false;  // SIGSTOPped: its socket would not answer
    bool up() const { return proc && !stopped; }
};

// Who drives `client` by the database's lease table, as a live node reports it; "" when no
// live lease or no node answers.
std::string owner_of(const std::vector<node>& nodes, const std::string& client) {
    for (const auto& n : nodes) {
        if (!n.up()) continue;
        auto a = uds_request(n.sock, "GET", "/v1/health", {}, {}, 2s);
        if (!a || a->status != 200) continue;
        const int count = json_array_size(a->body, "leases");
        for (int i = 0; i < count; ++i) {
            const auto p = "leases." + std::to_string(i);
            if (json_get(a->body, p + ".client") == client && json_get(a->body, p + ".live") == "true")
                return json_get(a->body, p + ".node").value_or("");
        }
        return "";
    }
    return "";
}

// A new, empty database on the fixture's server; its URL.
std::string fresh_database(const std::string& url) {
    const auto q = url.find('?');
    const auto slash = url.rfind('/', q);
    REQUIRE((q != std::string::npos && slash != std::string::npos));
    const std::string name = "agentd_cluster_" + std::to_string(::getpid());
    const auto h = url.find("host=", q);
    REQUIRE(h != std::string::npos);
    const auto end = url.find('&', h);
    const std::string host = url.substr(h + 5, end == std::string::npos ? std::string::npos : end - h - 5);
    const char* bin = std::getenv("AGENTD_PG_BIN");
    const std::string psql = std::string(bin && *bin ? bin : "/usr/lib/postgresql/15/bin") + "/psql";
    temp_dir d;
    // A SIGSTOPped node may be paused inside a transaction holding row locks (the feed counter,
    // a lease row under FOR SHARE): the server ends such a session after 2 s (docs/scale-out.md
    // says at most lease_ttl / 3; 1 s also ended busy nodes' sessions on this loaded machine).
    child_process p({psql, "-h", host, "-U", "agentd", "-d", "postgres", "-q", "-c", "CREATE DATABASE " + name, "-c",
                     "ALTER DATABASE " + name + " SET idle_in_transaction_session_timeout = '2s'"},
                    d.file("err"));
    REQUIRE_MESSAGE(p.wait(60s) == 0, read_file(d.file("err")));
    return url.substr(0, slash + 1) + name + url.substr(q);
}

// The end of every node's log, for failure messages.
std::string log_tails(const std::vector<node>& nodes, std::size_t bytes = 4000) {
    std::string out;
    for (const auto& n : nodes) {
        auto text = read_file(n.dir->file("agentd.log"));
        if (text.size() > bytes) text = text.substr(text.size() - bytes);
        out += "---- " + n.name + " ----\n" + text + "\n";
    }
    return out;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size() - 1) + 0.5))];
}

}  // namespace

TEST_CASE("three nodes on one PostgreSQL: the venue's driver is killed and paused repeatedly; nothing acknowledged is lost, "
          "nothing sold twice, no venue driven by two nodes") {
    const int disruptions = env_int("AGENTD_CLUSTER_KILLS", 6);
    const auto seed = static_cast<std::uint32_t>(env_int("AGENTD_CLUSTER_SEED", 20261130));
    const int ttl_s = std::max(3, env_int("AGENTD_CLUSTER_TTL", 3));
    std::mt19937 rng(seed);
    MESSAGE("disruptions=" << disruptions << " lease_ttl=" << ttl_s << "s seed=" << seed);

    const char* pg_url = std::getenv("AGENTD_TEST_PG_URL");
    REQUIRE_MESSAGE((pg_url && *pg_url), "AGENTD_TEST_PG_URL unset: run through ctest (fixture postgresql)");
    const auto database = fresh_database(pg_url);
    temp_dir simdir;
    auto sim = start_sim(simdir, {"--size", "tiny", "--clients", "2", "--rate", "0", "--seed", std::to_string(seed)});
    const auto client = sim.clients.at(0).name;
    std::set<std::string> orders_before, baskets_before;
    for (auto& o : sim_list(sim, "orders", client)) orders_before.insert(o.id);
    for (auto& b : sim_list(sim, "baskets", client)) baskets_before.insert(b.id);

    // lease_ttl 3 s (the minimum) keeps the test short; takeover is then within ~4 s.
    const std::string ttl = std::to_string(ttl_s) + "s";
    std::vector<node> nodes(3);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto& n = nodes[i];
        n.name = "n" + std::to_string(i + 1);
        n.dir = std::make_unique<temp_dir>();
        daemon_config_options o;
        o.daemon_extra = "node = \"" + n.name + "\"\nlease_ttl = \"" + ttl + "\"\n";
        o.extra = "[api]\nrequests_per_second = 100000\nburst = 100000\n";
        o.channel_extra = "upstream_per_minute = 1000000\nupstream_burst = 100000\nupstream_concurrency = 100000\n";
        n.config = write_daemon_config(*n.dir, sim, o);
        // Every node on the one shared database instead of its own SQLite file.
        // (The harness writes a file path, or a per-test schema when on PostgreSQL: either goes.)
        auto text = read_file(n.config);
        const auto at = text.find("\ndatabase = \"");
        REQUIRE(at != std::string::npos);
        const auto value = at + std::string("\ndatabase = \"").size();
        const auto end = text.find('"', value);
        REQUIRE(end != std::string::npos);
        text.replace(value, end - value, database);
        write_file(n.config, text, 0600);
        n.sock = n.dir->file("agentd.sock");
    }
    // A start that fails to open the database (its session ended by the server mid-migration
    // check while the machine is overloaded) exits with status 4; systemd's Restart= would start
    // it again, and so does the test, counting it.
    int restarts_after_db_error = 0;
    auto start = [&](node& n) {
        n.stopped = false;
        for (int attempt = 0;; ++attempt) {
            n.proc = start_daemon(*n.dir, n.config);
            bool up = wait_until([&] { return !n.proc->running() || wait_for_daemon(n.sock, 200ms); }, 120s, 50ms);
            if (up && n.proc->running()) return;
            auto st = n.proc->wait(5s);
            REQUIRE_MESSAGE((st == 4 && attempt < 3), "node " << n.name << " did not start\n" << read_file(n.dir->file("agentd.log")));
            ++restarts_after_db_error;
        }
    };
    for (auto& n : nodes) start(n);
    REQUIRE(wait_until([&] { return !owner_of(nodes, client).empty(); }, 60s, 50ms));
    std::vector<std::string> instances;
    std::map<std::string, std::string> ticket_type;
    REQUIRE(wait_until(
        [&] {
            auto s = sellable_instance(nodes[0].sock, client);
            if (!s) return false;
            instances = on_sale_instances(nodes[0].sock, client);
            ticket_type[s->instance] = s->ticket_type;
            return true;
        },
        120s, 100ms));
    instances = {instances.begin(), instances.begin() + std::min<std::ptrdiff_t>(3, std::ssize(instances))};
    for (const auto& i : instances)
        if (!ticket_type.count(i)) ticket_type[i] = ticket_type.begin()->second;

    std::map<std::string, acked> acks;
    std::vector<std::string> open;
    int key_seq = 0, creates = 0, confirms = 0, releases = 0;
    std::map<std::string, int> creates_per_node;
    auto up_nodes = [&] {
        std::vector<node*> v;
        for (auto& n : nodes)
            if (n.up()) v.push_back(&n);
        return v;
    };
    // One round of channel traffic on every node that answers.
    auto traffic = [&] {
        for (auto* n : up_nodes()) {
            for (int k = 0; k < 2; ++k) {
                const auto& inst = instances[std::size_t(key_seq) % instances.size()];
                const auto key = "cluster-" + std::to_string(seed) + "-" + std::to_string(key_seq++);
                const auto body = R"({"client":")" + client + R"(","instance":")" + inst +
                                  R"(","bestAvailable":{"quantity":1,"ticketType":")" + ticket_type[inst] + R"("}})";
                auto a = uds_request(n->sock, "POST", "/v1/reservations", body, {"Idempotency-Key: " + key}, 10s);
                if (!a || (a->status != 200 && a->status != 202)) continue;
                auto id = json_get(a->body, "id");
                REQUIRE(id);
                if (acks.count(*id)) continue;
                acks[*id] = acked{};
                open.push_back(*id);
                ++creates;
                ++creates_per_node[n->name];
            }
            if (open.empty()) continue;
            // Confirm or release one open reservation through this node, whoever drives it.
            const auto idx = std::uniform_int_distribution<std::size_t>(0, open.size() - 1)(rng);
            const auto id = open[idx];
            auto g = uds_request(n->sock, "GET", "/v1/reservations/" + id, {}, {}, 5s);
            if (!g || json_get(g->body, "state") != "held") continue;
            const bool confirm = std::uniform_int_distribution<int>(0, 2)(rng) != 0;
            auto a = confirm ? uds_request(n->sock, "POST", "/v1/reservations/" + id + "/confirm", confirm_body(id), {}, 10s)
                             : uds_request(n->sock, "DELETE", "/v1/reservations/" + id, {}, {}, 10s);
            if (!a || a->status / 100 != 2) continue;
            if (confirm) {
                acks[id].confirm_acked = true;
                ++confirms;
            } else {
                acks[id].release_acked = true;
                ++releases;
            }
            open.erase(open.begin() + std::ptrdiff_t(idx));
        }
    };

    std::vector<double> takeover_s;
    int kills = 0, pauses = 0;
    for (int d = 0; d < disruptions; ++d) {
        traffic();
        const auto victim_name = owner_of(nodes, client);
        REQUIRE(!victim_name.empty());
        auto& victim = *std::find_if(nodes.begin(), nodes.end(), [&](const node& n) { return n.name == victim_name; });
        const bool kill = d % 2 == 0;
        const auto t0 = std::chrono::steady_clock::now();
        if (kill) {
            victim.proc->signal(SIGKILL);
            victim.proc->wait(30s);
            victim.proc.reset();
            ++kills;
        } else {
            victim.proc->signal(SIGSTOP);
            victim.stopped = true;
            ++pauses;
        }
        // Channels keep talking to the other nodes while the venue has no driver.
        traffic();
        std::string next;
        REQUIRE_MESSAGE(wait_until(
                            [&] {
                                next = owner_of(nodes, client);
                                return !next.empty() && next != victim_name;
                            },
                            std::chrono::seconds(20 * ttl_s), 20ms),
                        "no takeover from " << victim_name << "\n" << log_tails(nodes));
        takeover_s.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (kill) {
            start(victim);
        } else {
            // Woken after the takeover: its local view has run out, so it must send nothing more.
            victim.proc->signal(SIGCONT);
            victim.stopped = false;
            REQUIRE(wait_for_daemon(victim.sock, 30s));
        }
        traffic();
    }
    MESSAGE("disruptions: SIGKILL=" << kills << " SIGSTOP=" << pauses << "; starts retried after a database error="
                                    << restarts_after_db_error << "; acknowledged creates=" << creates
                                    << " confirms=" << confirms << " releases=" << releases);
    {
        std::string per;
        for (auto& [n, c] : creates_per_node) per += n + ":" + std::to_string(c) + " ";
        MESSAGE("creates acknowledged per node: " << per);
    }
    REQUIRE(creates > 0);
    CHECK(creates_per_node.size() == nodes.size());  // channels on every node were served
    MESSAGE("takeover seconds (signal to a live lease elsewhere, lease_ttl " << ttl << "): p50=" << percentile(takeover_s, 0.5)
                                                                                       << " max=" << percentile(takeover_s, 1.0)
                                                                                       << " n=" << takeover_s.size());

    // agentctl status on a node shows who drives each venue.
    {
        ctl_process ctl({"--socket", nodes[0].sock, "status"});
        auto r = ctl.finish();
        CHECK(r.code == 0);
        CHECK(r.has("DRIVEN BY"));
        CHECK(r.has(owner_of(nodes, client)));
    }

    const auto& sock = up_nodes().front()->sock;
    books_input books;
    books.sock = sock;
    books.client = client;
    books.sim = &sim;
    books.acks = acks;
    books.orders_before = orders_before;
    books.baskets_before = baskets_before;
    books.settled = settle(sock, client);
    for (const auto& r : books.settled)
        if (r.state == "held") {
            auto a = uds_request(sock, "DELETE", "/v1/reservations/" + r.id, {}, {}, 30s);
            REQUIRE(a);
            CHECK(a->status / 100 == 2);
        }
    books.final_view = settle(sock, client);
    auto f = check_books(books);
    MESSAGE("books: acknowledged=" << f.acknowledged << " lost=" << f.lost << " ordered_twice=" << f.ordered_twice
                                   << " upstream_orders=" << f.new_orders << " confirm_unknown=" << f.confirm_unknown);
    CHECK(f.lost == 0);
    CHECK(f.ordered_twice == 0);

    // One node's requests per venue at a time: a new driver's first request comes at least the
    // lease margin (ttl/5 = 600 ms) after the old driver's last one, which stopped sending when
    // its local view ran out; two nodes driving at once would interleave with gaps near zero.
    auto n = tcp_request(sim.control_url, "GET", "/nodes?min_gap_ms=300", {}, 30s);
    REQUIRE(n);
    REQUIRE(n->status == 200);
    const int handovers = json_array_size(n->body, "handovers");
    const int overlaps = json_array_size(n->body, "overlaps");
    MESSAGE("venue handovers seen upstream=" << handovers << " double-driven (overlaps)=" << overlaps);
    CHECK_MESSAGE(overlaps == 0, n->body);
    CHECK(handovers >= disruptions);
    auto inv = tcp_request(sim.control_url, "GET", "/invariants", {}, 30s);
    REQUIRE(inv);
    CHECK_MESSAGE(json_get(inv->body, "ok") == "true", inv->body);

    for (auto& nd : nodes) {
        if (!nd.proc) continue;
        nd.proc->signal(SIGTERM);
        CHECK(nd.proc->wait(60s) == 0);
    }
}
