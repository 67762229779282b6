// The streaming seat-status and plan decoders against their DOM reference: same values, same
// typed errors, including the hazards a SAX handler has and a DOM does not (input cut off in
// the middle of a list, repeated keys, objects where a scalar or a list belongs, unknown keys
// holding deep structure).
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/codec_reference.hpp"

#include "tests/unit/upstream/doctest_result.hpp"

#include <string>
#include <vector>

using namespace agentd;
using namespace agentd::upstream;

namespace {

bool same_seat(const seat& a, const seat& b) {
    return a.id == b.id && a.name == b.name && a.row == b.row && a.number == b.number && a.x == b.x && a.y == b.y &&
           a.band_id == b.band_id;
}

bool same_area(const area& a, const area& b) {
    if (a.id != b.id || a.name != b.name || a.reserved != b.reserved || a.capacity != b.capacity || a.band_id != b.band_id)
        return false;
    if (a.children.size() != b.children.size() || a.seats.size() != b.seats.size()) return false;
    for (std::size_t i = 0; i < a.children.size(); ++i)
        if (!same_area(a.children[i], b.children[i])) return false;
    for (std::size_t i = 0; i < a.seats.size(); ++i)
        if (!same_seat(a.seats[i], b.seats[i])) return false;
    return true;
}

// Both decoders accept with equal values, or both refuse with the same message.
void agrees_on_plan(const std::string& json) {
    CAPTURE(json);
    auto s = codec::decode_plan(json);
    auto d = codec::reference::decode_plan(json);
    REQUIRE(s.has_value() == d.has_value());
    if (s) CHECK(same_area(*s, *d));
    else CHECK(s.error().message == d.error().message);
}

void agrees_on_seats(const std::string& json, std::string_view lock_field = "lockTypeId") {
    CAPTURE(json);
    auto s = codec::decode_seat_statuses(json, lock_field);
    auto d = codec::reference::decode_seat_statuses(json, lock_field);
    REQUIRE(s.has_value() == d.has_value());
    if (!s) {
        CHECK(s.error().cls == error_class::decode);
        CHECK(s.error().message == d.error().message);
        return;
    }
    REQUIRE(s->size() == d->size());
    for (std::size_t i = 0; i < s->size(); ++i) {
        CHECK((*s)[i].id == (*d)[i].id);
        CHECK((*s)[i].status == (*d)[i].status);
        CHECK((*s)[i].lock_type == (*d)[i].lock_type);
    }
}

}  // namespace

TEST_CASE("a Locked seat's lock type is read from the configured field, by both decoders alike") {
    const std::string json =
        R"([{"id":"1","status":"Locked","lockTypeId":"2AB","lockType":{"id":"9"}},{"id":"2","status":"Locked","lockTypeId":77},)"
        R"({"id":"3","status":"Locked","lockTypeId":"../x"},{"id":"4","status":"Locked","lockTypeId":null},)"
        R"({"id":"5","status":"Locked","lockTypeId":"A1","lockTypeId":"B2"},{"id":"6","status":"Available"}])";
    auto s = codec::decode_seat_statuses(json);
    REQUIRE(s.has_value());
    REQUIRE(s->size() == 6);
    CHECK((*s)[0].lock_type == "2AB");
    CHECK((*s)[1].lock_type == "77");  // a number, kept as text like every id
    CHECK((*s)[2].lock_type.empty());  // not an id: unknown, not an error
    CHECK((*s)[3].lock_type.empty());
    CHECK((*s)[4].lock_type == "A1");  // the first of repeated keys
    CHECK((*s)[5].lock_type.empty());
    auto other = codec::decode_seat_statuses(json, "lockType");
    REQUIRE(other.has_value());
    CHECK((*other)[0].lock_type.empty());  // an object there is not an id
    for (const char* field : {"lockTypeId", "lockType", "status"}) agrees_on_seats(json, field);
}

