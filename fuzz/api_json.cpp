// Fuzz target: the local API's JSON decoders (api/json.hpp from_json<T> and decode_feed_data),
// i.e. every request body a channel can send, the replies agentctl decodes and the feed's
// payloads. Each input is offered to every
// decoder. Properties: no decoder crashes or throws; an accepted value re-encodes to JSON that
// the same decoder accepts and that re-encodes to the same bytes (encode/decode agree).
#include "agentd/api/json.hpp"
#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using namespace agentd;

template <class T>
void round_trip(std::string_view text, std::string_view name) {
    auto first = api::from_json<T>(text);
    if (!first) {
        fuzz::check(!first.error().message.empty(), name, "decode error without a message");
        return;
    }
    std::string encoded = api::to_json(*first);
    auto second = api::from_json<T>(encoded);
    if (!second) fuzz::property_broken(name, "re-decoding our own encoding failed: " + second.error().message + "\n" + encoded);
    std::string again = api::to_json(*second);
    fuzz::check(again == encoded, name, "encoding is not stable:\n" + encoded + "\n" + again);
}

// The feed's decoder by kind: the same properties through decode_feed_data.
void feed_round_trip(std::string_view kind, std::string_view text) {
    auto first = api::decode_feed_data(kind, text);
    if (!first) {
        fuzz::check(!first.error().message.empty(), kind, "decode error without a message");
        return;
    }
    std::string encoded = api::to_json(*first);
    auto second = api::decode_feed_data(kind, encoded);
    if (!second) fuzz::property_broken(kind, "re-decoding our own encoding failed: " + second.error().message + "\n" + encoded);
    std::string again = api::to_json(*second);
    fuzz::check(again == encoded, kind, "encoding is not stable:\n" + encoded + "\n" + again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    round_trip<api::reservation_request>(text, "reservation_request");
    round_trip<api::confirm_request>(text, "confirm_request");
    round_trip<api::extend_request>(text, "extend_request");
    round_trip<api::admin_sync_request>(text, "admin_sync_request");
    round_trip<api::reservation>(text, "reservation");
    round_trip<api::health>(text, "health");
    round_trip<api::error_body>(text, "error_body");
    round_trip<std::vector<api::reservation>>(text, "reservation list");
    round_trip<std::vector<api::client_state>>(text, "client list");
    round_trip<std::vector<api::event>>(text, "event list");
    round_trip<std::vector<api::instance_summary>>(text, "instance list");
    round_trip<api::instance>(text, "instance");
    round_trip<api::seat_plan>(text, "seat plan");
    round_trip<std::vector<api::history_entry>>(text, "history");
    round_trip<api::reconcile_report>(text, "reconcile report");
    round_trip<api::admin_sync_answer>(text, "sync answer");
    for (std::string_view kind : {"reservation", "event", "instance", "price_list", "plan", "availability", "sync", "overflow", "error"})
        feed_round_trip(kind, text);
    return 0;
}
