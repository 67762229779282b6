// The two large upstream bodies — seat-status lists (one per instance on every sync) and seat
// plans — decoded by a RapidJSON SAX reader straight into the DTOs, without building a DOM.
// The rules are exactly those of the DOM decoders in codec.cpp (kept there as the reference,
// see codec_reference.hpp): the first of repeated keys wins and a null value reads as absent,
// as FindMember does; fields are checked in the same order when an object closes; unknown and
// repeated keys are skipped whatever they hold; a document that is not valid JSON is reported
// as such even when a field error came first, since the reader always runs to the end.
// Speed without giving up a guarantee: the reader recurses (faster than its iterative mode)
// only until the handler sees nesting deeper than any real body has, then the body is parsed
// again iteratively, so hostile depth still cannot exhaust the stack; and UTF-8 validation is
// skipped only for a body that is all ASCII, which is valid UTF-8 by construction.
#include "agentd/upstream/codec.hpp"
#include "agentd/upstream/codec_reference.hpp"
#include "agentd/upstream/ids.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace agentd::upstream::codec {
namespace {

namespace rj = rapidjson;
constexpr unsigned base_flags = rj::kParseNumbersAsStringsFlag;
constexpr int max_area_depth = 16;
// Deeper than any real body (a plan nests 17 areas, each an object in a list, plus a seat and
// its band); beyond it the recursive reader hands over to the iterative one.
constexpr int recursion_cap = 96;

struct decode_error {
    const char* field;
    const char* what;
};

// `other` is an array, or a number the reader handed over as binary (it never does with
// kParseNumbersAsStringsFlag); `object` keeps the object's own first "id" member, for `{id}`.
enum class kind : std::uint8_t { absent, null, text, boolean, other, object };

// The reader's strings live only during its callback, so a slot keeps its own copy; slots are
// reused from object to object, so the copies reuse their buffers.
struct slot {
    kind k = kind::absent;
    kind id_k = kind::absent;
    bool b = false;
    std::string text;
    std::string id_text;
    void reset() { k = id_k = kind::absent; }
};

bool present(const slot& s) { return s.k != kind::absent && s.k != kind::null; }

std::string_view text_of(kind k, std::string_view t, const char* field) {
    if (k != kind::text) throw decode_error{field, "expected string"};
    return t;
}
std::string opt_text(const slot& s, const char* field) {
    return present(s) ? std::string(text_of(s.k, s.text, field)) : std::string();
}
std::string id_of(kind k, std::string_view t, const char* field) {
    auto s = text_of(k, t, field);
    if (!valid_upstream_id(s)) throw decode_error{field, "not a valid id"};
    return std::string(s);
}
std::string req_id(const slot& s, const char* field) {
    if (!present(s)) throw decode_error{field, "missing"};
    return id_of(s.k, s.text, field);
}
std::int64_t opt_int(const slot& s, const char* field) {
    if (!present(s)) return 0;
    if (s.k != kind::text) throw decode_error{field, "expected integer"};
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.text.data(), s.text.data() + s.text.size(), out);
    if (ec == std::errc::result_out_of_range) throw decode_error{field, "integer out of range"};
    if (ec != std::errc() || p != s.text.data() + s.text.size()) throw decode_error{field, "expected integer"};
    return out;
}
std::optional<std::string> maybe_ref(const slot& s, const char* field) {
    if (!present(s)) return std::nullopt;
    if (s.k == kind::object) {
        if (s.id_k == kind::absent || s.id_k == kind::null) throw decode_error{"id", "missing"};
        return id_of(s.id_k, s.id_text, "id");
    }
    if (s.k == kind::text) return id_of(s.k, s.text, field);
    throw decode_error{field, "expected {id} or string"};
}
std::optional<std::string> band_of(const slot& price_band, const slot& band) {
    auto b = maybe_ref(price_band, "priceBand");
    if (!b) b = maybe_ref(band, "band");
    return b;
}

// Event plumbing shared by the handlers: once a field error is recorded every later event is
// accepted and ignored, so the reader still checks the rest of the document; values of
// skipped keys are stepped over by depth; a captured value lands in a slot. The derived class
// only sees the structure it cares about (CRTP, no virtual calls per event).
template <class Derived>
class handler_base {
public:
    // cap 0: no cap (the iterative reader, whose depth costs heap, not stack).
    explicit handler_base(int cap) : cap_(cap) {}

    bool Null() { return scalar(kind::null, {}, false); }
    bool Bool(bool b) { return scalar(kind::boolean, {}, b); }
    bool Int(int) { return scalar(kind::other, {}, false); }
    bool Uint(unsigned) { return scalar(kind::other, {}, false); }
    bool Int64(std::int64_t) { return scalar(kind::other, {}, false); }
    bool Uint64(std::uint64_t) { return scalar(kind::other, {}, false); }
    bool Double(double) { return scalar(kind::other, {}, false); }
    bool RawNumber(const char* s, rj::SizeType n, bool) { return scalar(kind::text, {s, n}, false); }
    bool String(const char* s, rj::SizeType n, bool) { return scalar(kind::text, {s, n}, false); }