TEST_CASE("streamed seat-status lists agree with the DOM decoder on good and hostile input") {
    const std::vector<std::string> cases = {
        R"([{"id":"53613","status":"Available"},{"id":53614,"status":"Sold"},{"id":"1","status":"Weird"}])",
        R"([])",
        R"(  [ {"status":"Locked" , "id" : "7"} ] )",
        "\xEF\xBB\xBF[{\"id\":\"1\",\"status\":\"Sold\"}]",  // byte-order mark, as the DOM tolerates
        R"([{"id":"1","status":"Sold","extra":{"deep":[[[{"id":"../x"}]]],"n":null}}])",
        R"([{"id":"1","id":"../x","status":"Sold"}])",           // repeated key: the first wins
        R"([{"id":null,"id":"2","status":"Sold"}])",             // a null first: still missing
        R"([{"id":"1","status":"Sold","status":{"x":1}}])",
        R"([{"id":{"id":"1"},"status":"Sold"}])",                // an object where a scalar belongs
        R"([{"id":["1"],"status":"Sold"}])",
        R"([{"id":"1","status":5}])",
        R"([{"id":"1","status":true}])",
        R"([{"id":"1"}])",
        R"([{"status":"Sold"}])",
        R"([{"id":5.5,"status":"Sold"}])",
        R"([{"id":99999999999999999999999999,"status":"Sold"}])",
        R"([[{"id":"1","status":"Sold"}]])",
        R"([1,2,3])",
        R"([null])",
        R"({"seats":[]})",
        R"("seats")",
        R"(null)",
        R"([{"id":"1","status":"Sold"},{"id":"2")",             // cut off inside the list
        R"([{"id":"1","status":"Sold"},)",
        R"([{"id":"1","status":"Sold"}] [])",
        R"([{"id":"1","status":"Sold"}]   )",
        R"([{"id":"x/1","status":"Sold"},{"id":"2","status)",    // a field error, then cut off: invalid JSON wins
        "[{\"id\":\"caf\xC3\x28\",\"status\":\"Sold\"}]",
        "[{\"id\":\"1\",\"status\":\"Sold\"}]\0garbage",
        "",
    };
    for (const auto& c : cases) agrees_on_seats(c);
    static const char with_nul[] = "[{\"id\":\"1\",\"status\":\"Sold\"}]\0garbage";
    agrees_on_seats(std::string(with_nul, sizeof with_nul - 1));
    std::string deep(100000, '[');
    agrees_on_seats(deep + std::string(100000, ']'));
    agrees_on_seats(R"([{"id":"1","status":"Sold","x":)" + deep + std::string(100000, ']') + "}]");
}

TEST_CASE("a seat-status list cut off mid-array or holding a repeated key is a typed decode error or the first value") {
    auto cut = codec::decode_seat_statuses(R"([{"id":"1","status":"Sold"},{"id":"2","sta)");
    REQUIRE_FALSE(cut);
    CHECK(cut.error().cls == error_class::decode);
    CHECK(cut.error().message.find("invalid JSON") != std::string::npos);
    auto rep = codec::decode_seat_statuses(R"([{"id":"1","status":"Sold","status":"Available"}])");
    REQUIRE(rep);
    CHECK((*rep)[0].status == seat_state::sold);
    auto nested = codec::decode_seat_statuses(R"([{"id":"1","status":{"name":"Sold"}}])");
    REQUIRE_FALSE(nested);
    CHECK(nested.error().message == "decode seat status: field 'status': expected string");
}

