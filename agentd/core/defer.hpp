// core/defer: a workaround for GCC 12, which destroys the temporaries of a co_await
// full-expression twice when they have non-trivial destructors (moved-from strings, vectors,
// std::function). Building the awaitable inside a plain function ends those temporaries before
// the caller suspends. Use as `co_await defer([&] { return call(args...); })`. Header-only, pure.
#pragma once

namespace agentd {

template <class F>
auto defer(F&& f) {
    return f();
}

}  // namespace agentd
