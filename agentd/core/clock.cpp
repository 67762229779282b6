#include "agentd/core/clock.hpp"

namespace agentd {

system_clock& system_clock::instance() noexcept {
    static system_clock c;
    return c;
}

}  // namespace agentd
