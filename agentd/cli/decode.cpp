// Inside this file a decode failure unwinds as `bad_field` to the one catch in `decode`.
#include "agentd/cli/decode.hpp"

#include "agentd/api/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>

namespace agentd::cli {
namespace {

using value = rapidjson::Value;

struct bad_field {
    error err;
};

[[noreturn]] void bad(const std::string& path, std::string_view what) {
    throw bad_field{error{errc::decode_error, (path.empty() ? std::string("answer") : path) + ": " + std::string(what)}};
}

std::string join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
}

const value& object(const value& v, const std::string& path) {
    if (!v.IsObject()) bad(path, "expected an object");
    return v;
}

const value* member(const value& o, std::string_view name) {
    auto it = o.FindMember(rapidjson::StringRef(name.data(), name.size()));
    if (it == o.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
}

std::optional<std::string> opt_str(const value& o, const std::string& p, std::string_view n) {
    auto* m = member(o, n);
    if (!m) return std::nullopt;
    if (!m->IsString()) bad(join(p, n), "expected a string");
    return std::string(m->GetString(), m->GetStringLength());
}

std::string str(const value& o, const std::string& p, std::string_view n) { return opt_str(o, p, n).value_or(""); }

std::int64_t integer(const value& o, const std::string& p, std::string_view n) {
    auto* m = member(o, n);
    if (!m) return 0;
    if (!m->IsInt64()) bad(join(p, n), "expected an integer");
    return m->GetInt64();
}

std::optional<double> opt_num(const value& o, const std::string& p, std::string_view n) {
    auto* m = member(o, n);
    if (!m) return std::nullopt;
    if (!m->IsNumber()) bad(join(p, n), "expected a number");
    return m->GetDouble();
}

bool boolean(const value& o, const std::string& p, std::string_view n) {
    auto* m = member(o, n);
    if (!m) return false;
    if (!m->IsBool()) bad(join(p, n), "expected a boolean");
    return m->GetBool();
}

void each(const value& o, const std::string& p, std::string_view n, const std::function<void(const value&, const std::string&)>& f) {
    auto* m = member(o, n);
    if (!m) return;
    if (!m->IsArray()) bad(join(p, n), "expected an array");
    for (rapidjson::SizeType i = 0; i < m->Size(); ++i) {
        auto path = join(p, n) + "[" + std::to_string(i) + "]";
        f(object((*m)[i], path), path);
    }
}

template <class T, class F>
result<T> decode(std::string_view text, F f) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError())
        return fail(errc::decode_error, std::string("decode answer: ") + rapidjson::GetParseError_En(doc.GetParseError()));
    try {
        return f(object(doc, ""));
    } catch (const bad_field& b) {
        return b.err;
    }
}

api::client_state read_client(const value& c, const std::string& p) {
    return {str(c, p, "name"), str(c, p, "state"), opt_str(c, p, "lastSuccess"), opt_str(c, p, "lastError"),
            opt_num(c, p, "lagSeconds").value_or(0), opt_num(c, p, "budgetLeft").value_or(0)};
}

}  // namespace

result<std::vector<api::client_state>> decode_clients(std::string_view text) {
    return decode<std::vector<api::client_state>>(text, [](const value& o) {
        std::vector<api::client_state> v;
        each(o, "", "clients", [&](const value& c, const std::string& p) { v.push_back(read_client(c, p)); });
        return v;
    });
}

result<std::vector<api::event>> decode_events(std::string_view text) {
    return decode<std::vector<api::event>>(text, [](const value& o) {
        std::vector<api::event> v;
        each(o, "", "events", [&](const value& e, const std::string& p) {
            v.push_back({str(e, p, "id"), str(e, p, "client"), str(e, p, "name"), str(e, p, "description"),
                         opt_str(e, p, "firstInstance"), opt_str(e, p, "lastInstance"), boolean(e, p, "onSale")});
        });
        return v;
    });
}

result<std::vector<api::instance_summary>> decode_instances(std::string_view text) {
    return decode<std::vector<api::instance_summary>>(text, [](const value& o) {
        std::vector<api::instance_summary> v;
        each(o, "", "instances", [&](const value& i, const std::string& p) {
            v.push_back({str(i, p, "id"), str(i, p, "client"), str(i, p, "event"), str(i, p, "eventName"), str(i, p, "start"),
                         str(i, p, "startUtc"), boolean(i, p, "onSale"), boolean(i, p, "cancelled"), integer(i, p, "available")});
        });
        return v;
    });
}

