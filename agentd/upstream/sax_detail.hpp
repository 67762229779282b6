// upstream/sax_detail: the machinery under the streaming decoders of codec_stream.cpp. Slots
// keep one member value as the RapidJSON reader hands it over (the reader's strings live only
// during its callback); the checks are the DOM decoders' own, with the same messages; the CRTP
// event plumbing skips unknown and repeated keys (the first wins), reads `{id}` references and
// records the first field error while the reader runs on; stream_decode parses recursively up
// to a depth cap and iteratively beyond it. Internal to agentd/upstream.
// Threading: pure; a handler serves one decode on one thread.
#pragma once

#include "agentd/upstream/failure.hpp"
#include "agentd/upstream/ids.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace agentd::upstream::codec::sax {

namespace rj = rapidjson;
constexpr unsigned base_flags = rj::kParseNumbersAsStringsFlag;
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

inline bool present(const slot& s) { return s.k != kind::absent && s.k != kind::null; }

inline std::string_view text_of(kind k, std::string_view t, const char* field) {
    if (k != kind::text) throw decode_error{field, "expected string"};
    return t;
}
inline std::string opt_text(const slot& s, const char* field) {
    return present(s) ? std::string(text_of(s.k, s.text, field)) : std::string();
}
inline std::string id_of(kind k, std::string_view t, const char* field) {
    auto s = text_of(k, t, field);
    if (!valid_upstream_id(s)) throw decode_error{field, "not a valid id"};
    return std::string(s);
}
inline std::string req_id(const slot& s, const char* field) {
    if (!present(s)) throw decode_error{field, "missing"};
    return id_of(s.k, s.text, field);
}
inline std::int64_t opt_int(const slot& s, const char* field) {
    if (!present(s)) return 0;
    if (s.k != kind::text) throw decode_error{field, "expected integer"};
    std::int64_t out = 0;
    auto [p, ec] = std::from_chars(s.text.data(), s.text.data() + s.text.size(), out);
    if (ec == std::errc::result_out_of_range) throw decode_error{field, "integer out of range"};
    if (ec != std::errc() || p != s.text.data() + s.text.size()) throw decode_error{field, "expected integer"};
    return out;
}
inline std::optional<std::string> maybe_ref(const slot& s, const char* field) {
    if (!present(s)) return std::nullopt;
    if (s.k == kind::object) {
        if (s.id_k == kind::absent || s.id_k == kind::null) throw decode_error{"id", "missing"};
        return id_of(s.id_k, s.id_text, "id");
    }
    if (s.k == kind::text) return id_of(s.k, s.text, field);
    throw decode_error{field, "expected {id} or string"};
}
inline std::optional<std::string> band_of(const slot& price_band, const slot& band) {
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

inline bool all_ascii(std::string_view s) {
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
// error, the field. `args` go to the handler's constructor after the depth cap.
template <class T, class H, class... A>
result<T> stream_decode(std::string_view json, const char* what, const A&... args) {
    const bool ascii = all_ascii(json);
    T value{};
    rj::ParseResult pr;
    std::optional<decode_error> field_error;
    H::prepare(value, json.size());
    {
        H h(value, recursion_cap, args...);
        pr = parse_checked<base_flags>(json, h, ascii);
        if (h.too_deep()) {
            value = T{};
            H::prepare(value, json.size());
            H again(value, 0, args...);
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

}  // namespace agentd::upstream::codec::sax
