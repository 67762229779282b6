// store/mirror_store: every SQL statement of the mirror (migrations/0002_mirror.sql), as named
// statements prepared once per connection. Write functions run inside a writer job
// (write_txn); read functions take any connection (a reader, or the job's own connection for
// reads that must be consistent with the writes that follow). Nothing here decides what to
// write: the sync service diffs and calls these.
// Threading: as the connection or write_txn passed in.
#pragma once

#include "agentd/core/error.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/mirror_rows.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::store {

// --- writes (inside a job) ---
result<void> mirror_put_client(write_txn& t, std::string_view client, std::string_view account,
                               const std::vector<std::string>& logins);
result<void> mirror_set_seat_status_capability(write_txn& t, std::string_view client, bool offered);

// Insert or replace the content, clearing misses and the tombstone.
result<void> mirror_upsert_event(write_txn& t, std::string_view client, const mirror_event_row& r, std::uint64_t hash);
result<void> mirror_upsert_instance(write_txn& t, std::string_view client, const mirror_instance_row& r,
                                    std::uint64_t hash);
// Miss bookkeeping without touching content. kind: "event" or "instance".
result<void> mirror_set_misses(write_txn& t, std::string_view kind, std::string_view client, std::string_view id,
                               int misses, bool tombstoned);

// Replace a price list's prices (or a plan's areas and seats) and store its hash.
result<void> mirror_replace_price_list(write_txn& t, std::string_view client, std::string_view id, std::uint64_t hash,
                                       const std::vector<mirror_price_row>& prices);
result<void> mirror_replace_plan(write_txn& t, std::string_view client, std::string_view id, std::uint64_t hash,
                                 const std::vector<mirror_area_row>& areas, const std::vector<mirror_seat_row>& seats);

// Upsert the instance's status rows (whole instance and areas); returns rows that changed.
result<std::uint64_t> mirror_put_status(write_txn& t, std::string_view client, std::string_view instance,
                                        const std::vector<mirror_status_row>& rows);
// Upsert seat statuses, writing only rows whose status differs.
result<mirror_seat_write_counts> mirror_put_seat_status(write_txn& t, std::string_view client,
                                                        std::string_view instance,
                                                        std::span<const mirror_seat_status_input> seats);
result<void> mirror_put_sync_state(write_txn& t, std::string_view client, const mirror_sync_state_row& r);

// --- reads ---
result<std::vector<mirror_client_row>> mirror_clients(connection& c);
// Every event / instance of the client (tombstoned included) with hash and miss counter.
result<std::map<std::string, mirror_known_row>> mirror_known(connection& c, std::string_view kind,
                                                             std::string_view client);
result<std::optional<std::uint64_t>> mirror_price_list_hash(connection& c, std::string_view client, std::string_view id);
result<std::optional<std::uint64_t>> mirror_plan_hash(connection& c, std::string_view client, std::string_view id);
result<std::vector<mirror_sync_state_row>> mirror_sync_states(connection& c, std::string_view client);
result<std::optional<mirror_sync_state_row>> mirror_sync_state(connection& c, std::string_view client,
                                                               std::string_view resource);

// Live (not tombstoned) events; from/to compare with the event's last/first local date.
result<std::vector<mirror_event_row>> mirror_events(connection& c, std::string_view client,
                                                    const std::optional<std::string>& from,
                                                    const std::optional<std::string>& to,
                                                    const std::optional<std::string>& search);
// Live instances ordered by start; from/to compare with start_utc text.
result<std::vector<mirror_instance_row>> mirror_instances(connection& c, std::string_view client,
                                                          const std::optional<std::string>& from,
                                                          const std::optional<std::string>& to,
                                                          const std::optional<std::string>& event);
result<std::optional<mirror_instance_row>> mirror_instance(connection& c, std::string_view client, std::string_view id);
result<std::vector<mirror_price_row>> mirror_prices(connection& c, std::string_view client,
                                                    std::string_view price_list_id);
result<std::vector<mirror_area_row>> mirror_areas(connection& c, std::string_view client, std::string_view plan_id);
// The plan's seats with their status in `instance` where known.
result<std::vector<mirror_seat_row>> mirror_seats(connection& c, std::string_view client, std::string_view plan_id,
                                                  std::string_view instance);
result<std::vector<mirror_status_row>> mirror_statuses(connection& c, std::string_view client,
                                                       std::string_view instance);
// The names a reservation answer shows for one seat, by key: the instance's event name and
// start, the area's name from the instance's availability rows (as the instance answer shows
// it), and the band and ticket type names of the seat's price row in the instance's price list
// (else the first non-empty ones for that band or ticket type there). nullopt for an unknown or
// tombstoned instance. Reads only the rows those ids name, not the whole instance.
result<std::optional<mirror_seat_names_row>> mirror_seat_names(connection& c, std::string_view client,
                                                               std::string_view instance, std::string_view area,
                                                               std::string_view price_band,
                                                               std::string_view ticket_type);
// Counts for tests and benchmarks.
result<std::int64_t> mirror_count(connection& c, std::string_view table, std::string_view client);

}  // namespace agentd::store
