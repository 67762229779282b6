// GCC 12 and co_await temporaries: pins the statement forms that g++ 12.2 compiles correctly,
// so that a compiler, flag or library change that breaks one fails here. Every tracked object
// must be destroyed exactly once (counted by address, so this holds without a sanitizer); its
// payload is a heap string, so a build with AGENTD_SANITIZE=ON also reports double frees.
// Threading: each case runs its coroutines on its own io_context on the test thread.
//
// The rule (tried with g++ 12.2.0 at -O0 and -O2, with and without -fsanitize=address, on
// boost::asio::awaitable and on a plain std::coroutine task; clang 14 runs every form clean):
// a statement that contains co_await, anywhere in it, must not also contain
//   1. a lambda-expression that captures by value (copy or init-capture) anything with a
//      non-trivial destructor (std::string, std::shared_ptr, std::function, ...);
//   2. aggregate initialisation of a type with any member that has a non-trivial destructor:
//      agg{...}, agg(...), {.x = ...}, or a bare {...} for an aggregate parameter, also
//      when the aggregate only feeds another constructor (std::variant, std::optional);
//   3. a ?: whose result is a class prvalue with a non-trivial destructor, the awaitable
//      included: co_await (c ? f() : g()), or c ? co_await f() : std::string(...).
// GCC 12 promotes the temporaries that initialise subobjects (captures, members) to
// coroutine-frame temporaries with their own cleanup, and the enclosing object destroys them
// again (GCC PR 99576, 100611, 101367, 101976, 107288); the arm chosen by ?: is destroyed
// twice the same way. Without ASan this can pass silently: a shared_ptr capture only drops
// its count once too often and frees the object early.
// Fix: build that object as a named local in its own statement and pass it with std::move,
// or use if/else for ?:. Everything else is fine: f(std::string("x")), f(a + b), f(local),
// f(std::move(local)), f(make_x()), braces for a class with a constructor (std::pair{...}),
// lambdas capturing only by reference, `this` or trivially destructible values, aggregates
// with only trivially destructible members. A std::initializer_list argument ({a, b} for a
// vector) does not compile ("array used as initializer", PR 103871), so it cannot slip in.
//
// Minimal reproducer (not compiled here; "double free detected in tcache" at -O0 and -O2):
//   struct event { std::string reason; };
//   asio::awaitable<std::size_t> apply(event e) { co_return e.reason.size(); }
//   asio::awaitable<void> broken(std::string r) {
//       co_await apply(event{std::move(r)});  // event::reason is destroyed twice
//   }
// The same happens with `co_await run([r] { return r.size(); });` (the captured copy) and
// `co_await (r.empty() ? pick("a") : pick("b"));` (the chosen awaitable).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>

namespace asio = boost::asio;

namespace {

// Every live tracked object by address: destroying one that is not alive is a bad destruction.
struct ledger {
    std::set<const void*> alive;
    int built = 0;
    int destroyed = 0;
    int bad = 0;
};

ledger& book() {
    static ledger l;
    return l;
}

class tracked {
public:
    explicit tracked(std::string v) : value_(std::move(v)) { enter(); }
    tracked(const tracked& o) : value_(o.value_) { enter(); }
    tracked(tracked&& o) noexcept : value_(std::move(o.value_)) { enter(); }
    tracked& operator=(const tracked&) = delete;
    tracked& operator=(tracked&&) = delete;
    ~tracked() {
        ++book().destroyed;
        if (book().alive.erase(this) == 0) ++book().bad;
    }
    std::size_t size() const { return value_.size(); }

private:
    void enter() {
        ++book().built;
        book().alive.insert(this);
    }
    std::string value_;
};

// Longer than the small-string buffer, so every copy owns heap memory ASan can watch.
std::string text(char c) { return std::string(40, c); }

struct event {
    tracked who;
    std::string reason;
};
struct released {};
using change = std::variant<released, event>;
struct position {
    int row = 0;
    int seat = 0;
};

event make_event() { return event{tracked(text('e')), text('r')}; }
tracked make_tracked() { return tracked(text('m')); }

// Every callee suspends first, so the caller's co_await statement spans a real suspension.
asio::awaitable<void> nap() { co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable); }

