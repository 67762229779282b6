// core/defer: builds an awaitable inside a plain function, so temporaries of the call end
// before the coroutine suspends. Needed only for the forms GCC 12 miscompiles in a statement
// that contains co_await (it destroys them twice): an aggregate with non-trivial members built
// in place, a lambda capturing non-trivial values by value, a ?: whose result is a class. The
// rule, its evidence and a reproducer are in tests/unit/core/coro_temporaries_test.cpp; new
// code names such values in their own statement instead of using defer. Header-only, pure.
#pragma once

namespace agentd {

template <class F>
auto defer(F&& f) {
    return f();
}

}  // namespace agentd
