#include "agentd/config/option_entry.hpp"

#include <charconv>
#include <type_traits>

namespace agentd::config {
namespace detail {
namespace {

using namespace std::chrono_literals;

template <class C, class T> C class_of(T C::*);
template <class C, class T> T member_of(T C::*);

// Setter and getter for one settings member; the member's type picks the conversion.
template <auto M>
void set_member(void* target, const value& v) {
    using C = decltype(class_of(M));
    using T = decltype(member_of(M));
    T& ref = static_cast<C*>(target)->*M;
    if constexpr (std::is_same_v<T, bool>) ref = v.b;
    else if constexpr (std::is_same_v<T, duration>) ref = duration(v.i);
    else if constexpr (std::is_same_v<T, double>) ref = v.d;
    else if constexpr (std::is_same_v<T, std::string>) ref = v.s;
    else if constexpr (std::is_same_v<T, channel_role>) ref = v.s == "admin" ? channel_role::admin : channel_role::sales;
    else if constexpr (std::is_same_v<T, std::optional<std::uint32_t>>) {
        if (v.set) ref = static_cast<std::uint32_t>(v.i);
        else ref.reset();
    } else {
        static_assert(std::is_integral_v<T>);
        ref = static_cast<T>(v.i);
    }
}

template <auto M>
value get_member(const void* target) {
    using C = decltype(class_of(M));
    using T = decltype(member_of(M));
    const T& ref = static_cast<const C*>(target)->*M;
    value v;
    if constexpr (std::is_same_v<T, bool>) v.b = ref;
    else if constexpr (std::is_same_v<T, duration>) v.i = ref.count();
    else if constexpr (std::is_same_v<T, double>) v.d = ref;
    else if constexpr (std::is_same_v<T, std::string>) v.s = ref;
    else if constexpr (std::is_same_v<T, channel_role>) v.s = ref == channel_role::admin ? "admin" : "sales";
    else if constexpr (std::is_same_v<T, std::optional<std::uint32_t>>) {
        v.set = ref.has_value();
        v.i = ref.value_or(0);
    } else {
        v.i = static_cast<std::int64_t>(ref);
    }
    return v;
}

template <auto M>
option_entry row(std::string_view section, std::string_view key, option_kind kind, std::string_view doc) {
    option_entry e;
    e.info.section = section;
    e.info.key = key;
    e.info.kind = kind;
    e.info.doc = doc;
    e.set = &set_member<M>;
    e.get = &get_member<M>;
    return e;
}

void finish(option_entry& e) {
    if (e.has_default) e.info.default_text = literal(e, e.def);
}

template <auto M>
option_entry dur(std::string_view sec, std::string_view key, duration def, duration lo, duration hi, std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::duration, doc);
    e.min = lo.count();
    e.max = hi.count();
    e.has_default = true;
    e.def.i = def.count();
    e.info.bounds_text = format_duration(lo) + ".." + format_duration(hi);
    finish(e);
    return e;
}

template <auto M>
option_entry integer(std::string_view sec, std::string_view key, std::int64_t def, std::int64_t lo, std::int64_t hi,
                     std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::integer, doc);
    e.min = lo;
    e.max = hi;
    e.has_default = true;
    e.def.i = def;
    e.info.bounds_text = std::to_string(lo) + ".." + std::to_string(hi);
    finish(e);
    return e;
}

template <auto M>
option_entry optional_id(std::string_view sec, std::string_view key, std::int64_t example, std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::integer, doc);
    e.min = 0;
    e.max = 4294967294;
    e.info.bounds_text = "0..4294967294";
    e.info.example_text = std::to_string(example);
    return e;
}

template <auto M>
option_entry size(std::string_view sec, std::string_view key, std::uint64_t def, std::uint64_t lo, std::uint64_t hi,
                  std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::size, doc);
    e.min = static_cast<std::int64_t>(lo);
    e.max = static_cast<std::int64_t>(hi);
    e.has_default = true;
    e.def.i = static_cast<std::int64_t>(def);
    e.info.bounds_text = format_size(lo) + ".." + format_size(hi);
    finish(e);
    return e;
}