asio::awaitable<std::size_t> take(tracked t, std::string s) {
    co_await nap();
    co_return t.size() + s.size();
}
asio::awaitable<std::size_t> peek(const tracked& t, const std::string& s) {
    co_await nap();
    co_return t.size() + s.size();
}
asio::awaitable<std::size_t> apply(event e) {
    co_await nap();
    co_return e.who.size() + e.reason.size();
}
asio::awaitable<std::size_t> apply_change(change c) {
    co_await nap();
    if (auto* e = std::get_if<event>(&c)) co_return e->who.size() + e->reason.size();
    co_return 1;
}
asio::awaitable<std::size_t> count(position p) {
    co_await nap();
    co_return static_cast<std::size_t>(p.row + p.seat);
}
asio::awaitable<std::size_t> take_pair(std::pair<tracked, int> p) {
    co_await nap();
    co_return p.first.size() + static_cast<std::size_t>(p.second);
}
asio::awaitable<std::size_t> take_optional(std::optional<tracked> t) {
    co_await nap();
    co_return t ? t->size() : 0;
}
// Stores the job in its frame across a suspension, as the store's writer jobs do.
asio::awaitable<std::size_t> run_job(std::function<std::size_t()> job) {
    co_await nap();
    co_return job();
}
asio::awaitable<tracked> fetch(char c) {
    co_await nap();
    co_return tracked(text(c));
}
asio::awaitable<std::pair<std::string, tracked>> fetch_pair() {
    co_await nap();
    co_return std::pair<std::string, tracked>{text('p'), tracked(text('q'))};
}

// Runs one scenario to completion and checks that every tracked object it built was
// destroyed exactly once.
template <class F>
std::size_t run(F scenario) {
    book() = ledger{};
    std::size_t out = 0;
    bool finished = false;
    std::exception_ptr failure;
    {
        asio::io_context ioc;
        asio::co_spawn(ioc, scenario(), [&](std::exception_ptr e, std::size_t v) {
            failure = e;
            out = v;
            finished = true;
        });
        ioc.run();
    }
    if (failure) std::rethrow_exception(failure);
    CHECK(finished);
    CHECK(book().built > 0);
    CHECK(book().bad == 0);
    CHECK(book().alive.empty());
    CHECK(book().built == book().destroyed);
    return out;
}

// --- arguments: temporaries made by constructors and calls are fine --------------------------

asio::awaitable<std::size_t> prvalue_arguments() {
    co_return co_await take(tracked(text('a')), std::string(text('b')));
}
asio::awaitable<std::size_t> prvalues_bound_to_references() {
    co_return co_await peek(tracked(text('a')), std::string(text('b')));
}
asio::awaitable<std::size_t> concatenated_argument() {
    const std::string a = text('a');
    const std::string b = text('b');
    co_return co_await take(tracked(a + b), a + b);
}
asio::awaitable<std::size_t> moved_and_copied_locals() {
    tracked t(text('t'));
    std::string s = text('s');
    const std::size_t copied = co_await take(t, s);
    co_return copied + co_await take(std::move(t), std::move(s));
}
asio::awaitable<std::size_t> call_results_as_arguments() {
    const std::size_t n = co_await take(make_tracked(), text('s'));
    co_return n + co_await apply(make_event());
}
asio::awaitable<std::size_t> braces_for_classes_with_constructors() {
    const std::size_t n = co_await take(tracked{text('t')}, std::string{text('s')});
    const std::size_t p = co_await take_pair(std::pair<tracked, int>{tracked(text('p')), 1});
    co_return n + p + co_await take_optional(std::optional<tracked>(tracked(text('o'))));
}
asio::awaitable<std::size_t> co_await_result_as_argument() {
    co_return co_await take(co_await fetch('f'), text('s'));
}

TEST_CASE("co_await arguments made by constructors, calls and std::move are destroyed once") {
    CHECK(run(prvalue_arguments) == 80);
    CHECK(run(prvalues_bound_to_references) == 80);
    CHECK(run(concatenated_argument) == 160);
    CHECK(run(moved_and_copied_locals) == 160);
    CHECK(run(call_results_as_arguments) == 160);
    CHECK(run(braces_for_classes_with_constructors) == 161);
    CHECK(run(co_await_result_as_argument) == 80);
}

// --- aggregates: named first, then moved in ----------------------------------------------------

asio::awaitable<std::size_t> named_aggregate_moved() {
    event e{tracked(text('w')), text('r')};
    co_return co_await apply(std::move(e));
}
asio::awaitable<std::size_t> named_aggregate_into_variant() {
    event e{tracked(text('w')), text('r')};
    const std::size_t a = co_await apply_change(std::move(e));
    change c = event{tracked(text('x')), text('y')};
    co_return a + co_await apply_change(std::move(c));
}
asio::awaitable<std::size_t> trivially_destructible_aggregates_inline() {
    const std::size_t n = co_await count(position{3, 4});
    const std::size_t m = co_await count({.row = 1, .seat = 2});
    tracked keep(text('k'));  // gives the ledger something to account for
    co_return n + m + co_await apply_change(released{}) + keep.size();
}
// What app::defer does: the aggregate lives and dies inside a plain function call.
asio::awaitable<std::size_t> aggregate_built_inside_a_plain_call() {
    std::string reason = text('r');
    co_return co_await [&] { return apply(event{tracked(text('w')), std::move(reason)}); }();
}

