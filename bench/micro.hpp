// bench/micro: in-process figures that need no daemon — upstream JSON decode against RapidJSON,
// and the mirror's seat-status apply (store::database group commit) against batched SQLite
// upserts. Blocking; single caller thread.
#pragma once

#include "bench/support.hpp"

#include <string>
#include <vector>

namespace bench {

struct micro_options {
    std::string dir;
    int reps = 5;
    bool quick = false;
};

void run_decode(const micro_options& o, std::vector<figure>& out);
void run_mirror_apply(const micro_options& o, std::vector<figure>& out);

}  // namespace bench