template <auto M>
option_entry real(std::string_view sec, std::string_view key, double def, double lo, double hi, std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::real, doc);
    e.real_min = lo;
    e.real_max = hi;
    e.has_default = true;
    e.def.d = def;
    value vlo, vhi;
    vlo.d = lo;
    vhi.d = hi;
    e.info.bounds_text = literal(e, vlo) + ".." + literal(e, vhi);
    finish(e);
    return e;
}

template <auto M>
option_entry boolean(std::string_view sec, std::string_view key, bool def, std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::boolean, doc);
    e.has_default = true;
    e.def.b = def;
    finish(e);
    return e;
}

// A string option. An empty `def` with `required` means the user must give it; `example`
// is what the example file shows then.
template <auto M>
option_entry text(std::string_view sec, std::string_view key, option_kind kind, std::string_view def, bool required,
                  std::string_view example, std::int64_t min_len, std::string_view doc) {
    auto e = row<M>(sec, key, kind, doc);
    e.min = min_len;
    e.max = 4096;
    e.info.required = required;
    if (!required) {
        e.has_default = true;
        e.def.s = def;
        finish(e);
    }
    if (!example.empty()) {
        value ex;
        ex.s = example;
        e.info.example_text = literal(e, ex);
    }
    return e;
}

template <auto M>
option_entry choice(std::string_view sec, std::string_view key, std::string_view def, std::string_view choices,
                    std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::choice, doc);
    e.info.choices = choices;
    e.has_default = true;
    e.def.s = def;
    finish(e);
    return e;
}

template <auto M>
option_entry mode(std::string_view sec, std::string_view key, std::uint32_t def, std::string_view doc) {
    auto e = row<M>(sec, key, option_kind::mode, doc);
    e.min = 0;
    e.max = 0777;
    e.has_default = true;
    e.def.i = def;
    e.info.bounds_text = "0000..0777";
    finish(e);
    return e;
}

