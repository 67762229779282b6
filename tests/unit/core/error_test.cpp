#include "agentd/core/error.hpp"
#include "agentd/core/id.hpp"

#include <doctest/doctest.h>

using namespace agentd;

TEST_CASE("error codes live in the agentd category with stable names") {
    boost::system::error_code ec = errc::not_found;
    CHECK(ec.category().name() == std::string("agentd"));
    CHECK(ec.message() == "not_found");
    CHECK(to_string(errc::upstream_transient) == "upstream_transient");
}

TEST_CASE("retryable follows the class of the error") {
    CHECK(is_retryable(errc::rate_limited));
    CHECK(is_retryable(errc::timeout));
    CHECK_FALSE(is_retryable(errc::conflict));
    CHECK_FALSE(is_retryable(errc::invalid_argument));
}

TEST_CASE("result carries values or errors with context") {
    auto f = [](int x) -> result<int> {
        if (x < 0) return fail(errc::invalid_argument, "negative");
        return x * 2;
    };
    CHECK(f(2).value() == 4);
    auto r = f(-1);
    REQUIRE_FALSE(r.has_value());
    auto wrapped = r.error().wrap("double value");
    CHECK(wrapped.message == "double value: negative");
    CHECK(wrapped.code == errc::invalid_argument);
    CHECK_THROWS_AS(r.value(), error_exception);
}

TEST_CASE("ids are opaque but bounded and printable") {
    CHECK(valid_id("34001AGQQHTLTHTMBJQGPRQRMLLBGHNMV"));
    CHECK(valid_id("53613"));
    CHECK(valid_id("r_01J.x-y:z"));
    CHECK_FALSE(valid_id(""));
    CHECK_FALSE(valid_id("a b"));
    CHECK_FALSE(valid_id("a/b"));
    CHECK_FALSE(valid_id(std::string(129, 'A')));
}
