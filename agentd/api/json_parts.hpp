// api/json_parts: an instance answer encoded once and completed per request. Its
// availabilityAge grows with the clock, so a cached encoding cannot hold it: the text is kept
// as the parts around that number, and head + number + tail is byte for byte what
// to_json(const instance&) writes for the same age. Pure functions, thread-safe.
#pragma once

#include "agentd/api/types.hpp"

#include <string>

namespace agentd::api {

struct instance_json_parts {
    std::string head;  // up to and including "availabilityAge":
    std::string tail;  // from the member after it to the closing brace
};

instance_json_parts to_json_parts(const instance& i);

// Appends `v` as the encoders write a number member (null when not finite).
void append_json_number(std::string& out, double v);

}  // namespace agentd::api