std::vector<option_entry> build() {
    using K = option_kind;
    constexpr auto day = 24h;
    std::vector<option_entry> t;
    // [daemon]
    t.push_back(text<&daemon_settings::socket_path>("daemon", "socket_path", K::string, "/run/agentd/agentd.sock", false, "", 1,
        "Unix socket the local API listens on."));
    t.push_back(text<&daemon_settings::database>("daemon", "database", K::string, "/var/lib/agentd/agentd.db", false, "", 1,
        "SQLite database file (a <database>.lock file next to it keeps a second agentd out), or a "
        "\"postgresql://\" URL selecting the PostgreSQL engine (docs/postgresql.md)."));
    t.push_back(choice<&daemon_settings::log_level>("daemon", "log_level", "info", "debug|info|warn|error|off",
        "Lowest log level written to stderr."));
    t.push_back(dur<&daemon_settings::drain_timeout>("daemon", "drain_timeout", 10s, 0s, 5min,
        "How long shutdown waits for in-flight work before cancelling it."));
    t.push_back(mode<&daemon_settings::socket_mode>("daemon", "socket_mode", 0660,
        "Permission bits of the API socket, as an octal string."));
    t.push_back(dur<&daemon_settings::feed_retention>("daemon", "feed_retention", 7 * day, 0s, 3650 * day,
        "Change feed rows older than this are deleted, a few hundred at a time; 0s keeps them forever."));
    t.push_back(dur<&daemon_settings::history_retention>("daemon", "history_retention", 90 * day, 0s, 3650 * day,
        "A finished reservation keeps its full history this long, then only its last entry; 0s keeps it all."));
    t.push_back(text<&daemon_settings::node>("daemon", "node", K::string, "", false, "", 0,
        "This node's name among agentd nodes sharing one PostgreSQL database (unique per node); empty: the host "
        "name. Unused with SQLite."));
    t.push_back(dur<&daemon_settings::lease_ttl>("daemon", "lease_ttl", 15s, 3s, 5min,
        "With several nodes on one database: how long a venue's lease lasts without renewal, so a dead node's "
        "venues are taken over after at most this long plus a second. Unused with SQLite."));
    // [sync]
    t.push_back(dur<&sync_settings::catalogue_interval>("sync", "catalogue_interval", 1h, 1min, 7 * day,
        "How often each client's catalogue (events, instances, prices, plans) is re-read."));
    t.push_back(integer<&sync_settings::catalogue_days_ahead>("sync", "catalogue_days_ahead", 180, 1, 3650,
        "How many days ahead instances are mirrored."));
    t.push_back(dur<&sync_settings::tier_24h>("sync", "tier_24h", 15s, 1s, 1h,
        "Availability refresh interval for instances starting within 24 hours."));
    t.push_back(dur<&sync_settings::tier_7d>("sync", "tier_7d", 60s, 1s, 6h,
        "Availability refresh interval for instances starting within 7 days."));
    t.push_back(dur<&sync_settings::tier_30d>("sync", "tier_30d", 5min, 1s, day,
        "Availability refresh interval for instances starting within 30 days."));
    t.push_back(dur<&sync_settings::tier_later>("sync", "tier_later", 30min, 1s, 7 * day,
        "Availability refresh interval for instances starting later."));
    t.push_back(dur<&sync_settings::hot_window>("sync", "hot_window", 10min, 0s, day,
        "An instance read or reserved within this window is refreshed one tier hotter."));
    t.push_back(integer<&sync_settings::tombstone_after>("sync", "tombstone_after", 3, 1, 100,
        "Consecutive listings an entity must be missing from before it is tombstoned."));
    t.push_back(real<&sync_settings::max_removal_share>("sync", "max_removal_share", 0.25, 0.0, 1.0,
        "A sync that would remove more than this share of a client's catalogue is refused."));
    t.push_back(boolean<&sync_settings::seat_status>("sync", "seat_status", true,
        "Also mirror per-seat status where the upstream offers it."));
    t.push_back(integer<&sync_settings::max_parallel_per_client>("sync", "max_parallel_per_client", 2, 1, 64,
        "Sync requests in flight at once per client, at least: the sync uses each of the client's max_connections when that is more."));
    // [reservations]
    t.push_back(dur<&reservation_settings::basket_lifetime>("reservations", "basket_lifetime", 20min, 1min, 1h * 24,
        "Lifetime of an upstream basket (the Spektrix basket expiry)."));
    t.push_back(choice<&reservation_settings::basket_lifetime_mode>("reservations", "basket_lifetime_mode", "sliding",
        "sliding|absolute",
        "sliding: every modifying call restarts the basket lifetime (the Agency API contract); absolute: it runs "
        "from the basket's creation, and extend is refused."));
    t.push_back(dur<&reservation_settings::expiry_margin>("reservations", "expiry_margin", 2min, 0s, 1h,
        "Safety margin: a hold expires locally this long before its basket would."));
    t.push_back(dur<&reservation_settings::max_hold>("reservations", "max_hold", 1h, 1min, day,
        "Longest a hold may be kept, extensions included."));
    t.push_back(integer<&reservation_settings::max_quantity>("reservations", "max_quantity", 10, 1, 1000,
        "Most seats in one reservation."));
    t.push_back(integer<&reservation_settings::queue_limit>("reservations", "queue_limit", 10000, 1, 10000000,
        "Most reservations waiting upstream at once; beyond it requests are refused (retryable)."));
    t.push_back(integer<&reservation_settings::channel_backlog_limit>("reservations", "channel_backlog_limit", 1000, 1,
        10000000, "Most queued reservations per channel."));
    t.push_back(integer<&reservation_settings::inflight_per_client>("reservations", "inflight_per_client", 4, 1, 256,
        "Upstream reservation operations in flight at once per client."));
    t.push_back(integer<&reservation_settings::best_available_retries>("reservations", "best_available_retries", 3, 0,
        100, "Retries of a best-available request when the chosen seats were taken meanwhile."));
    t.push_back(dur<&reservation_settings::confirm_timeout>("reservations", "confirm_timeout", 30s, 1s, 10min,
        "Deadline of one upstream call of a reservation (place, confirm, extend, release), retries included."));
    t.push_back(dur<&reservation_settings::extend_min_interval>("reservations", "extend_min_interval", 10s, 0s, 1h,
        "Shortest time between two extends of one reservation (each costs an upstream call)."));
    t.push_back(dur<&reservation_settings::local_sold_out_max_age>("reservations", "local_sold_out_max_age", 10s, 0s,
        10min,
        "A placement is answered unavailable at once, without upstream requests, when seat status younger than this "
        "shows no seat left that agentd does not already hold or place; 0s disables."));
    t.push_back(boolean<&reservation_settings::choose_seats_from_mirror>("reservations", "choose_seats_from_mirror",
        false,
        "Best-available seats are picked from the mirror's fresh seat status and added directly (one upstream "
        "request fewer); a seat taken meanwhile falls back to the venue's best available. Leave off where the venue "
        "allocates or prices best available its own way."));
    // [api]
    t.push_back(size<&api_settings::max_body>("api", "max_body", 64 * 1024, 1024, 64ull << 20,
        "Largest request body accepted."));
    t.push_back(size<&api_settings::max_header>("api", "max_header", 8 * 1024, 1024, 1ull << 20,
        "Largest request header block accepted."));
    t.push_back(integer<&api_settings::requests_per_second>("api", "requests_per_second", 200, 1, 1000000,
        "Sustained requests per second per channel."));
    t.push_back(integer<&api_settings::burst>("api", "burst", 400, 1, 1000000,
        "Requests a channel may send in a burst above the sustained rate."));
    t.push_back(integer<&api_settings::max_connections>("api", "max_connections", 1024, 1, 100000,
        "Open API connections at most."));
    t.push_back(dur<&api_settings::idle_timeout>("api", "idle_timeout", 60s, 1s, 1h,
        "An idle keep-alive connection is closed after this long."));
    t.push_back(dur<&api_settings::header_timeout>("api", "header_timeout", 10s, 100ms, 10min,
        "Deadline for a client to send a complete request header."));
    t.push_back(dur<&api_settings::longpoll_max>("api", "longpoll_max", 60s, 1s, 1h,
        "Longest ?wait= a long-poll may ask for."));
    t.push_back(integer<&api_settings::feed_buffer>("api", "feed_buffer", 1024, 1, 1000000,
        "Events buffered per feed subscriber before it is disconnected."));
    t.push_back(dur<&api_settings::feed_heartbeat>("api", "feed_heartbeat", 15s, 1s, 10min,
        "Interval of heartbeat comments on an idle feed stream."));
    t.push_back(integer<&api_settings::max_connections_per_uid>("api", "max_connections_per_uid", 64, 1, 100000,
        "Open API connections at most from one peer uid, so one caller cannot take every slot."));
    t.push_back(boolean<&api_settings::metrics_open>("api", "metrics_open", false,
        "Let every mapped channel read /metrics (it shows all channels' counters); false: admin only."));
    t.push_back(size<&api_settings::answer_cache>("api", "answer_cache", 16ull << 20, 0, 1ull << 30,
        "Bytes of encoded read answers (instances, seat plans, listings) kept between changes; 0 turns caching off."));
    // [[client]]
    t.push_back(text<&client_settings::name>("client", "name", K::identifier, "", true, "royalcourt", 1,
        "Name of the client in the API, logs and metrics; letters, digits and _ . : - (required)."));
    t.push_back(text<&client_settings::base_url>("client", "base_url", K::string, "https://system.spektrix.com", false, "",
        1, "Base URL of the client's Spektrix system."));
    t.push_back(boolean<&client_settings::allow_insecure_http>("client", "allow_insecure_http", false,
        "Accept an http:// base_url (signatures and customer data unencrypted; a local simulator only)."));
    t.push_back(integer<&client_settings::requests_per_minute>("client", "requests_per_minute", 600, 1, 100000,
        "Upstream request budget per minute for this client (reservations first, sync gets the rest)."));
    t.push_back(integer<&client_settings::request_burst>("client", "request_burst", 0, 0, 100000,
        "Upstream requests this client may send in a burst above requests_per_minute; set it to the venue's own "
        "burst allowance so a full bucket does not run into 429s. 0: ten seconds' worth of requests_per_minute."));
    t.push_back(integer<&client_settings::max_connections>("client", "max_connections", 4, 1, 64,
        "Upstream HTTPS connections to this client at most."));
    t.push_back(text<&client_settings::ca_file>("client", "ca_file", K::string, "", false, "", 0,
        "PEM file of trusted CAs; empty uses the system store."));
    t.push_back(dur<&client_settings::connect_timeout>("client", "connect_timeout", 5s, 100ms, 5min,
        "Deadline for connecting (TCP and TLS) to the upstream."));
    t.push_back(dur<&client_settings::request_timeout>("client", "request_timeout", 15s, 100ms, 10min,
        "Deadline for one upstream request and its response."));
    t.push_back(size<&client_settings::max_response>("client", "max_response", 32ull << 20, 1024, 1ull << 30,
        "Largest upstream response body accepted."));
    t.push_back(text<&client_settings::customer_first_name_field>("client", "customer_first_name_field", K::string,
        "firstName", false, "", 1, "Upstream customer field that receives the end customer's first name."));
    t.push_back(text<&client_settings::customer_last_name_field>("client", "customer_last_name_field", K::string,
        "lastName", false, "", 1, "Upstream customer field that receives the end customer's last name."));
    t.push_back(text<&client_settings::customer_address_field>("client", "customer_address_field", K::string,
        "addressLine1", false, "", 1, "Upstream customer field that receives the first address line."));
    t.push_back(text<&client_settings::customer_reference_field>("client", "customer_reference_field", K::string,
        "reference", false, "", 1, "Upstream field that receives the channel's order reference."));
    t.push_back(text<&client_settings::currency>("client", "currency", K::identifier, "GBP", false, "", 3,
        "Currency of this venue's prices, shown in every ledger report (ISO 4217 code, two decimal places)."));
    t.push_back(boolean<&client_settings::order_total_is_net>("client", "order_total_is_net", false,
        "Whether a ticket's `total` in this venue's orders already has the agent discount taken off. "
        "false: net owed = total - agentDiscount; true: net owed = total. The Agency API does not say "
        "(docs/upstream-contract.md); check one order against the venue's statement."));
    t.push_back(text<&client_settings::timezone>("client", "timezone", K::string, "Europe/London", false, "", 1,
        "The venue's time zone (zoneinfo name): ledger confirm times in local time and day/week/month groups."));
    t.push_back(text<&client_settings::statement_order_id_column>("client", "statement_order_id_column", K::string,
        "order_id", false, "", 1, "Column of the venue's statement CSV holding the order id (agentctl ledger diff)."));
    t.push_back(text<&client_settings::statement_tickets_column>("client", "statement_tickets_column", K::string,
        "tickets", false, "", 1, "Statement column holding the order's ticket count."));
    t.push_back(text<&client_settings::statement_total_column>("client", "statement_total_column", K::string,
        "total", false, "", 1, "Statement column holding the order's face value total."));
    t.push_back(text<&client_settings::statement_commission_column>("client", "statement_commission_column", K::string,
        "agent_discount", false, "", 1, "Statement column holding the agent discount (commission)."));
    t.push_back(text<&client_settings::statement_net_column>("client", "statement_net_column", K::string,
        "net", false, "", 1, "Statement column holding the net owed to the venue."));
    // [[client.account]]
    t.push_back(text<&account_settings::name>("client.account", "name", K::identifier, "", true, "main", 1,
        "Name of this agent account within the client (required)."));
    t.push_back(text<&account_settings::login>("client.account", "login", K::string, "", true, "agent-login", 1,
        "Spektrix API user login (required)."));
    t.push_back(text<&account_settings::secret_file>("client.account", "secret_file", K::string, "", false,
        "/etc/agentd/royalcourt-main.key", 0,
        "File holding the base64 API secret; must be private (mode 0600 or 0400). One of secret_file or secret_credential."));
    {
        auto e = text<&account_settings::secret_credential>("client.account", "secret_credential", K::string, "", false,
            "royalcourt-main", 0, "Name of a systemd credential holding the secret, read from $CREDENTIALS_DIRECTORY.");
        e.commented = true;
        t.push_back(std::move(e));
    }
    t.push_back(integer<&client_settings::pool_max_seats>("client", "pool_max_seats", 100, 0, 100000,
        "Seats this client's [[pool]]s may hold together; the pools' sizes must fit (docs/pools.md)."));
    t.push_back(text<&client_settings::allocation_lock_types>("client", "allocation_lock_types", K::string, "", false,
        "", 0, "Lock type ids (comma-separated) under which the venue locks seats for this agent: the allocation "
        "that locked_only [[pool]]s hold (docs/pools.md). The venue's lock types are in the status lockInformation."));
    t.push_back(text<&client_settings::seat_lock_type_field>("client", "seat_lock_type_field", K::string, "lockTypeId",
        false, "", 1, "Key of a seat in the per-seat status (GET instances/{id}/status/seats) that holds a Locked "
        "seat's lock type id. The contract does not name it (docs/upstream-contract.md)."));
    t.push_back(choice<&client_settings::basket_best_available>("client", "basket_best_available", "auto",
        "auto|always|never",
        "How a best-available hold gets its seats. never: ask GET instances/{id}/best-available, then add those "
        "seats. always: POST baskets/{id}/tickets/best-available, where upstream picks and adds them in one write. "
        "auto: the basket form while another hold of ours for the same instance is being placed (the query form "
        "would offer both the same block, as in an on-sale grab), else the query form; an instance whose basket "
        "form is refused (not possible, 400/404) uses the query form from then on (docs/reservations.md)."));
    // [[client.window]]
    t.push_back(text<&window_settings::name>("client.window", "name", K::identifier, "", true, "nightly", 1,
        "Name of this do-not-transact window, shown in status and errors (required)."));
    t.push_back(text<&window_settings::start>("client.window", "start", K::string, "", true, "02:00", 1,
        "Start: a local time of day \"HH:MM\" for a window that recurs, or a date and time "
        "\"YYYY-MM-DDTHH:MM\" (venue time; with a trailing Z: UTC) for a one-off window (required)."));
    t.push_back(text<&window_settings::end>("client.window", "end", K::string, "", true, "02:30", 1,
        "End, in the same form as start; a recurring end at or before its start is on the next day (required)."));
    t.push_back(text<&window_settings::days>("client.window", "days", K::string, "", false, "", 0,
        "Recurring windows: the days they start on, e.g. \"mon,wed\" or \"mon-fri\"; empty: every day."));
    t.push_back(boolean<&window_settings::reads>("client.window", "reads", false,
        "Also send no upstream reads in the window (the mirror pauses and keeps serving its last data)."));
    t.push_back(choice<&window_settings::creates>("client.window", "creates", "queue", "queue|refuse",
        "Reservations created in the window: queue (accepted, placed once it ends) or refuse "
        "(error do_not_transact carrying the window's end)."));
    // [[pool]]
    t.push_back(text<&pool_settings::name>("pool", "name", K::identifier, "", true, "gala-allocation", 1,
        "Name of the allocation pool (required); its ready holds belong to channel pool:<name>."));
    t.push_back(text<&pool_settings::client>("pool", "client", K::identifier, "", true, "royalcourt", 1,
        "The [[client]] whose instance the pool holds seats of (required)."));
    t.push_back(text<&pool_settings::instance>("pool", "instance", K::identifier, "", false, "4401AKPQ", 1,
        "Upstream instance id; exactly one of instance and event."));
    {
        auto e = text<&pool_settings::event>("pool", "event", K::identifier, "", false, "1201ALHDQP", 0,
            "Upstream event id: the pool keeps its sizes for each instance of the event on sale to agents (instead of instance).");
        e.commented = true;
        t.push_back(std::move(e));
    }
    {
        auto e = text<&pool_settings::from>("pool", "from", K::string, "", false, "2026-12-01", 0,
            "Event pools: only instances starting at or after this date (\"YYYY-MM-DD\") or date-time (\"YYYY-MM-DDTHH:MM\"), venue time (trailing Z: UTC).");
        e.commented = true;
        t.push_back(std::move(e));
    }
    {
        auto e = text<&pool_settings::to>("pool", "to", K::string, "", false, "2026-12-24", 0,
            "Event pools: only instances starting at or before this date (through its end) or date-time, in the same forms as from.");
        e.commented = true;
        t.push_back(std::move(e));
    }
    t.push_back(text<&pool_settings::ticket_type>("pool", "ticket_type", K::identifier, "", true, "1AHGJDSMMPL", 1,
        "Ticket type of the held seats (required); a request draws only with the same type."));
    t.push_back(text<&pool_settings::sizes>("pool", "sizes", K::string, "", true, "10x2, 4x4", 1,
        "Ready holds to keep, as COUNTxSEATS items separated by commas: \"10x2, 4x4\" keeps ten holds of 2 adjacent seats and four of 4 (required)."));
    t.push_back(text<&pool_settings::price_band>("pool", "price_band", K::identifier, "", false, "7801", 0,
        "Hold seats only in this price band (at most one of price_band and area; neither: anywhere)."));
    {
        auto e = text<&pool_settings::area>("pool", "area", K::identifier, "", false, "7001AQTQ", 0,
            "Hold seats only in this area (at most one of price_band and area).");
        e.commented = true;
        t.push_back(std::move(e));
    }
    t.push_back(text<&pool_settings::fill_at>("pool", "fill_at", K::string, "", false, "2026-12-01T10:00:00Z", 0,
        "On-sale grab: fill nothing before this UTC time (\"2026-12-01T10:00:00Z\"), then the whole target at once; empty: fill while on sale."));
    t.push_back(dur<&pool_settings::grab_lead>("pool", "grab_lead", 2s, 0s, 60s,
        "With fill_at: start the fills this long before it, so each one's basket exists at the opening and only best "
        "available and the add race the public; the seats are asked for at fill_at, not before. 0s: start at fill_at."));
    t.push_back(dur<&pool_settings::drain_before>("pool", "drain_before", 2h, 0s, 365 * day,
        "Release the pool's ready holds this long before the performance starts."));
    t.push_back(boolean<&pool_settings::locked_only>("pool", "locked_only", false,
        "Hold only seats the mirror shows locked for the agent (lock_types); a fill with none free fails, it never "
        "takes open seats (docs/pools.md)."));
    {
        auto e = text<&pool_settings::lock_types>("pool", "lock_types", K::string, "", false, "1AHGJDSMMPL", 0,
            "With locked_only: the lock type ids (comma-separated) of the seats to hold; empty: the client's "
            "allocation_lock_types.");
        e.commented = true;
        t.push_back(std::move(e));
    }
    // [[channel]]
    t.push_back(text<&channel_settings::name>("channel", "name", K::identifier, "", true, "web", 1,
        "Name of the sales channel (required)."));
    t.push_back(optional_id<&channel_settings::uid>("channel", "uid", 1001,
        "Peer uid that identifies this channel on the socket (uid or gid, at least one)."));
    {
        auto e = optional_id<&channel_settings::gid>("channel", "gid", 1001,
            "Peer gid that identifies this channel on the socket (uid or gid, at least one).");
        e.commented = true;
        t.push_back(std::move(e));
    }
    t.push_back(choice<&channel_settings::role>("channel", "role", "sales", "sales|admin",
        "sales may reserve and read; admin may also manage other channels' reservations."));
    t.push_back(integer<&channel_settings::weight>("channel", "weight", 1, 1, 100,
        "Share of upstream reservation capacity relative to other channels."));
    t.push_back(integer<&channel_settings::upstream_per_minute>("channel", "upstream_per_minute", 600, 1, 1000000,
        "Sustained create/confirm/extend/release requests per minute for this channel; beyond: 429."));
    t.push_back(integer<&channel_settings::upstream_burst>("channel", "upstream_burst", 60, 1, 1000000,
        "Such requests the channel may send in a burst above its sustained rate."));
    t.push_back(integer<&channel_settings::upstream_concurrency>("channel", "upstream_concurrency", 16, 1, 100000,
        "Such requests of this channel in progress at once; beyond: 429."));
    return t;
}

