#include "agentd/mirror/answer_cache.hpp"

#include "agentd/api/json_parts.hpp"
#include "agentd/core/id.hpp"
#include "agentd/core/time.hpp"
#include "agentd/log/log.hpp"
#include "agentd/store/feed.hpp"
#include "agentd/store/mirror_store.hpp"
#include "agentd/store/reader.hpp"

#include <algorithm>

namespace agentd::mirror {

namespace {

// Routes, as the second part of a key: client \x01 route \x01 rest. Ids and client names
// never contain \x01 (core/id.hpp), so a client's entries, and one route's, are each one
// contiguous range of the ordered map.
constexpr char k_instance = 'I', k_seats = 'S', k_instance_list = 'L', k_event_list = 'E';
constexpr char k_sep = '\x01';

// Feed rows read per page while catching up, and the backlog beyond which clearing the cache
// is cheaper than applying row by row.
constexpr std::size_t k_page = 512;
constexpr int k_max_pages = 8;

// Bookkeeping per entry beyond its text: map node, list node, strings' headers.
constexpr std::size_t k_entry_overhead = 192;

void key_of(std::string& out, std::string_view client, char route, std::string_view rest) {
    out.assign(client);
    out += k_sep;
    out += route;
    out += k_sep;
    out += rest;
}

// A query value (free text): its length first, so no value can end early or run into the next.
void add_opt(std::string& out, const std::optional<std::string>& v) {
    out += k_sep;
    if (v) {
        out += std::to_string(v->size());
        out += ':';
        out += *v;
    }
}

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

}  // namespace

struct answer_cache::entry {
    std::string head, tail;  // the body is head, or head + age + tail when `aged`
    bool aged = false;
    std::optional<sys_time> confirmed_at;  // origin of the age (instance)
    std::optional<std::int64_t> confirmed_ms;  // the sync state's last success when filled
    std::uint64_t validated = 0;               // commit count at which it was last known current
    std::list<map_type::iterator>::iterator lru;
    std::size_t cost = 0;
};

answer_cache::answer_cache(sources s, std::size_t max_bytes) : src_(std::move(s)), max_bytes_(max_bytes) {}
answer_cache::~answer_cache() = default;

bool answer_cache::cacheable(std::string_view client, std::string_view id) const noexcept {
    // Keys are built from these: anything an id may not hold is answered uncached.
    return max_bytes_ > 0 && valid_id(client) && valid_id(id);
}

answer_cache::counters answer_cache::stats() const noexcept {
    auto c = stats_;
    c.entries = entries_.size();
    c.max_bytes = max_bytes_;
    return c;
}

void answer_cache::clear() {
    if (!entries_.empty()) ++stats_.resets;
    stats_.invalidated += entries_.size();
    entries_.clear();
    lru_.clear();
    stats_.bytes = 0;
}

void answer_cache::erase_key(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    stats_.bytes -= it->second.cost;
    lru_.erase(it->second.lru);
    entries_.erase(it);
}

void answer_cache::erase_range(std::string_view client, char route) {
    std::string prefix(client);
    prefix += k_sep;
    if (route) {
        prefix += route;
        prefix += k_sep;
    }
    auto it = entries_.lower_bound(prefix);
    while (it != entries_.end() && it->first.starts_with(prefix)) {
        stats_.bytes -= it->second.cost;
        ++stats_.invalidated;
        lru_.erase(it->second.lru);
        it = entries_.erase(it);
    }
}

void answer_cache::apply_feed_row(std::string_view kind, std::string_view payload) {
    // Reservations and sync refusals change no mirror row (answers are built from the mirror
    // alone); they are the most frequent rows, so they are not even decoded.
    if (kind == "reservation" || kind == "sync" || entries_.empty()) return;
    auto data = api::decode_feed_data(kind, payload);
    if (!data) {
        log::warn("api", "cache", "feed row not understood; answer cache cleared",
                  {{"kind", kind}, {"error", data.error().message}});
        clear();
        return;
    }
    auto one = [&](std::string_view client, char route, std::string_view id) {
        key_of(key_, client, route, id);
        if (entries_.contains(key_)) ++stats_.invalidated;
        erase_key(key_);
    };
    std::visit(overloaded{
                   [&](const api::feed_mirror_change& c) {
                       if (kind == "event") {
                           erase_range(c.client, k_instance);  // they carry the event's name
                           erase_range(c.client, k_event_list);
                       } else {
                           one(c.client, k_instance, c.id);
                           one(c.client, k_seats, c.id);
                           erase_range(c.client, k_event_list);
                       }
                       erase_range(c.client, k_instance_list);
                   },
                   [&](const api::feed_availability& a) {
                       one(a.client, k_instance, a.id);
                       one(a.client, k_seats, a.id);
                       erase_range(a.client, k_instance_list);
                   },
                   [&](const api::feed_price_list& p) { erase_range(p.client, k_instance); },
                   [&](const api::feed_plan& p) { erase_range(p.client, k_seats); },
                   [&](const auto&) {},
               },
               *data);
}

bool answer_cache::catch_up() {
    const auto now = src_.commits();
    if (seen_commits_ && *seen_commits_ == now) return true;
    if (!reader_) {
        auto r = store::reader::open(src_.db_path);
        if (!r) return false;
        reader_ = std::make_unique<store::reader>(std::move(*r));
    }
    auto& conn = reader_->conn();
    if (!seen_commits_) {
        // First look: nothing is cached yet, so only the feed's end matters.
        auto last = store::feed_last_seq(conn);
        if (!last) return false;
        applied_seq_ = *last;
        seen_commits_ = now;
        return true;
    }
    for (int page = 0;; ++page) {
        if (page == k_max_pages) {
            clear();
            auto last = store::feed_last_seq(conn);
            if (!last) return false;
            applied_seq_ = *last;
            break;
        }
        auto rows = store::feed_since(conn, applied_seq_, k_page);
        if (!rows) {
            clear();  // cannot tell what changed: serve nothing old
            return false;
        }
        for (const auto& r : *rows) {
            // Rows are numbered without holes; a hole means rows were pruned unseen.
            if (r.seq != applied_seq_ + 1) clear();
            apply_feed_row(r.kind, r.payload);
            applied_seq_ = r.seq;
        }
        if (rows->size() < k_page) break;
    }
    seen_commits_ = now;
    return true;
}

result<std::optional<std::int64_t>> answer_cache::confirmed_ms(std::string_view client, std::string_view id) {
    std::string resource = "avail:";
    resource += id;
    auto st = store::mirror_sync_state(reader_->conn(), client, resource);
    if (!st) return st.error();
    if (!*st) return std::optional<std::int64_t>{};
    return (*st)->last_success;
}

answer_cache::entry* answer_cache::find(const std::string& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return &it->second;
}

void answer_cache::insert(std::string key, entry e) {
    e.cost = key.size() * 2 + e.head.size() + e.tail.size() + k_entry_overhead;
    if (e.cost > max_bytes_) return;  // larger than the whole cache: served, never kept
    erase_key(key);
    stats_.bytes += e.cost;
    auto [it, added] = entries_.emplace(std::move(key), std::move(e));
    lru_.push_front(it);
    it->second.lru = lru_.begin();
    make_room();
}

void answer_cache::make_room() {
    while (stats_.bytes > max_bytes_ && !lru_.empty()) {
        auto it = lru_.back();
        stats_.bytes -= it->second.cost;
        lru_.pop_back();
        entries_.erase(it);
        ++stats_.evicted;
    }
}

std::string answer_cache::serve(const entry& e) const {
    if (!e.aged) return e.head;
    double age = -1;
    if (e.confirmed_at) age = std::max(0.0, std::chrono::duration<double>(src_.clock->now() - *e.confirmed_at).count());
    std::string out;
    out.reserve(e.head.size() + e.tail.size() + 32);
    out = e.head;
    api::append_json_number(out, age);
    out += e.tail;
    return out;
}

namespace {

template <class T>
result<std::string> encoded(result<T> r) {
    if (!r) return r.error();
    return api::to_json(*r);
}

}  // namespace

answer_cache::entry* answer_cache::current(std::string_view client, std::string_view id, std::uint64_t commits) {
    auto* e = find(key_);
    if (!e || e->validated == commits) return e;
    // Something was committed since it was last served and no feed row evicted it: only the
    // availability's confirmation can have moved.
    auto ms = confirmed_ms(client, id);
    if (ms && *ms == e->confirmed_ms) {
        e->validated = commits;
        return e;
    }
    ++stats_.invalidated;
    erase_key(key_);
    return nullptr;
}

result<std::string> answer_cache::instance(std::string_view client, std::string_view id) {
    if (!cacheable(client, id) || !catch_up()) return encoded(src_.instance(client, id));
    const auto commits = *seen_commits_;
    key_of(key_, client, k_instance, id);
    if (auto* e = current(client, id, commits)) {
        ++stats_.hits;
        return serve(*e);
    }
    ++stats_.misses;
    // Read before the answer: a confirmation committed in between shows up as a mismatch later.
    auto ms = confirmed_ms(client, id);
    if (!ms) return encoded(src_.instance(client, id));
    auto r = src_.instance(client, id);
    if (!r) return r.error();
    auto parts = api::to_json_parts(*r);
    entry e;
    e.head = std::move(parts.head);
    e.tail = std::move(parts.tail);
    e.aged = true;
    if (!r->availability_confirmed_at.empty())
        if (auto t = parse_iso(r->availability_confirmed_at)) e.confirmed_at = *t;
    e.confirmed_ms = *ms;
    e.validated = commits;
    auto body = serve(e);
    insert(key_, std::move(e));
    return body;
}

result<std::string> answer_cache::seats(std::string_view client, std::string_view id) {
    if (!cacheable(client, id) || !catch_up()) return encoded(src_.seats(client, id));
    const auto commits = *seen_commits_;
    key_of(key_, client, k_seats, id);
    if (auto* e = current(client, id, commits)) {
        ++stats_.hits;
        return serve(*e);
    }
    ++stats_.misses;
    auto ms = confirmed_ms(client, id);
    if (!ms) return encoded(src_.seats(client, id));
    auto r = src_.seats(client, id);
    if (!r) return r.error();
    entry e;
    e.head = api::to_json(*r);
    e.confirmed_ms = *ms;
    e.validated = commits;
    auto body = e.head;
    insert(key_, std::move(e));
    return body;
}

result<std::string> answer_cache::instances(const api::instance_query& q) {
    if (!cacheable(q.client, "-") || !catch_up()) return encoded(src_.instances(q));
    key_of(key_, q.client, k_instance_list, {});
    add_opt(key_, q.from);
    add_opt(key_, q.to);
    add_opt(key_, q.event);
    return listing([&] { return encoded(src_.instances(q)); });
}

result<std::string> answer_cache::events(const api::event_query& q) {
    if (!cacheable(q.client, "-") || !catch_up()) return encoded(src_.events(q));
    key_of(key_, q.client, k_event_list, {});
    add_opt(key_, q.from);
    add_opt(key_, q.to);
    add_opt(key_, q.search);
    return listing([&] { return encoded(src_.events(q)); });
}

result<std::string> answer_cache::listing(const std::function<result<std::string>()>& build) {
    if (auto* e = find(key_)) {
        ++stats_.hits;
        return e->head;
    }
    ++stats_.misses;
    auto body = build();
    if (!body) return body.error();
    entry e;
    e.head = *body;
    insert(key_, std::move(e));
    return body;
}

}  // namespace agentd::mirror
