#include "agentd/domain/reservation_request.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace agentd;
using namespace agentd::domain;
using std::chrono::hours;

namespace {

const sys_time t0 = sys_time{} + hours(24 * 365 * 56);

struct map_catalogue final : catalogue_view {
    std::map<std::pair<std::string, std::string>, instance_facts> instances;
    const instance_facts* find_instance(std::string_view client, std::string_view instance) const override {
        auto it = instances.find({std::string(client), std::string(instance)});
        return it == instances.end() ? nullptr : &it->second;
    }
};

map_catalogue catalogue() {
    map_catalogue c;
    instance_facts f;
    f.start = t0 + hours(48);
    f.ticket_types = {"TT1", "TT2"};
    f.price_bands = {"PB1"};
    f.areas = {"STALLS"};
    f.seats = {"S1", "S2", "S3"};
    c.instances[{"royalcourt", "I1"}] = f;
    return c;
}

reservation_request seats(std::vector<seat_request> t) { return {"royalcourt", "I1", std::move(t), std::nullopt}; }
reservation_request best(int q, std::string tt = "TT1", std::string band = "", std::string area = "") {
    return {"royalcourt", "I1", {}, best_available_request{q, std::move(tt), std::move(band), std::move(area)}};
}

void check_invalid(const result<void>& r, std::string_view field) {
    REQUIRE(r.has_error());
    CHECK(r.error().code == errc::invalid_argument);
    CHECK_MESSAGE(r.error().message.find(field) != std::string::npos, r.error().message);
}

}  // namespace

TEST_CASE("request shape") {
    request_limits lim{4};
    SUBCASE("either form alone is fine") {
        CHECK(validate_shape(seats({{"S1", "TT1"}, {"S2", "TT1"}}), lim).has_value());
        CHECK(validate_shape(best(2), lim).has_value());
        CHECK(validate_shape(best(2, "TT1", "PB1"), lim).has_value());
        CHECK(validate_shape(best(2, "TT1", "", "STALLS"), lim).has_value());
    }
    SUBCASE("both or neither is refused") {
        auto both = seats({{"S1", "TT1"}});
        both.best_available = best_available_request{1, "TT1", "", ""};
        check_invalid(validate_shape(both, lim), "not both");
        check_invalid(validate_shape(seats({}), lim), "tickets");
    }
    SUBCASE("quantity bounds") {
        check_invalid(validate_shape(best(0), lim), "bestAvailable.quantity");
        check_invalid(validate_shape(best(5), lim), "bestAvailable.quantity");
        CHECK(validate_shape(best(4), lim).has_value());
        check_invalid(validate_shape(seats({{"S1", "T"}, {"S2", "T"}, {"S3", "T"}, {"S4", "T"}, {"S5", "T"}}), lim),
                      "at most 4");
    }
    SUBCASE("duplicates, bad ids, band and area together") {
        check_invalid(validate_shape(seats({{"S1", "TT1"}, {"S1", "TT2"}}), lim), "tickets[1].seat: duplicate");
        check_invalid(validate_shape(seats({{"S 1", "TT1"}}), lim), "tickets[0].seat");
        check_invalid(validate_shape(seats({{"S1", ""}}), lim), "tickets[0].ticketType");
        check_invalid(validate_shape(best(1, "TT1", "PB1", "STALLS"), lim), "priceBand or area");
        auto r = best(1);
        r.client = "";
        check_invalid(validate_shape(r, lim), "client");
        r = best(1);
        r.instance = "../x";
        check_invalid(validate_shape(r, lim), "instance");
    }
}

