// bench/engines: one node on each store engine, side by side in one run (--only engines): the
// same simulator world and daemon settings, first on a SQLite file, then on a throwaway
// PostgreSQL 15 cluster on this machine (tests/support/pg_cluster --durable: fsync on, Unix
// socket), measuring the availability reads and the durable acknowledgements of each.
#include "bench/daemon_figures.hpp"

#include <cstdlib>
#include <stdexcept>
#include <sys/stat.h>

namespace bench {

namespace t = agentd::test;

namespace {

std::string run_cluster(const std::string& verb, const std::string& dir) {
    const std::string script = t::source_dir() + "/tests/support/pg_cluster";
    const std::string cmd = "'" + script + "' " + verb + " '" + dir + "'" + (verb == "start" ? " --durable" : "") + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("pg_cluster " + verb + " failed (" + dir + ")");
    return verb == "start" ? t::read_file(dir + "/url") : std::string();
}

}  // namespace

void run_engines(const daemon_options& o, std::vector<figure>& out) {
    for (const std::string engine : {"sqlite", "postgresql"}) {
        rig r;
        std::fprintf(stderr, "bench: %s: starting agentd-sim --size venue300\n", engine.c_str());
        r.sim = t::start_sim(r.dir, {"--size", "venue300", "--rate", "0"});
        r.client = r.sim.clients.at(0).name;
        std::string db = "agentd.db";
        const std::string pg_dir = r.dir.file("pg");
        if (engine == "postgresql") {
            ::chmod(r.dir.path().c_str(), 0711);  // as root the cluster runs as nobody, who must reach pg/
            db = run_cluster("start", pg_dir);
            while (!db.empty() && db.back() == '\n') db.pop_back();
        }
        std::vector<figure> mine;
        try {
            start_daemon(r, db, 100000, true);
            wait_initial_mirror(r);
            std::fprintf(stderr, "bench: %s: availability reads\n", engine.c_str());
            run_reads(r, o, mine);
            std::fprintf(stderr, "bench: %s: acknowledgements\n", engine.c_str());
            run_acks(r, o, mine);  // ends with kill -9 of the daemon
            stop_daemon(r);
        } catch (...) {
            stop_daemon(r);
            if (engine == "postgresql") run_cluster("stop", pg_dir);
            throw;
        }
        if (engine == "postgresql") run_cluster("stop", pg_dir);
        for (auto& f : mine) {
            f.name = "[" + engine + "] " + f.name;
            out.push_back(std::move(f));
        }
    }
}

}  // namespace bench
