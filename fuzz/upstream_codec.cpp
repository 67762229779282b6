// Fuzz target: the upstream codecs (upstream/codec.hpp), i.e. every body agentd reads from the
// Spektrix Agency API: events, instances, price lists, plans, instance and seat status, best
// available, baskets, tickets, orders and error bodies. Each input is offered to every decoder.
// Properties: no decoder crashes or throws; a refusal is a `decode` failure with a message.
#include "agentd/upstream/codec.hpp"
#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using namespace agentd;
using namespace agentd::upstream;

template <class R>
void expect_typed(const R& r, std::string_view name) {
    if (r) return;
    fuzz::check(r.error().cls == error_class::decode, name, "refusal is not a decode failure: " + r.error().message);
    fuzz::check(!r.error().message.empty(), name, "decode failure without a message");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view json(reinterpret_cast<const char*>(data), size);
    // Renamed customer fields, as a venue may configure them, so the lookups are not constant.
    static const agent_customer_fields renamed{"customer", "given", "family", "street", "ref"};
    expect_typed(codec::decode_events(json), "events");
    expect_typed(codec::decode_event(json), "event");
    expect_typed(codec::decode_instances(json), "instances");
    expect_typed(codec::decode_instance(json), "instance");
    expect_typed(codec::decode_price_list(json), "price_list");
    expect_typed(codec::decode_plan(json), "plan");
    expect_typed(codec::decode_instance_status(json), "instance_status");
    expect_typed(codec::decode_seat_statuses(json), "seat_statuses");
    expect_typed(codec::decode_best_available(json), "best_available");
    expect_typed(codec::decode_basket(json), "basket");
    expect_typed(codec::decode_basket(json, renamed), "basket (renamed fields)");
    expect_typed(codec::decode_tickets(json), "tickets");
    expect_typed(codec::decode_order(json), "order");
    (void)codec::decode_error_body(json);
    (void)codec::parse_seat_state(json);
    return 0;
}
