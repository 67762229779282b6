// api/json: JSON codecs for the local API wire types (api/types.hpp). Encoders return compact
// JSON text; decoders return a typed error naming the offending field, e.g.
// "tickets[0].seat: expected a string" (errc::decode_error for malformed JSON or wrong types,
// errc::invalid_argument for missing or out-of-range values). Decoding never recurses on the
// input: nesting deeper than k_max_json_depth is a decode_error, whatever the body's size.
// api is the tree's only JSON encoder and escaper: the daemon's answers and feed payloads and
// agentctl's --json output all come from here. RapidJSON stays inside agentd/api's .cpp files
// (and its private json_detail.hpp). Pure functions, thread-safe.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace agentd::api {

// Deepest nesting of arrays and objects a decoder accepts (documented in docs/local-api.md).
inline constexpr int k_max_json_depth = 64;

std::string to_json(const error_body&);  // {"error":{...}}
std::string to_json(const health&);
std::string to_json(const std::vector<client_state>&);  // {"clients":[...]}
std::string to_json(const std::vector<event>&);         // {"events":[...]}
std::string to_json(const std::vector<instance_summary>&);  // {"instances":[...]}
std::string to_json(const instance&);
std::string to_json(const seat_plan&);
std::string to_json(const reservation_request&);
std::string to_json(const reservation&);
std::string to_json(const std::vector<reservation>&);  // {"reservations":[...]}
std::string to_json(const std::vector<history_entry>&);  // {"history":[...]}
std::string to_json(const confirm_request&);
std::string to_json(const extend_request&);
std::string to_json(const admin_sync_request&);
std::string to_json(const admin_sync_answer&);
std::string to_json(const reconcile_report&);
std::string to_json(const pool_report&);  // api/pools_json.cpp
std::string to_json(const resolve_request&);
std::string to_json(const feed_overflow&);
std::string to_json(const ledger_report&);   // api/ledger_json.cpp
std::string to_json(const ledger_entries&);  // {"lastSeq":N,"message":"..."}
// Feed event data (api/types.hpp documents each kind).
std::string to_json(const feed_reservation&);
std::string to_json(const feed_mirror_change&);
std::string to_json(const feed_price_list&);
std::string to_json(const feed_plan&);
std::string to_json(const feed_availability&);
std::string to_json(const feed_sync&);
std::string to_json(const feed_data&);
// agentctl's --json documents.
std::string to_json(const config_check_report&);
std::string to_json(const db_stats_report&);
std::string to_json(const db_check_report&);
std::string to_json(const std::vector<instance_with_age>&);  // {"instances":[...]}
std::string to_json(const reservation_with_history&);

// Decoders. `T` is one of the types below; others do not link.
template <class T>
result<T> from_json(std::string_view text);

template <> result<reservation_request> from_json(std::string_view);
template <> result<confirm_request> from_json(std::string_view);
template <> result<extend_request> from_json(std::string_view);
template <> result<admin_sync_request> from_json(std::string_view);
template <> result<resolve_request> from_json(std::string_view);
template <> result<error_body> from_json(std::string_view);  // {"error":{...}}
template <> result<reservation> from_json(std::string_view);
template <> result<std::vector<reservation>> from_json(std::string_view);
template <> result<health> from_json(std::string_view);
template <> result<std::vector<client_state>> from_json(std::string_view);
template <> result<std::vector<event>> from_json(std::string_view);
template <> result<std::vector<instance_summary>> from_json(std::string_view);
template <> result<instance> from_json(std::string_view);
template <> result<seat_plan> from_json(std::string_view);
template <> result<std::vector<history_entry>> from_json(std::string_view);
template <> result<reconcile_report> from_json(std::string_view);
template <> result<pool_report> from_json(std::string_view);
template <> result<admin_sync_answer> from_json(std::string_view);
template <> result<feed_reservation> from_json(std::string_view);
template <> result<feed_mirror_change> from_json(std::string_view);
template <> result<feed_price_list> from_json(std::string_view);
template <> result<feed_plan> from_json(std::string_view);
template <> result<feed_availability> from_json(std::string_view);
template <> result<feed_sync> from_json(std::string_view);
template <> result<feed_overflow> from_json(std::string_view);
template <> result<ledger_report> from_json(std::string_view);
template <> result<ledger_entries> from_json(std::string_view);

// A feed event's data by its kind: errc::invalid_argument for a kind the feed never sends.
result<feed_data> decode_feed_data(std::string_view kind, std::string_view data);

// Escapes text as a JSON string literal including the quotes.
std::string json_quote(std::string_view text);

// `json` (a JSON document) with DEL and the C1 controls U+0080..U+009F, which the encoders
// write as raw UTF-8, escaped as \u007f / \u0080..\u009f: the same document to a JSON
// reader, inert on a terminal (agentctl's output).
std::string json_escape_c1(std::string_view json);

}  // namespace agentd::api
