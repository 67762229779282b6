#include "agentd/domain/window_schedule.hpp"

#include <algorithm>

namespace agentd::domain {
namespace {

using namespace std::chrono;

bool starts_on(const window_rule& r, sys_days d) {
    const unsigned iso = weekday{d}.iso_encoding();  // 1 = Monday
    return (r.weekdays >> (iso - 1)) & 1u;
}

sys_time resolve(const window_moment& m, const time_zone& tz) {
    return m.local ? local_to_utc(m.at, tz) : sys_time(m.at);
}

// Every occurrence of `r` (index `i`) overlapping [from, to).
void occurrences_of(const window_rule& r, std::size_t i, const time_zone& tz, sys_time from, sys_time to,
                    std::vector<window_occurrence>& out) {
    if (!r.recurring) {
        const auto s = resolve(r.from, tz), e = resolve(r.until, tz);
        if (s < e && s < to && e > from) out.push_back({i, s, e});
        return;
    }
    const int span = r.end_minute > r.start_minute ? r.end_minute - r.start_minute : r.end_minute + 1440 - r.start_minute;
    // Local days from the one before `from` (a window crossing midnight) to the one after `to`.
    const auto first = floor<days>(from + tz.offset_at(from)) - days(1);
    const auto last = floor<days>(to + tz.offset_at(to)) + days(1);
    for (sys_days d = first; d <= last; d += days(1)) {
        if (!starts_on(r, d)) continue;
        const sys_seconds local_start = d + minutes(r.start_minute);
        const auto s = local_to_utc(local_start, tz);
        const auto e = local_to_utc(local_start + minutes(span), tz);
        if (s < e && s < to && e > from) out.push_back({i, s, e});
    }
}

}  // namespace

sys_time local_to_utc(sys_seconds local, const time_zone& tz) {
    // At most one clock change lies within a day of any instant in the zoneinfo database.
    const auto early = tz.offset_at(local - days(1));
    const auto late = tz.offset_at(local + days(1));
    const sys_seconds a = local - early, b = local - late;
    const bool a_ok = a + tz.offset_at(a) == local, b_ok = b + tz.offset_at(b) == local;
    if (a_ok && b_ok) return std::min(a, b);  // occurs twice: the first
    if (a_ok) return a;
    if (b_ok) return b;
    // Skipped by the clocks: the moment they skip it, the first instant with the later offset.
    sys_seconds lo = std::min(a, b), hi = std::max(a, b);
    while (hi - lo > seconds(1)) {
        const auto mid = lo + (hi - lo) / 2;
        if (tz.offset_at(mid) == tz.offset_at(hi)) hi = mid;
        else lo = mid;
    }
    return hi;
}

window_schedule::window_schedule(std::vector<window_rule> rules, time_zone tz)
    : rules_(std::move(rules)), tz_(std::move(tz)) {}

std::vector<window_occurrence> window_schedule::occurrences(sys_time from, sys_time to) const {
    std::vector<window_occurrence> out;
    for (std::size_t i = 0; i < rules_.size(); ++i) occurrences_of(rules_[i], i, tz_, from, to, out);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
        return x.start != y.start ? x.start < y.start : x.end < y.end;
    });
    return out;
}

window_state window_schedule::state_at(sys_time now) const {
    window_state st;
    if (rules_.empty()) return st;
    // Recurring windows last under a day each, so eight days ahead always holds the next start;
    // a stretch of back-to-back windows longer than that is reported as ending at its horizon.
    const auto horizon = now + days(9);
    const auto occ = occurrences(now - days(2), horizon);
    const window_occurrence* last_ending = nullptr;
    for (const auto& o : occ) {
        if (o.start > now || o.end <= now) continue;
        st.inside = true;
        st.reads_blocked = st.reads_blocked || rules_[o.rule].block_reads;
        st.refuse_creates = st.refuse_creates || rules_[o.rule].creates == window_creates::refuse;
        if (!last_ending || o.end > last_ending->end) last_ending = &o;
    }
    sys_time after = now;
    if (st.inside) {
        st.name = rules_[last_ending->rule].name;
        st.ends_at = last_ending->end;
        // Windows that overlap or touch the stretch extend it: writes resume only at its end.
        for (bool grew = true; grew;) {
            grew = false;
            for (const auto& o : occ)
                if (o.start <= st.ends_at && o.end > st.ends_at) {
                    st.ends_at = o.end;
                    grew = true;
                }
        }
        after = st.ends_at;
    }
    for (const auto& o : occ)
        if (o.start > after) {
            st.next = o;
            st.next_name = rules_[o.rule].name;
            break;
        }
    // One-off windows may lie beyond the horizon.
    if (!st.next)
        for (std::size_t i = 0; i < rules_.size(); ++i) {
            if (rules_[i].recurring) continue;
            const auto s = resolve(rules_[i].from, tz_), e = resolve(rules_[i].until, tz_);
            if (s > after && s < e && (!st.next || s < st.next->start)) {
                st.next = window_occurrence{i, s, e};
                st.next_name = rules_[i].name;
            }
        }
    return st;
}

std::optional<sys_time> clipped_deadline(sys_time deadline, const window_occurrence& upcoming, std::chrono::seconds lead) {
    const auto cut = upcoming.start - lead;
    if (deadline <= cut || deadline > upcoming.end) return std::nullopt;
    return cut;
}

}  // namespace agentd::domain
