// core/secret: a string that must never be printed. Streaming or formatting it yields
// "[redacted]"; the value is reachable only through the explicit reveal(). Thread-safe value.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace agentd {

class secret {
public:
    secret() = default;
    explicit secret(std::string value) : value_(std::move(value)) {}

    std::string_view reveal() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }

    friend std::ostream& operator<<(std::ostream& os, const secret&) { return os << "[redacted]"; }
    friend bool operator==(const secret&, const secret&) = default;

private:
    std::string value_;
};

}  // namespace agentd
