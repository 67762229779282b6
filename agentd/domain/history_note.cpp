#include "agentd/domain/history_note.hpp"

#include "agentd/core/time.hpp"

namespace agentd::domain {
namespace {

using rs = reservation_state;

std::string seats_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " seat" : " seats"); }

// "12:49Z": the hold deadlines are minutes away, the date adds nothing.
std::string clock_text(sys_time t) {
    auto iso = format_iso_utc(t);
    return iso.size() >= 16 ? iso.substr(11, 5) + "Z" : iso;
}

std::string with(std::string head, const std::string& why) { return why.empty() ? head : head + ": " + why; }

}  // namespace

std::string short_id(std::string_view id) {
    if (id.size() <= 4) return std::string(id);
    return std::string(id.substr(0, 4)) + "\xE2\x80\xA6";
}

std::string history_note(const transition_outcome& out) {
    const auto& n = out.next;
    const std::string_view e = out.event;
    if (e == "place") return "placing with Spektrix, attempt " + std::to_string(n.place_attempts);
    if (e == "record basket for") return "basket " + short_id(n.basket_id) + " created";
    if (e == "hold")
        return seats_text(n.seats.size()) + " held" + (n.expires_at ? " until " + clock_text(*n.expires_at) : std::string());
    if (e == "requeue") return with("placing failed, queued again", n.last_error);
    if (e == "reject") return with("rejected", n.reason);
    if (e == "confirm") return "confirm asked" + (n.customer ? ", reference " + n.customer->reference : std::string());
    if (e == "send confirm of") return "order requested from Spektrix";
    if (e == "record order for") {
        std::size_t barcodes = 0;
        for (auto& s : n.seats) barcodes += !s.barcode.empty();
        auto head = n.order_id.empty() ? std::string("sale proven without an order id (") + n.settled_by + ")"
                                       : "order " + short_id(n.order_id) + " confirmed";
        return head + ", " + std::to_string(barcodes) + (barcodes == 1 ? " barcode" : " barcodes") +
               (n.order_mismatch.empty() ? std::string() : "; differs from the hold: " + n.order_mismatch);
    }
    if (e == "mark confirm unknown for") return with("confirm outcome unknown", n.reason);
    if (e == "refuse confirm of") return with("confirm refused, still held", n.last_error);
    if (e == "abandon confirm of") return with("confirm abandoned, releasing", n.reason);
    if (e == "record lost basket of") return with("basket gone upstream", n.reason);
    if (e == "resolve as sold") return with("settled by an operator: sold as order " + n.order_id, n.reason);
    if (e == "resolve as not sold") return with("settled by an operator: not sold, releasing", n.reason);
    if (e == "release") return "release asked, releasing " + seats_text(n.seats.size());
    if (e == "cancel") {
        if (out.to == rs::cancelled) return "cancelled before placing";
        if (out.to == rs::placing) return "cancel asked, runs once the hold lands";
        return "cancel asked, releasing " + seats_text(n.seats.size());
    }
    if (e == "expire") return "hold deadline passed, releasing " + seats_text(n.seats.size());
    if (e == "record release of" || e == "record expiry of")
        return seats_text(n.seats.size()) + (out.to == rs::expired ? " expired" : " released");
    if (e == "draw")
        return seats_text(n.seats.size()) + " drawn from a pool, held until " +
               (n.expires_at ? clock_text(*n.expires_at) : std::string("?"));
    if (e == "clip deadline of")
        return "hold deadline moved to " + (n.expires_at ? clock_text(*n.expires_at) : std::string("?")) +
               ", before a do-not-transact window";
    if (e == "extend") return "hold extended until " + (n.expires_at ? clock_text(*n.expires_at) : std::string("?"));
    return std::string(e);
}

}  // namespace agentd::domain