TEST_CASE("co_await takes aggregates with non-trivial members only as named locals") {
    CHECK(run(named_aggregate_moved) == 80);
    CHECK(run(named_aggregate_into_variant) == 160);
    CHECK(run(trivially_destructible_aggregates_inline) == 51);
    CHECK(run(aggregate_built_inside_a_plain_call) == 80);
}

// --- lambdas: value captures are made in their own statement -----------------------------------

asio::awaitable<std::size_t> named_lambda_moved_into_job() {
    tracked t(text('t'));
    auto job = [t, s = text('s')] { return t.size() + s.size(); };
    co_return co_await run_job(std::move(job));
}
asio::awaitable<std::size_t> named_function_moved_into_job() {
    tracked t(text('t'));
    std::function<std::size_t()> job = [t] { return t.size(); };
    co_return co_await run_job(std::move(job));
}
asio::awaitable<std::size_t> lambda_kept_across_suspensions() {
    auto shared = std::make_shared<tracked>(text('h'));
    auto job = [shared, t = tracked(text('t'))] { return shared->size() + t.size(); };
    co_await nap();
    co_await nap();
    co_return job();
}
asio::awaitable<std::size_t> awaitable_built_in_its_own_statement() {
    tracked t(text('t'));
    auto op = run_job([t] { return t.size(); });
    co_return co_await std::move(op);
}
asio::awaitable<std::size_t> reference_and_trivial_captures_inline() {
    tracked t(text('t'));
    int extra = 2;
    const std::size_t n = co_await run_job([&t] { return t.size(); });
    co_return n + co_await run_job([extra] { return static_cast<std::size_t>(extra); });
}

TEST_CASE("co_await takes lambdas with non-trivial value captures only as named locals") {
    CHECK(run(named_lambda_moved_into_job) == 80);
    CHECK(run(named_function_moved_into_job) == 40);
    CHECK(run(lambda_kept_across_suspensions) == 80);
    CHECK(run(awaitable_built_in_its_own_statement) == 40);
    CHECK(run(reference_and_trivial_captures_inline) == 42);
}

// --- branches: if/else, or ?: over lvalues and scalars ----------------------------------------

asio::awaitable<std::size_t> branch_with_if_else(bool first) {
    tracked a(text('a'));
    tracked b(text('b'));
    std::size_t n = 0;
    if (first) n = co_await take(a, text('s'));
    else n = co_await take(b, text('s') + "!");
    co_return n;
}
asio::awaitable<std::size_t> conditional_over_lvalues(bool first) {
    tracked a(text('a'));
    tracked b(text('b') + "!");
    co_return co_await peek(first ? a : b, text('s'));
}
asio::awaitable<std::size_t> conditional_over_scalar_results(bool first) {
    tracked a(text('a'));
    const std::size_t n = first ? co_await peek(a, text('s')) : co_await count(position{1, 1});
    co_return n;
}
asio::awaitable<std::size_t> awaitable_chosen_in_its_own_statement(bool first) {
    tracked a(text('a'));
    auto op = first ? take(a, text('s')) : take(a, text('s') + "!");
    co_return co_await std::move(op);
}

TEST_CASE("co_await picks between class values with if/else, not with ?:") {
    for (bool first : {true, false}) {
        CAPTURE(first);
        const std::size_t want = first ? 80 : 81;
        CHECK(run([first] { return branch_with_if_else(first); }) == want);
        CHECK(run([first] { return conditional_over_lvalues(first); }) == want);
        CHECK(run([first] { return conditional_over_scalar_results(first); }) == (first ? 80 : 2));
        CHECK(run([first] { return awaitable_chosen_in_its_own_statement(first); }) == want);
    }
}

// --- results: class values coming out of co_await ---------------------------------------------

asio::awaitable<std::size_t> results_of_class_type() {
    tracked named = co_await fetch('n');
    const std::size_t member = (co_await fetch('m')).size();
    auto [s, t] = co_await fetch_pair();
    co_return named.size() + member + s.size() + t.size();
}

TEST_CASE("class values returned through co_await are destroyed once") {
    CHECK(run(results_of_class_type) == 160);
}

}  // namespace