    bool StartObject() {
        if (!deeper()) return false;
        if (failed_) return true;
        if (skip_) return ++skip_, true;
        if (pending_ == pend::capture) {
            pending_ = pend::none;
            target_->k = kind::object;
            ref_ = target_;
            return true;
        }
        if (pending_ != pend::none) return start_skip(kind::object);
        return self().on_start_object();
    }
    bool StartArray() {
        if (!deeper()) return false;
        if (failed_) return true;
        if (skip_) return ++skip_, true;
        if (pending_ != pend::none) return start_skip(kind::other);
        return self().on_start_array();
    }
    bool Key(const char* s, rj::SizeType n, bool) {
        if (failed_ || skip_) return true;
        std::string_view k(s, n);
        if (ref_) {
            pending_ = (k == "id" && ref_->id_k == kind::absent) ? pend::ref_id : pend::skip;
            return true;
        }
        self().on_key(k);
        return true;
    }
    bool EndObject(rj::SizeType) {
        --depth_;
        if (failed_) return true;
        if (skip_) return --skip_, true;
        if (ref_) return ref_ = nullptr, true;
        self().on_end_object();
        return true;
    }
    bool EndArray(rj::SizeType) {
        --depth_;
        if (failed_) return true;
        if (skip_) return --skip_, true;
        self().on_end_array();
        return true;
    }

    bool failed() const { return failed_; }
    bool too_deep() const { return too_deep_; }
    const decode_error& error() const { return error_; }

protected:
    // The next value belongs to `s`, unless its key was already seen: then it is skipped.
    void capture(slot& s) {
        if (s.k != kind::absent) return skip_value();
        target_ = &s;
        pending_ = pend::capture;
    }
    void skip_value() { pending_ = pend::skip; }
    // The next value goes to the derived class's on_value(field, ...) as it arrives, for
    // fields it keeps itself (a container value arrives as its kind only, and is skipped).
    void direct(int field) {
        field_ = field;
        pending_ = pend::direct;
    }
    void fail(const char* field, const char* what) {
        if (failed_) return;
        failed_ = true;
        error_ = decode_error{field, what};
    }
    template <class F>
    void checked(F&& f) {
        try {
            f();
        } catch (const decode_error& e) {
            fail(e.field, e.what);
        }
    }

private:
    enum class pend : std::uint8_t { none, capture, skip, ref_id, direct };

    Derived& self() { return static_cast<Derived&>(*this); }
    bool deeper() {
        if (++depth_ <= cap_ || cap_ == 0) return true;
        too_deep_ = true;
        return false;
    }

    [[gnu::always_inline]] bool scalar(kind k, std::string_view t, bool b) {
        if (failed_ || skip_) return true;
        switch (pending_) {
            case pend::capture:
                target_->k = k;
                target_->text.assign(t);
                target_->b = b;
                break;
            case pend::ref_id:
                ref_->id_k = k;
                ref_->id_text.assign(t);
                break;
            case pend::direct:
                self().on_value(field_, k, t);
                break;
            case pend::skip:
                break;
            case pend::none:
                self().on_scalar(k);
                return true;
        }
        pending_ = pend::none;
        return true;
    }
    // A container value that is not walked: captured as its kind (an array, or the object an
    // `{id}` member turned out to be) and stepped over.
    bool start_skip(kind k) {
        if (pending_ == pend::capture) target_->k = k;
        else if (pending_ == pend::ref_id) ref_->id_k = k;
        else if (pending_ == pend::direct) self().on_value(field_, k, {});
        pending_ = pend::none;
        skip_ = 1;
        return true;
    }

    int cap_;
    int depth_ = 0;
    bool too_deep_ = false;
    bool failed_ = false;
    decode_error error_{"", ""};
    int skip_ = 0;
    pend pending_ = pend::none;
    int field_ = 0;
    slot* target_ = nullptr;
    slot* ref_ = nullptr;
};

// The hot one: each seat is decoded in place at the back of the list as its values arrive, the
// id copied once; only the facts the DOM decoder checks are kept, and checked in its order
// (id, then status) when the object closes.
class seat_status_handler : public handler_base<seat_status_handler> {
public:
    seat_status_handler(std::vector<seat_status>& out, int cap) : handler_base(cap), out_(out) {}
    // ~34 bytes a seat ({"id":"53613","status":"Available"}); bounded, the body may be hostile.
    static void prepare(std::vector<seat_status>& out, std::size_t bytes) { out.reserve(std::min<std::size_t>(bytes / 32, 1 << 16)); }

