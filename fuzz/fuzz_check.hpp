// fuzz/fuzz_check: the one assertion the fuzz targets use. A broken property aborts with a
// message, so libFuzzer records the input as a crash (assert() would vanish under NDEBUG).
// Threading: none (each libFuzzer process runs one input at a time).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace agentd::fuzz {

[[noreturn]] inline void property_broken(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "fuzz property broken: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
    if (!ok) property_broken(what, detail);
}

}  // namespace agentd::fuzz
