// The answer cache wired to the daemon: the mirror's read view as its source, the database's
// commit count as its clock of changes, its counters on /metrics.
#include "agentd/mirror/answer_cache.hpp"

#include "agentd/mirror/view.hpp"
#include "agentd/store/database.hpp"

namespace agentd::mirror {

std::unique_ptr<answer_cache> make_answer_cache(mirror_view& mirror, const std::string& db_path, const store::database* db,
                                                const agentd::clock* clock, std::size_t max_bytes) {
    answer_cache::sources s;
    s.db_path = db_path;
    s.commits = [db] { return db ? db->commit_count() : 0; };
    s.instance = [&mirror](std::string_view c, std::string_view id) { return mirror.instance(c, id); };
    s.seats = [&mirror](std::string_view c, std::string_view id) { return mirror.seats(c, id); };
    s.instances = [&mirror](const api::instance_query& q) { return mirror.instances(q); };
    s.events = [&mirror](const api::event_query& q) { return mirror.events(q); };
    s.clock = clock ? clock : &agentd::system_clock::instance();
    return std::make_unique<answer_cache>(std::move(s), db ? max_bytes : 0);
}

void add_answer_cache_metrics(const answer_cache& cache, std::vector<api::metric_sample>& out) {
    const auto c = cache.stats();
    auto add = [&](std::string name, std::string help, std::string type, double v) {
        out.push_back({std::move(name), std::move(help), std::move(type), {}, v});
    };
    add("agentd_api_cache_hits_total", "Read answers served from the answer cache.", "counter", double(c.hits));
    add("agentd_api_cache_misses_total", "Read answers built from the mirror and then cached.", "counter", double(c.misses));
    add("agentd_api_cache_invalidated_total", "Cached answers dropped because a committed change could alter them.",
        "counter", double(c.invalidated));
    add("agentd_api_cache_evicted_total", "Cached answers dropped to stay within [api] answer_cache.", "counter",
        double(c.evicted));
    add("agentd_api_cache_resets_total", "Times the whole answer cache was cleared (feed gap, backlog or unknown row).",
        "counter", double(c.resets));
    add("agentd_api_cache_bytes", "Bytes held by the answer cache.", "gauge", double(c.bytes));
    add("agentd_api_cache_max_bytes", "The answer cache's cap ([api] answer_cache; 0: not caching).", "gauge",
        double(c.max_bytes));
    add("agentd_api_cache_entries", "Answers held by the answer cache.", "gauge", double(c.entries));
}

}  // namespace agentd::mirror