TEST_CASE("request against the catalogue") {
    auto cat = catalogue();
    request_limits lim{};
    SUBCASE("known seats and types pass; availability is not consulted") {
        CHECK(validate_request(seats({{"S1", "TT1"}, {"S3", "TT2"}}), lim, cat, t0).has_value());
        CHECK(validate_request(best(2, "TT2", "PB1"), lim, cat, t0).has_value());
    }
    SUBCASE("unknown instance is not_found") {
        auto r = best(1);
        r.instance = "I9";
        auto v = validate_request(r, lim, cat, t0);
        REQUIRE(v.has_error());
        CHECK(v.error().code == errc::not_found);
    }
    SUBCASE("cancelled, not on sale, started are conflicts") {
        cat.instances[{"royalcourt", "I1"}].cancelled = true;
        CHECK(validate_request(best(1), lim, cat, t0).error().code == errc::conflict);
        cat.instances[{"royalcourt", "I1"}].cancelled = false;
        cat.instances[{"royalcourt", "I1"}].on_sale_to_agents = false;
        CHECK(validate_request(best(1), lim, cat, t0).error().message.find("not on sale") != std::string::npos);
        cat.instances[{"royalcourt", "I1"}].on_sale_to_agents = true;
        CHECK(validate_request(best(1), lim, cat, t0 + hours(48)).error().code == errc::conflict);
    }
    SUBCASE("unknown ticket type, band, area, seat name the field") {
        check_invalid(validate_request(best(1, "TT9"), lim, cat, t0), "bestAvailable.ticketType");
        check_invalid(validate_request(best(1, "TT1", "PB9"), lim, cat, t0), "bestAvailable.priceBand");
        check_invalid(validate_request(best(1, "TT1", "", "CIRCLE"), lim, cat, t0), "bestAvailable.area");
        check_invalid(validate_request(seats({{"S1", "TT1"}, {"S9", "TT1"}}), lim, cat, t0), "tickets[1].seat");
        check_invalid(validate_request(seats({{"S1", "TT7"}}), lim, cat, t0), "tickets[0].ticketType");
    }
    SUBCASE("shape errors come before catalogue lookups") {
        check_invalid(validate_request(best(0), lim, cat, t0), "quantity");
    }
}

TEST_CASE("idempotency: canonical request and comparison") {
    auto a = seats({{"S1", "TT1"}, {"S2", "TT2"}});
    auto b = seats({{"S2", "TT2"}, {"S1", "TT1"}});
    SUBCASE("seat order does not matter") {
        CHECK(canonical_request(a) == canonical_request(b));
        CHECK(request_hash(a) == request_hash(b));
        CHECK(compare_requests(a, b).has_value());
    }
    SUBCASE("any difference is a conflict and changes the hash") {
        auto c = seats({{"S1", "TT1"}, {"S2", "TT1"}});
        CHECK(request_hash(a) != request_hash(c));
        auto cmp = compare_requests(a, c);
        REQUIRE(cmp.has_error());
        CHECK(cmp.error().code == errc::conflict);
        CHECK(cmp.error().message == "reuse idempotency key: request differs (tickets)");
        CHECK(compare_requests(best(2), best(3)).error().message.find("bestAvailable") != std::string::npos);
        CHECK(compare_requests(best(2), a).error().message.find("form") != std::string::npos);
        auto other = best(2);
        other.instance = "I2";
        CHECK(compare_requests(best(2), other).error().message.find("instance") != std::string::npos);
        CHECK(request_hash(best(2)) != request_hash(other));
        CHECK(request_hash(best(2, "TT1", "PB1")) != request_hash(best(2, "TT1", "", "PB1")));
    }
    SUBCASE("field boundaries cannot be forged") {
        reservation_request x{"ab", "c", {}, best_available_request{1, "T", "", ""}};
        reservation_request y{"a", "bc", {}, best_available_request{1, "T", "", ""}};
        CHECK(canonical_request(x) != canonical_request(y));
    }
    SUBCASE("the hash is stable across runs") {
        // Stored next to idempotency keys: a changed value would break retries after upgrade.
        CHECK(request_hash(best(2, "TT1", "PB1")) == request_hash(best(2, "TT1", "PB1")));
        CHECK(canonical_request(best(2, "TT1", "PB1")) == "c10:royalcourt;i2:I1;bq1:2;bt3:TT1;bp3:PB1;ba0:;");
    }
}

TEST_CASE("idempotency by stored hash") {
    auto a = best(2, "TT1", "PB1");
    CHECK(compare_request_hash(request_hash(a), best(2, "TT1", "PB1")).has_value());
    auto d = compare_request_hash(request_hash(a), best(3, "TT1", "PB1"));
    REQUIRE(d.has_error());
    CHECK(d.error().code == errc::conflict);
}
