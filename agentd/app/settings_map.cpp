#include "agentd/app/settings_map.hpp"

#include "agentd/core/tz.hpp"
#include "agentd/domain/window_schedule.hpp"

#include <algorithm>

namespace agentd::app {

upstream::client_settings to_upstream(const config::client_settings& c) {
    upstream::client_settings u;
    u.base_url = c.base_url;
    u.client_name = c.name;
    u.requests_per_minute = double(c.requests_per_minute);
    u.burst = double(c.request_burst);
    u.max_connections = int(c.max_connections);
    u.timeout.connect = c.connect_timeout;
    u.timeout.tls = c.connect_timeout;
    u.timeout.resolve = c.connect_timeout;
    u.timeout.request = c.request_timeout;
    u.timeout.overall = c.request_timeout + c.connect_timeout;
    u.max_response_bytes = std::size_t(c.max_response);
    u.ca_file = c.ca_file;
    u.customer_fields.first_name = c.customer_first_name_field;
    u.customer_fields.last_name = c.customer_last_name_field;
    u.customer_fields.address_line1 = c.customer_address_field;
    u.customer_fields.reference = c.customer_reference_field;
    u.seat_lock_type_field = c.seat_lock_type_field;
    return u;
}

upstream::account_settings to_upstream(const config::account_settings& a) {
    return upstream::account_settings{a.login, a.secret};
}

control::server_settings to_server(const config::settings& s, std::string version) {
    control::server_settings out;
    out.socket_path = s.daemon.socket_path;
    out.socket_mode = s.daemon.socket_mode;
    out.max_body = std::size_t(s.api.max_body);
    out.max_header = std::size_t(s.api.max_header);
    out.requests_per_second = double(s.api.requests_per_second);
    out.burst = double(s.api.burst);
    out.max_connections = std::size_t(s.api.max_connections);
    out.idle_timeout = s.api.idle_timeout;
    out.header_timeout = s.api.header_timeout;
    out.longpoll_max = s.api.longpoll_max;
    out.feed_buffer = std::size_t(s.api.feed_buffer);
    out.feed_heartbeat = s.api.feed_heartbeat;
    out.max_connections_per_uid = std::size_t(s.api.max_connections_per_uid);
    out.metrics_open = s.api.metrics_open;
    out.version = std::move(version);
    for (const auto& ch : s.channels) {
        control::channel_entry e;
        e.name = ch.name;
        e.uid = ch.uid;
        e.gid = ch.gid;
        e.role = ch.role == config::channel_role::admin ? control::role::admin : control::role::sales;
        e.weight = int(ch.weight);
        e.upstream = {double(ch.upstream_per_minute) / 60.0, double(ch.upstream_burst), std::size_t(ch.upstream_concurrency)};
        out.channels.push_back(std::move(e));
    }
    return out;
}

reservations::settings to_reservations(const config::settings& s) {
    using std::chrono::duration_cast;
    const auto& r = s.reservations;
    reservations::settings out;
    out.hold.basket_lifetime = duration_cast<std::chrono::seconds>(r.basket_lifetime);
    out.hold.expiry_margin = duration_cast<std::chrono::seconds>(r.expiry_margin);
    out.hold.max_hold = duration_cast<std::chrono::seconds>(r.max_hold);
    out.hold.mode = r.basket_lifetime_mode == "absolute" ? domain::lifetime_mode::absolute : domain::lifetime_mode::sliding;
    out.limits.max_quantity = static_cast<int>(r.max_quantity);
    out.retry.max_attempts = static_cast<int>(r.best_available_retries) + 1;
    out.queue.max_total = static_cast<std::size_t>(r.queue_limit);
    out.queue.max_per_channel = static_cast<std::size_t>(r.channel_backlog_limit);
    out.queue.max_in_flight_per_client = static_cast<int>(r.inflight_per_client);
    for (const auto& c : s.channels) out.queue.channel_weights[c.name] = static_cast<int>(std::clamp<std::int64_t>(c.weight, 1, 1000));
    out.call_timeout = duration_cast<std::chrono::milliseconds>(r.confirm_timeout);
    out.extend_min_interval = duration_cast<std::chrono::seconds>(r.extend_min_interval);
    out.drain_timeout = duration_cast<std::chrono::milliseconds>(s.daemon.drain_timeout);
    out.local_sold_out_max_age = duration_cast<std::chrono::milliseconds>(r.local_sold_out_max_age);
    out.choose_seats_from_mirror = r.choose_seats_from_mirror;
    return out;
}

reservations::best_available_form to_best_available_form(std::string_view mode) {
    using m = reservations::best_available_form;
    if (mode == "always") return m::always;
    if (mode == "never") return m::never;
    return m::automatic;
}

reservations::pool_settings to_pools(const config::settings& s) {
    using std::chrono::duration_cast;
    using secs = std::chrono::seconds;
    reservations::pool_settings out;
    for (const auto& p : s.pools) {
        reservations::pool_spec spec;
        spec.name = p.name;
        spec.client = p.client;
        spec.instance = p.instance;
        spec.event = p.event;
        if (p.from_at || p.to_at) {
            // The range is written in venue time: the client's zone.
            const auto cl = std::find_if(s.clients.begin(), s.clients.end(), [&](const auto& c) { return c.name == p.client; });
            const auto zone = cl == s.clients.end() ? time_zone::utc() : time_zone::load_or_utc(cl->timezone);
            if (p.from_at) spec.from = p.from_utc ? sys_time(*p.from_at) : domain::local_to_utc(*p.from_at, zone);
            if (p.to_at) spec.to = p.to_utc ? sys_time(*p.to_at) : domain::local_to_utc(*p.to_at, zone);
        }
        spec.ticket_type = p.ticket_type;
        spec.price_band = p.price_band;
        spec.area = p.area;
        for (const auto& [count, quantity] : p.size_list) spec.sizes.push_back({count, quantity});
        spec.fill_at = p.fill_at_time;
        spec.drain_before = duration_cast<secs>(p.drain_before);
        spec.grab_lead = duration_cast<std::chrono::milliseconds>(p.grab_lead);
        spec.lock_types = p.lock_type_ids;
        out.pools.push_back(std::move(spec));
    }
    for (const auto& c : s.clients) out.client_max_seats[c.name] = c.pool_max_seats;
    // A hold lives basket_lifetime - expiry_margin from its last touch: it is touched again
    // once half of that is left, and not handed to a channel with less than a quarter (at most
    // a minute) to run.
    const auto life = duration_cast<secs>(s.reservations.basket_lifetime - s.reservations.expiry_margin);
    out.keep_alive_below = std::max(secs(1), life / 2);
    out.min_draw_left = std::min(secs(60), std::max(secs(1), life / 4));
    return out;
}

mirror::settings to_mirror(const config::settings& s) {
    const auto& y = s.sync;
    mirror::settings out;
    out.catalogue_interval = y.catalogue_interval;
    out.catalogue_days_ahead = y.catalogue_days_ahead;
    out.tier_24h = y.tier_24h;
    out.tier_7d = y.tier_7d;
    out.tier_30d = y.tier_30d;
    out.tier_later = y.tier_later;
    out.hot_window = y.hot_window;
    out.tombstone_after = y.tombstone_after;
    out.max_removal_share = y.max_removal_share;
    out.seat_status = y.seat_status;
    out.max_parallel_per_client = y.max_parallel_per_client;
    return out;
}

}  // namespace agentd::app
