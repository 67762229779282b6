// config/option_entry: internal to config. Each option row pairs its public description with
// the typed bounds used for validation and a setter/getter bound to one settings member, so the
// loader, the defaults and the dump all go through the same row. Immutable after start-up.
#pragma once

#include "agentd/config/options.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace agentd::config::detail {

// A parsed option value; which field is meaningful depends on the option kind
// (duration in ms, size in bytes and mode bits all live in `i`).
struct value {
    bool b = false;
    std::int64_t i = 0;
    double d = 0;
    std::string s;
    bool set = true;  // false for optional options left unset (uid, gid)
};

using setter = void (*)(void* target, const value& v);
using getter = value (*)(const void* target);

struct option_entry {
    option_info info;
    std::int64_t min = 0;  // integer, duration (ms), size (bytes), mode, string length
    std::int64_t max = 0;
    double real_min = 0;
    double real_max = 0;
    bool has_default = false;
    value def;
    bool commented = false;  // shown only as a comment in example blocks (an alternative)
    setter set = nullptr;
    getter get = nullptr;
};

std::span<const option_entry> entries();

// TOML literal for a value of the given option.
std::string literal(const option_entry& e, const value& v);

}  // namespace agentd::config::detail