std::string format_real(double d) {
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, p);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string format_mode(std::int64_t bits) {
    std::string s = "0000";
    for (int i = 3; i >= 1; --i) {
        s[i] = static_cast<char>('0' + (bits & 7));
        bits >>= 3;
    }
    return s;
}

}  // namespace

std::span<const option_entry> entries() {
    static const std::vector<option_entry> table = build();
    return table;
}

std::string literal(const option_entry& e, const value& v) {
    if (!v.set) return "";
    switch (e.info.kind) {
    case option_kind::boolean: return v.b ? "true" : "false";
    case option_kind::integer: return std::to_string(v.i);
    case option_kind::real: return format_real(v.d);
    case option_kind::duration: return quote(format_duration(duration(v.i)));
    case option_kind::size: return quote(format_size(static_cast<std::uint64_t>(v.i)));
    case option_kind::mode: return quote(format_mode(v.i));
    case option_kind::string:
    case option_kind::identifier:
    case option_kind::choice: return quote(v.s);
    }
    return "";
}

}  // namespace detail

std::span<const option_info> option_table() {
    static const std::vector<option_info> infos = [] {
        std::vector<option_info> v;
        for (const auto& e : detail::entries()) v.push_back(e.info);
        return v;
    }();
    return infos;
}

const option_info* find_option(std::string_view section, std::string_view key) {
    for (const auto& o : option_table())
        if (o.section == section && o.key == key) return &o;
    return nullptr;
}

}  // namespace agentd::config