    bool on_start_array() {
        if (at_ == at::root) at_ = at::list;
        else fail("seats", at_ == at::list ? "expected object" : "expected array");
        return true;
    }
    bool on_start_object() {
        if (at_ != at::list) return fail("seats", "expected array"), true;
        at_ = at::item;
        id_k_ = status_k_ = kind::absent;
        id_valid_ = false;
        out_.emplace_back();
        return true;
    }
    void on_scalar(kind) { fail("seats", at_ == at::list ? "expected object" : "expected array"); }
    void on_key(std::string_view k) {
        if (k == "id" && id_k_ == kind::absent) direct(0);
        else if (k == "status" && status_k_ == kind::absent) direct(1);
        else skip_value();
    }
    void on_value(int field, kind k, std::string_view t) {
        auto& s = out_.back();
        if (field == 0) {
            id_k_ = k;
            id_valid_ = k == kind::text && valid_upstream_id(t);
            if (id_valid_) s.id.assign(t);
        } else {
            status_k_ = k;
            if (k == kind::text) s.status = parse_seat_state(t);
        }
    }
    void on_end_object() {
        at_ = at::list;
        if (id_k_ == kind::absent || id_k_ == kind::null) return fail("id", "missing");
        if (id_k_ != kind::text) return fail("id", "expected string");
        if (!id_valid_) return fail("id", "not a valid id");
        if (status_k_ == kind::absent || status_k_ == kind::null) return fail("status", "missing");
        if (status_k_ != kind::text) return fail("status", "expected string");
    }
    void on_end_array() { at_ = at::done; }

private:
    enum class at : std::uint8_t { root, list, item, done };
    std::vector<seat_status>& out_;
    at at_ = at::root;
    kind id_k_ = kind::absent, status_k_ = kind::absent;
    bool id_valid_ = false;
};

class plan_handler : public handler_base<plan_handler> {
public:
    plan_handler(plan& root, int cap) : handler_base(cap), root_(root) { frames_.reserve(max_area_depth + 2); }
    static void prepare(plan&, std::size_t) {}

    bool on_start_object() {
        switch (at_) {
            case at::root: return push_area(root_, 0), true;
            case at::areas_list: {
                int depth = frames_.back().depth + 1;
                if (depth > max_area_depth) return fail("areas", "nested too deeply"), true;
                auto& children = frames_.back().a->children;
                return push_area(children.emplace_back(), depth), true;
            }
            case at::seats_list:
                at_ = at::seat;
                for (auto* sl : {&seat_.id, &seat_.name, &seat_.row, &seat_.number, &seat_.x, &seat_.y, &seat_.price_band,
                                 &seat_.band})
                    sl->reset();
                return true;
            case at::areas_value: return fail("areas", "expected array"), true;
            case at::seats_value: return fail("seats", "expected array"), true;
            case at::area:
            case at::seat:
            case at::done: return true;  // unreachable: a key or the end of input comes first
        }
        return true;
    }
    bool on_start_array() {
        if (at_ == at::areas_value) at_ = at::areas_list;
        else if (at_ == at::seats_value) at_ = at::seats_list;
        else not_expected();
        return true;
    }
    void on_scalar(kind k) {
        // A null list reads as no list, as find() does in the DOM decoder.
        if ((at_ == at::areas_value || at_ == at::seats_value) && k == kind::null) {
            at_ = at::area;
            return;
        }
        not_expected();
    }
    void on_key(std::string_view k) {
        if (at_ == at::seat) return seat_key(k);
        auto& f = frames_.back();
        if (k == "id") capture(f.id);
        else if (k == "name") capture(f.name);
        else if (k == "type") capture(f.type);
        else if (k == "capacity") capture(f.capacity);
        else if (k == "priceBand") capture(f.price_band);
        else if (k == "band") capture(f.band);
        else if (k == "areas" && !f.areas_seen) list_value(f.areas_seen, at::areas_value);
        else if (k == "seats" && !f.seats_seen) list_value(f.seats_seen, at::seats_value);
        else skip_value();
    }
    void on_end_object() {
        if (at_ == at::seat) return end_seat();
        auto& f = frames_.back();
        checked([&] {
            area& a = *f.a;
            a.id = req_id(f.id, "id");
            a.name = opt_text(f.name, "name");
            a.reserved = opt_text(f.type, "type") != "Unreserved";
            a.capacity = opt_int(f.capacity, "capacity");
            a.band_id = band_of(f.price_band, f.band);
        });
        frames_.pop_back();
        at_ = frames_.empty() ? at::done : at::areas_list;
    }
    void on_end_array() { at_ = at::area; }
    void on_value(int, kind, std::string_view) {}  // all its fields are slots

private:
    enum class at : std::uint8_t { root, area, areas_value, areas_list, seats_value, seats_list, seat, done };
    struct frame {
        area* a = nullptr;
        int depth = 0;
        bool areas_seen = false, seats_seen = false;
        slot id, name, type, capacity, price_band, band;
    };

