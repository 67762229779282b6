// Fuzz target: the upstream codecs (upstream/codec.hpp), i.e. every body agentd reads from the
// Spektrix Agency API: events, instances, price lists, plans, instance and seat status, best
// available, baskets, tickets, orders and error bodies. Each input is offered to every decoder.
// Properties: no decoder crashes or throws; a refusal is a `decode` failure with a message; the
// streaming seat-status and plan decoders accept exactly what their DOM reference accepts and
// yield the same values.
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/codec_reference.hpp"
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

bool same_area(const area& a, const area& b) {
    if (a.id != b.id || a.name != b.name || a.reserved != b.reserved || a.capacity != b.capacity || a.band_id != b.band_id ||
        a.children.size() != b.children.size() || a.seats.size() != b.seats.size())
        return false;
    for (std::size_t i = 0; i < a.children.size(); ++i)
        if (!same_area(a.children[i], b.children[i])) return false;
    for (std::size_t i = 0; i < a.seats.size(); ++i) {
        const auto &x = a.seats[i], &y = b.seats[i];
        if (x.id != y.id || x.name != y.name || x.row != y.row || x.number != y.number || x.x != y.x || x.y != y.y ||
            x.band_id != y.band_id)
            return false;
    }
    return true;
}

void streamed_agree(std::string_view json) {
    auto p = codec::decode_plan(json);
    auto pr = codec::reference::decode_plan(json);
    fuzz::check(p.has_value() == pr.has_value(), "plan", "streamed and DOM decoders disagree on acceptance");
    if (p && pr) fuzz::check(same_area(*p, *pr), "plan", "streamed and DOM decoders yield different plans");
    auto s = codec::decode_seat_statuses(json);
    auto sr = codec::reference::decode_seat_statuses(json);
    fuzz::check(s.has_value() == sr.has_value(), "seat_statuses", "streamed and DOM decoders disagree on acceptance");
    if (s && sr) {
        bool same = s->size() == sr->size();
        for (std::size_t i = 0; same && i < s->size(); ++i) same = (*s)[i].id == (*sr)[i].id && (*s)[i].status == (*sr)[i].status &&
                                                           (*s)[i].lock_type == (*sr)[i].lock_type;
        fuzz::check(same, "seat_statuses", "streamed and DOM decoders yield different seat lists");
    }
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
    streamed_agree(json);
    (void)codec::decode_error_body(json);
    (void)codec::parse_seat_state(json);
    return 0;
}
