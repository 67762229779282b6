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
#include "agentd/upstream/sax_detail.hpp"

#include <algorithm>
#include <vector>

namespace agentd::upstream::codec {
namespace {

using namespace sax;
constexpr int max_area_depth = 16;

// The hot one: each seat is decoded in place at the back of the list as its values arrive, the
// id copied once; only the facts the DOM decoder checks are kept, and checked in its order
// (id, then status) when the object closes.
class seat_status_handler : public handler_base<seat_status_handler> {
public:
    seat_status_handler(std::vector<seat_status>& out, int cap, std::string_view lock_field = "lockTypeId")
        : handler_base(cap), out_(out), lock_field_(lock_field), reads_lock_(lock_field != "id" && lock_field != "status") {}
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
        id_k_ = status_k_ = lock_k_ = kind::absent;
        id_valid_ = false;
        out_.emplace_back();
        return true;
    }
    void on_scalar(kind) { fail("seats", at_ == at::list ? "expected object" : "expected array"); }
    void on_key(std::string_view k) {
        if (k == "id" && id_k_ == kind::absent) direct(0);
        else if (k == "status" && status_k_ == kind::absent) direct(1);
        else if (reads_lock_ && k == lock_field_ && lock_k_ == kind::absent) direct(2);
        else skip_value();
    }
    void on_value(int field, kind k, std::string_view t) {
        auto& s = out_.back();
        if (field == 0) {
            id_k_ = k;
            id_valid_ = k == kind::text && valid_upstream_id(t);
            if (id_valid_) s.id.assign(t);
        } else if (field == 1) {
            status_k_ = k;
            if (k == kind::text) s.status = parse_seat_state(t);
        } else {
            lock_k_ = k;
            if (k == kind::text && valid_upstream_id(t)) s.lock_type.assign(t);
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
    std::string_view lock_field_;
    bool reads_lock_;  // a lock field named like id or status reads nothing, as in the DOM decoder
    kind id_k_ = kind::absent, status_k_ = kind::absent, lock_k_ = kind::absent;
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

}  // namespace

result<std::vector<seat_status>> decode_seat_statuses(std::string_view json, std::string_view lock_field) {
    return stream_decode<std::vector<seat_status>, seat_status_handler>(json, "seat status", lock_field);
}

result<plan> decode_plan(std::string_view json) { return stream_decode<plan, plan_handler>(json, "plan"); }

}  // namespace agentd::upstream::codec
