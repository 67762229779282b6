// Who may see which feed event: own reservations, public inventory, everything else admin-only.
#include "agentd/control/feed_scope.hpp"

#include "agentd/api/json.hpp"

#include <doctest/doctest.h>

using namespace agentd;
using namespace agentd::control;

TEST_CASE("feed scope: a sales channel sees its own reservations and inventory; unknown kinds stay with admins") {
    caller web{"web", role::sales, {1001, 1001, 1}};
    caller shop{"shop", role::sales, {1002, 1002, 1}};
    caller ops{"ops", role::admin, {0, 0, 1}};
    api::feed_event mine{1, "reservation", R"({"id":"r_1","channel":"web","state":"held","version":2})"};
    api::feed_event inventory{2, "availability", api::to_json(api::feed_availability{"rc", "I1", 3, 1})};
    api::feed_event refusal{3, "sync", api::to_json(api::feed_sync{"rc", "instance", "x"})};
    api::feed_event future{4, "basket", R"({"id":"B-1"})"};
    api::feed_event unreadable{5, "reservation", R"({"id":"r_2","state":"held"})"};  // no channel
    api::feed_event broken{6, "reservation", "not json"};

    CHECK(visible_to(scope_of(mine), web));
    CHECK_FALSE(visible_to(scope_of(mine), shop));
    CHECK(visible_to(scope_of(mine), ops));
    for (auto* e : {&inventory})
        for (auto* c : {&web, &shop, &ops}) CHECK(visible_to(scope_of(*e), *c));
    for (auto* e : {&refusal, &future, &unreadable, &broken}) {
        INFO(e->kind << " " << e->data);
        CHECK_FALSE(visible_to(scope_of(*e), web));
        CHECK_FALSE(visible_to(scope_of(*e), shop));
        CHECK(visible_to(scope_of(*e), ops));
    }
}
