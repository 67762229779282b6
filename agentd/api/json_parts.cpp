#include "agentd/api/json_parts.hpp"

#include "agentd/api/json_detail.hpp"

#include <rapidjson/internal/dtoa.h>

#include <cmath>

namespace agentd::api {

using namespace detail;

instance_json_parts to_json_parts(const instance& i) {
    auto text = build([&](writer& w) { write(w, i, true); });
    const auto at = text.find(k_age_placeholder);
    return {text.substr(0, at), text.substr(at + k_age_placeholder.size())};
}

void append_json_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    // What rapidjson::Writer::Double writes (its default precision), without a buffer object.
    char buf[32];
    char* end = rapidjson::internal::dtoa(v, buf, rapidjson::Writer<rapidjson::StringBuffer>::kDefaultMaxDecimalPlaces);
    out.append(buf, static_cast<std::size_t>(end - buf));
}

}  // namespace agentd::api
