// upstream/codec_reference: the DOM decoders of seat-status lists and plans, the reference the
// streaming decoders of codec.hpp (codec_stream.cpp) must agree with: same acceptance, same
// values. Only tests and the fuzz target call these; the daemon uses codec.hpp. Pure,
// thread-safe.
#pragma once

#include "agentd/upstream/failure.hpp"
#include "agentd/upstream/types.hpp"

#include <string_view>
#include <vector>

namespace agentd::upstream::codec::reference {

result<plan> decode_plan(std::string_view json);
result<std::vector<seat_status>> decode_seat_statuses(std::string_view json, std::string_view lock_field = "lockTypeId");

}  // namespace agentd::upstream::codec::reference
