// control/metrics_text: renders a metrics snapshot as Prometheus text exposition format 0.0.4
// (HELP/TYPE once per name, label values escaped). Pure, thread-safe.
#pragma once

#include "agentd/api/types.hpp"

#include <string>

namespace agentd::control {

std::string to_prometheus(const api::metrics_snapshot& s);

}  // namespace agentd::control
