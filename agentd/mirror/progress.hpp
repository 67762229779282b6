// mirror/progress: the sync service's progress as the local API reports it on
// /v1/health (initial sync counts; per client state, last success/error, lag).
// Pure mapping; thread-safe.
#pragma once

#include "agentd/api/types.hpp"
#include "agentd/mirror/service.hpp"

#include <vector>

namespace agentd::mirror {

api::sync_progress to_api_progress(const sync_progress& p);
std::vector<api::client_state> to_api_clients(const sync_progress& p);

}  // namespace agentd::mirror
