// upstream/codec: JSON bodies <-> DTOs. Decoders validate: unknown keys are ignored, a missing
// required key or a wrong type is a `decode` failure naming the field ("decode instance:
// field 'startUtc': expected string"); money is parsed exactly and never negative, and the
// prices and totals of a ticket list must add up within int64 minor units; ids may arrive as
// strings or numbers, are kept as text and must pass the token rule of upstream/ids.hpp (an id
// such as "../x" is a decode failure, so it can never reach a request path); `event` may be
// `{id}` or a bare string. Invalid UTF-8, deep nesting and truncated input are refused, never
// crash. Pure, thread-safe.
#pragma once

#include "agentd/upstream/failure.hpp"
#include "agentd/upstream/settings.hpp"
#include "agentd/upstream/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentd::upstream::codec {

result<std::vector<event>> decode_events(std::string_view json);
result<event> decode_event(std::string_view json);
result<std::vector<instance>> decode_instances(std::string_view json);
result<instance> decode_instance(std::string_view json);
result<price_list> decode_price_list(std::string_view json);
result<plan> decode_plan(std::string_view json);
result<instance_status> decode_instance_status(std::string_view json);
// `lock_field`: the seat's key holding its lock type id (client.seat_lock_type_field).
result<std::vector<seat_status>> decode_seat_statuses(std::string_view json, std::string_view lock_field = "lockTypeId");
result<std::vector<best_seat>> decode_best_available(std::string_view json);
result<basket> decode_basket(std::string_view json, const agent_customer_fields& f = {});
result<std::vector<ticket>> decode_tickets(std::string_view json);
result<order> decode_order(std::string_view json, const agent_customer_fields& f = {});

// Upstream error bodies: {"message": "...", "errorCode": n}; anything else yields {0, ""}.
struct error_body {
    int error_code = 0;
    std::string message;
};
error_body decode_error_body(std::string_view json);

// Request bodies, serialised once: these exact bytes are hashed and sent.
std::string encode_new_tickets(const std::vector<new_ticket>& tickets);
// {"instance","quantity","type"[,"priceBand"]}: the body of POST baskets/{id}/tickets/best-available.
std::string encode_basket_best_available(std::string_view instance_id, int quantity, std::string_view type_id,
                                         const std::optional<std::string>& band_id);
std::string encode_agent_customer_patch(const agent_customer& c, const agent_customer_fields& f);
std::string encode_confirm();
std::string encode_empty_object();

seat_state parse_seat_state(std::string_view s) noexcept;

}  // namespace agentd::upstream::codec