result<api::instance> decode_instance(std::string_view text) {
    return decode<api::instance>(text, [](const value& o) {
        api::instance i;
        i.id = str(o, "", "id");
        i.client = str(o, "", "client");
        i.event = str(o, "", "event");
        i.event_name = str(o, "", "eventName");
        i.start = str(o, "", "start");
        i.start_utc = str(o, "", "startUtc");
        i.plan = str(o, "", "plan");
        i.on_sale = boolean(o, "", "onSale");
        i.cancelled = boolean(o, "", "cancelled");
        each(o, "", "prices", [&](const value& p, const std::string& path) {
            i.prices.push_back({str(p, path, "priceBand"), str(p, path, "ticketType"), str(p, path, "ticketTypeName"),
                                str(p, path, "price")});
        });
        if (auto* a = member(o, "availability")) {
            object(*a, "availability");
            i.avail.available = integer(*a, "availability", "available");
            i.avail.capacity = integer(*a, "availability", "capacity");
            i.avail.locked = integer(*a, "availability", "locked");
            each(*a, "availability", "areas", [&](const value& r, const std::string& p) {
                i.avail.areas.push_back({str(r, p, "area"), str(r, p, "name"), integer(r, p, "available"), integer(r, p, "capacity")});
            });
        }
        i.availability_age = opt_num(o, "", "availabilityAge").value_or(0);
        i.availability_confirmed_at = str(o, "", "availabilityConfirmedAt");
        return i;
    });
}

result<api::seat_plan> decode_seat_plan(std::string_view text) {
    return decode<api::seat_plan>(text, [](const value& o) {
        api::seat_plan s{str(o, "", "instance"), str(o, "", "plan"), str(o, "", "confirmedAt"), {}};
        each(o, "", "seats", [&](const value& e, const std::string& p) {
            s.seats.push_back({str(e, p, "id"), str(e, p, "name"), str(e, p, "area"), str(e, p, "row"), str(e, p, "priceBand"),
                               str(e, p, "status"), opt_num(e, p, "x"), opt_num(e, p, "y")});
        });
        return s;
    });
}

result<std::vector<api::history_entry>> decode_history(std::string_view text) {
    return decode<std::vector<api::history_entry>>(text, [](const value& o) {
        std::vector<api::history_entry> v;
        each(o, "", "history", [&](const value& h, const std::string& p) {
            v.push_back({integer(h, p, "version"), str(h, p, "state"), str(h, p, "at"), str(h, p, "note")});
        });
        return v;
    });
}

result<api::reconcile_report> decode_reconcile(std::string_view text) {
    return decode<api::reconcile_report>(text, [](const value& o) {
        api::reconcile_report r;
        each(o, "", "confirmUnknown", [&](const value& v, const std::string& p) {
            // Reservations have one decoder, in api/json; hand it the element's own text.
            rapidjson::StringBuffer buf;
            rapidjson::Writer<rapidjson::StringBuffer> w(buf);
            v.Accept(w);
            auto res = api::from_json<api::reservation>(std::string_view(buf.GetString(), buf.GetSize()));
            if (!res) bad(p, res.error().message);
            r.confirm_unknown.push_back(std::move(*res));
        });
        each(o, "", "orphanBaskets", [&](const value& b, const std::string& p) {
            r.orphan_baskets.push_back({str(b, p, "client"), str(b, p, "basket"), str(b, p, "createdAt")});
        });
        for (auto [name, into] : {std::pair{"orderMismatch", &r.order_mismatch}, std::pair{"soldUnread", &r.sold_unread}}) {
            if (!o.HasMember(name)) continue;
            each(o, "", name, [&](const value& v, const std::string& p) {
                rapidjson::StringBuffer buf;
                rapidjson::Writer<rapidjson::StringBuffer> w(buf);
                v.Accept(w);
                auto res = api::from_json<api::reservation>(std::string_view(buf.GetString(), buf.GetSize()));
                if (!res) bad(p, res.error().message);
                into->push_back(std::move(*res));
            });
        }
        return r;
    });
}

result<api::admin_sync_answer> decode_sync_answer(std::string_view text) {
    return decode<api::admin_sync_answer>(text, [](const value& o) {
        return api::admin_sync_answer{boolean(o, "", "accepted"), str(o, "", "message")};
    });
}

}  // namespace agentd::cli
