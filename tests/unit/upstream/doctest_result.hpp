// tests: lets doctest print boost::system::result values in failed checks (the error's message).
#pragma once

#include <boost/system/result.hpp>
#include <doctest/doctest.h>

namespace doctest {
template <class T, class E>
struct StringMaker<boost::system::result<T, E>> {
    static String convert(const boost::system::result<T, E>& r) {
        if (r.has_value()) return "value";
        if constexpr (requires { r.error().message; }) return ("error: " + r.error().message).c_str();
        else return "error";
    }
};
}  // namespace doctest