    void push_area(area& a, int depth) {
        auto& f = frames_.emplace_back();
        f.a = &a;
        f.depth = depth;
        at_ = at::area;
    }
    void list_value(bool& seen, at next) {
        seen = true;
        at_ = next;
    }
    void not_expected() {
        switch (at_) {
            case at::root: return fail("areas", "expected object");
            case at::areas_value: return fail("areas", "expected array");
            case at::areas_list:
                if (frames_.back().depth + 1 > max_area_depth) return fail("areas", "nested too deeply");
                return fail("areas", "expected object");
            case at::seats_value: return fail("seats", "expected array");
            case at::seats_list: return fail("seats", "expected object");
            default: return fail("areas", "unexpected value");  // unreachable
        }
    }
    void seat_key(std::string_view k) {
        if (k == "id") capture(seat_.id);
        else if (k == "name") capture(seat_.name);
        else if (k == "row") capture(seat_.row);
        else if (k == "number") capture(seat_.number);
        else if (k == "x") capture(seat_.x);
        else if (k == "y") capture(seat_.y);
        else if (k == "priceBand") capture(seat_.price_band);
        else if (k == "band") capture(seat_.band);
        else skip_value();
    }
    void end_seat() {
        at_ = at::seats_list;
        checked([&] {
            seat s;
            s.id = req_id(seat_.id, "id");
            s.name = opt_text(seat_.name, "name");
            s.row = opt_text(seat_.row, "row");
            s.number = opt_int(seat_.number, "number");
            s.x = opt_int(seat_.x, "x");
            s.y = opt_int(seat_.y, "y");
            s.band_id = band_of(seat_.price_band, seat_.band);
            frames_.back().a->seats.push_back(std::move(s));
        });
    }

    struct seat_slots {
        slot id, name, row, number, x, y, price_band, band;
    };

    plan& root_;
    std::vector<frame> frames_;
    seat_slots seat_;
    at at_ = at::root;
};

bool all_ascii(std::string_view s) {
    std::uint64_t acc = 0;
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        acc |= w;
    }
    for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
    return (acc & 0x8080808080808080ULL) == 0;
}

// As the DOM decoder reads a body: a memory stream whose UTF-8 wrapper skips a byte-order mark
// and counts offsets from the first byte.
template <unsigned Flags, class H>
rj::ParseResult parse(std::string_view json, H& h) {
    rj::MemoryStream ms(json.data(), json.size());
    rj::EncodedInputStream<rj::UTF8<>, rj::MemoryStream> is(ms);
    rj::Reader reader;
    return reader.Parse<Flags>(is, h);
}

template <unsigned Flags, class H>
rj::ParseResult parse_checked(std::string_view json, H& h, bool ascii) {
    if (ascii) return parse<Flags>(json, h);
    return parse<Flags | rj::kParseValidateEncodingFlag>(json, h);
}

// Decodes `json` into a T with handler H; every failure names the entity and, for a field
// error, the field.
template <class T, class H>
result<T> stream_decode(std::string_view json, const char* what) {
    const bool ascii = all_ascii(json);
    T value{};
    rj::ParseResult pr;
    std::optional<decode_error> field_error;
    H::prepare(value, json.size());
    {
        H h(value, recursion_cap);
        pr = parse_checked<base_flags>(json, h, ascii);
        if (h.too_deep()) {
            value = T{};
            H::prepare(value, json.size());
            H again(value, 0);
            pr = parse_checked<base_flags | rj::kParseIterativeFlag>(json, again, ascii);
            if (again.failed()) field_error = again.error();
        } else if (h.failed()) {
            field_error = h.error();
        }
    }
    if (pr.IsError()) {
        return failure{error_class::decode, 0, 0,
                       std::string("decode ") + what + ": invalid JSON at offset " + std::to_string(pr.Offset()) + ": " +
                           rj::GetParseError_En(pr.Code())};
    }
    if (field_error) {
        return failure{error_class::decode, 0, 0,
                       std::string("decode ") + what + ": field '" + field_error->field + "': " + field_error->what};
    }
    return value;
}

}  // namespace

result<std::vector<seat_status>> decode_seat_statuses(std::string_view json) {
    return stream_decode<std::vector<seat_status>, seat_status_handler>(json, "seat status");
}

result<plan> decode_plan(std::string_view json) { return stream_decode<plan, plan_handler>(json, "plan"); }

}  // namespace agentd::upstream::codec