TEST_CASE("streamed plans agree with the DOM decoder on good and hostile input") {
    const std::string good = R"({"id":"6241A","name":"Main","type":"Reserved","venue":{"id":"201A"},"capacity":13,
        "areas":[
          {"id":"a1","name":"Stalls","type":"Reserved","capacity":2,"seats":[
             {"id":"53613","name":"A1","row":"A","number":1,"x":582,"y":80,"previousSeatId":null,"nextSeatId":53614,"priceBand":{"id":"b1"}},
             {"id":53614,"name":"A2","row":"A","number":2,"x":-600,"y":80,"band":"b9"}]},
          {"id":"a2","name":"Standing","type":"Unreserved","capacity":11,"seats":null,"priceBand":{"id":"b2","name":{"x":[1]}}}],
        "seats":[]})";
    const std::vector<std::string> cases = {
        good,
        R"({"id":"p"})",
        R"({"id":"p","areas":null,"seats":null})",
        R"({"seats":[{"id":"1"}],"areas":[{"id":"a","areas":[{"id":"b","seats":[{"id":"2","x":3}]}]}],"id":"p"})",
        R"({"id":"p","areas":[],"areas":[{"id":"../x"}]})",      // repeated list key: the first wins
        R"({"id":"p","areas":null,"areas":[{"id":"../x"}]})",
        R"({"id":"p","seats":[{"id":"1","x":1,"x":"y"}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":{"id":"b","id":"../x"}}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":{"name":"b"}}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":{"id":null}}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":{"id":{"id":"b"}}}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":{"id":["b"]}}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":null,"band":7}]})",
        R"({"id":"p","seats":[{"id":"1","priceBand":"b","band":true}]})",  // band unread when priceBand is there
        R"({"id":"p","seats":[{"id":"1","priceBand":[]}]})",
        R"({"id":"p","seats":[{"id":"1","number":{"n":1}}]})",  // an object where a number belongs
        R"({"id":"p","type":{"t":"Unreserved"}})",
        R"({"id":"p","type":"Unreserved"})",
        R"({"id":"p","areas":{"id":"a"}})",
        R"({"id":"p","areas":"a"})",
        R"({"id":"p","seats":{"id":"1"}})",
        R"({"id":"p","seats":[1]})",
        R"({"id":"p","seats":[[{"id":"1"}]]})",
        R"({"id":"p","areas":[null]})",
        R"({"id":"p","areas":[["a"]]})",
        R"({"id":"p","capacity":"lots"})",
        R"({"id":"p","capacity":99999999999999999999999999})",
        R"({"id":"p","capacity":1e400})",
        R"({"id":"p","capacity":"12"})",
        R"({"id":"p","name":false})",
        R"({"name":"p"})",
        R"([{"id":"p"}])",
        R"("p")",
        R"({"id":"p","areas":[{"id":"a","seats":[{"id":"1"},{"id":"2")",  // cut off mid-array
        R"({"id":"p","areas":[{"id":"a","seats":[{"id":"1"},)",
        R"({"id":"../p","areas":[{"id":"a","seats":[{"id":"1"}]}]} x)",
        "{\"id\":\"p\",\"name\":\"caf\xC3\x28\"}",
        "\xEF\xBB{\"id\":\"p\"}",
        "",
    };
    for (const auto& c : cases) agrees_on_plan(c);
}

TEST_CASE("streamed plans keep the nesting limit and skip deep structure under unknown keys") {
    std::string areas = R"({"id":"p","areas":[)";
    std::string tail;
    for (int i = 0; i < 40; ++i) {
        areas += R"({"id":"a","areas":[)";
        tail += "]}";
    }
    areas += tail + "]}";
    auto deep = codec::decode_plan(areas);
    REQUIRE_FALSE(deep);
    CHECK(deep.error().message == "decode plan: field 'areas': nested too deeply");
    agrees_on_plan(areas);

    // 16 levels below the root are allowed, the 17th is not, whatever it holds.
    for (int levels : {16, 17}) {
        for (const char* leaf : {R"({"id":"leaf"})", "7"}) {
            std::string s = R"({"id":"p","areas":[)";
            std::string t;
            for (int i = 1; i < levels; ++i) {
                s += R"({"id":"a","areas":[)";
                t += "]}";
            }
            agrees_on_plan(s + leaf + t + "]}");
        }
    }

    std::string unknown = R"({"id":"p","layout":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    auto skipped = codec::decode_plan(unknown);
    REQUIRE(skipped);
    CHECK(skipped->id == "p");
}
