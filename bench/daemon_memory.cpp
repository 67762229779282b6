// The resident-memory figures: the venue300 daemon after the read, sync and rush figures, and
// the 10-million-seat world after its initial mirror. Besides VmHWM, the venue figure's note
// says where the resident pages are now (anonymous vs file-backed, from smaps_rollup) and what
// the answer cache holds against its cap, so a regression can be placed without a profiler;
// `--only memory` also prints the largest mappings to stderr.
#include "bench/daemon_figures.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace bench {

using namespace std::chrono_literals;
namespace t = agentd::test;

namespace {

// kB fields of /proc/PID/smaps_rollup, in MiB.
std::map<std::string, double> smaps_rollup(int pid) {
    std::map<std::string, double> out;
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos || line.find(" kB") == std::string::npos) continue;
        out[line.substr(0, colon)] = std::strtod(line.c_str() + colon + 1, nullptr) / 1024.0;
    }
    return out;
}

std::string mib(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

}  // namespace

void print_mappings(int pid, int top) {
    // Resident MiB by what is mapped: a file, [heap], [stack], or an anonymous mapping (malloc's
    // per-thread arenas and large blocks, thread stacks); the largest anonymous ones also one by
    // one with their size, which tells an arena (64 MiB reserved) from a thread stack (8 MiB).
    std::ifstream in("/proc/" + std::to_string(pid) + "/smaps");
    std::map<std::string, std::pair<double, int>> by;  // name -> (rss MiB, mappings)
    std::vector<std::pair<double, std::string>> anon;  // rss MiB, "range (size)"
    std::string line, name, range;
    while (std::getline(in, line)) {
        if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) && line.find('-') < 17) {
            std::istringstream s(line);
            std::string perms, off, dev, inode;
            s >> range >> perms >> off >> dev >> inode;
            name.clear();
            std::getline(s >> std::ws, name);
            if (name.empty()) name = "[anon]";
            by[name].second++;
        } else if (line.rfind("Rss:", 0) == 0) {
            const double rss = std::strtod(line.c_str() + 4, nullptr) / 1024.0;
            by[name].first += rss;
            if (name == "[anon]") {
                auto dash = range.find('-');
                const double size = double(std::stoull(range.substr(dash + 1), nullptr, 16) -
                                           std::stoull(range.substr(0, dash), nullptr, 16)) / 1048576.0;
                anon.emplace_back(rss, range + " (" + mib(size) + " MiB mapped)");
            }
        }
    }
    std::vector<std::pair<std::string, std::pair<double, int>>> v(by.begin(), by.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    std::fprintf(stderr, "bench: resident MiB by mapping (pid %d):\n", pid);
    for (int i = 0; i < top && i < int(v.size()); ++i)
        std::fprintf(stderr, "  %7.2f  %4d× %s\n", v[i].second.first, v[i].second.second, v[i].first.c_str());
    std::sort(anon.begin(), anon.end(), std::greater<>());
    std::fprintf(stderr, "bench: largest anonymous mappings, resident MiB:\n");
    for (int i = 0; i < top && i < int(anon.size()); ++i)
        std::fprintf(stderr, "  %7.2f  %s\n", anon[i].first, anon[i].second.c_str());
}

figure venue_memory(const rig& r) {
    figure mem;
    mem.name = "resident memory, 300-instance venue (VmHWM)";
    mem.unit = "MiB";
    mem.ratio_target = false;
    mem.higher_is_better = false;
    mem.target = 64;
    mem.target_text = "≤ 64 MiB";
    const int pid = r.daemon->pid();
    mem.value.push_back(proc_status_mib(pid, "VmHWM:"));
    auto roll = smaps_rollup(pid);
    const double anon = roll["Anonymous"], rss = roll["Rss"];
    auto m = get_metrics(r);
    auto cache_bytes = metric(m, "agentd_api_cache_bytes");
    auto cache_max = metric(m, "agentd_api_cache_max_bytes");
    auto cache_entries = metric(m, "agentd_api_cache_entries");
    std::error_code ec;
    const auto db_bytes = std::filesystem::file_size(r.db_path, ec);
    const std::string db = ec ? std::string("?") : mib(double(db_bytes) / 1048576.0);
    mem.note = "peak after the initial mirror, reads, sync and the rush; now: VmRSS " + mib(proc_status_mib(pid, "VmRSS:")) +
               " MiB = anonymous " + mib(anon) + " + file-backed " + mib(rss - anon) + ", " +
               std::to_string(int(proc_status_mib(pid, "Threads:") * 1024)) + " threads; answer cache " +
               (cache_bytes ? mib(*cache_bytes / 1048576.0) : std::string("?")) + " MiB in " +
               (cache_entries ? std::to_string(std::int64_t(*cache_entries)) : std::string("?")) + " answers, cap " +
               (cache_max ? mib(*cache_max / 1048576.0) + " MiB" : std::string("not reported")) + "; database file " + db +
               " MiB; one measurement";
    return mem;
}

void run_large_memory(const daemon_options& o, std::vector<figure>& out) {
    figure f;
    f.name = "resident memory, 50 clients / 10M seats mirrored (VmHWM)";
    f.unit = "MiB";
    f.ratio_target = false;
    f.higher_is_better = false;
    f.target = 512;
    f.target_text = "≤ 512 MiB";
    if (o.quick) {
        f.note = "not measured with --quick (the large world takes minutes to mirror)";
        out.push_back(std::move(f));
        return;
    }
    rig r;
    r.sim = t::start_sim(r.dir, {"--size", "large", "--rate", "0"});
    start_daemon(r, "large.db", 100000, false);
    auto t0 = clock_type::now();
    std::string done = "?", total = "?";
    bool complete = t::wait_until(
        [&] {
            auto a = t::uds_request(r.socket, "GET", "/v1/health", {}, {}, 10s);
            if (!a || a->status != 200) return false;
            done = t::json_get(a->body, "sync.instancesDone").value_or("?");
            total = t::json_get(a->body, "sync.instancesTotal").value_or("?");
            return t::json_get(a->body, "sync.initialComplete") == "true";
        },
        std::chrono::seconds(360), 500ms);
    f.value.push_back(proc_status_mib(r.daemon->pid(), "VmHWM:"));
    f.note = std::string(complete ? "initial mirror complete" : "initial mirror NOT complete within 6 min") + " (" + done +
             "/" + total + " instances, " + std::to_string(int(seconds_since(t0))) + " s); one measurement";
    stop_daemon(r);
    out.push_back(std::move(f));
}

}  // namespace bench
