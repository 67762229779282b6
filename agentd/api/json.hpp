// api/json: JSON codecs for the local API wire types (api/types.hpp). Encoders return compact
// JSON text; decoders return a typed error naming the offending field, e.g.
// "tickets[0].seat: expected a string" (errc::decode_error for malformed JSON or wrong types,
// errc::invalid_argument for missing or out-of-range values). Decoding never recurses on the
// input: nesting deeper than k_max_json_depth is a decode_error, whatever the body's size.
// RapidJSON stays inside json_read.cpp / json_write.cpp. Pure functions, thread-safe.
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
std::string to_json(const resolve_request&);
std::string to_json(const feed_overflow&);  // {"lastSeq":N,"message":"..."}
std::string to_json(const feed_reservation&);

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
template <> result<feed_reservation> from_json(std::string_view);

// Escapes text as a JSON string literal including the quotes (for small hand-built bodies).
std::string json_quote(std::string_view text);

}  // namespace agentd::api
