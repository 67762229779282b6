// api/prometheus: the /metrics wire format, a metrics snapshot as Prometheus text exposition
// format 0.0.4 (HELP/TYPE once per name, label values escaped). Pure, thread-safe.
#pragma once

#include "agentd/api/types.hpp"

#include <string>

namespace agentd::api {

std::string to_prometheus(const metrics_snapshot& s);

}  // namespace agentd::api
