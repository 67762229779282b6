// cli/decode: decoders for the local API answers that api/json.hpp encodes but does not decode
// (the daemon never reads them; agentctl does). They fill the shared api:: wire types, so no
// type is duplicated. Errors are errc::decode_error naming the field. RapidJSON stays in the .cpp.
// Thread-safe: pure functions.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/core/error.hpp"

#include <string_view>
#include <vector>

namespace agentd::cli {

result<std::vector<api::client_state>> decode_clients(std::string_view text);     // {"clients":[...]}
result<std::vector<api::event>> decode_events(std::string_view text);             // {"events":[...]}
result<std::vector<api::instance_summary>> decode_instances(std::string_view text);  // {"instances":[...]}
result<api::instance> decode_instance(std::string_view text);
result<api::seat_plan> decode_seat_plan(std::string_view text);
result<std::vector<api::history_entry>> decode_history(std::string_view text);   // {"history":[...]}
result<api::reconcile_report> decode_reconcile(std::string_view text);
result<api::admin_sync_answer> decode_sync_answer(std::string_view text);

}  // namespace agentd::cli
