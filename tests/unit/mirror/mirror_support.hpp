// Helpers for the mirror unit tests: a fresh database in a temp dir and small upstream
// fixtures. Single-threaded use.
#pragma once

#include "agentd/mirror/write.hpp"
#include "agentd/store/database.hpp"
#include "agentd/upstream/types.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_database.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace agentd::mirror_test {

struct fixture {
    test::temp_dir dir;
    std::string path = test::database_for(dir.file("mirror.db"));  // or a PostgreSQL schema (unit_mirror_pg)
    std::unique_ptr<store::database> db = open();

    std::unique_ptr<store::database> open() {
        store::database_options o;
        o.path = path;
        auto d = store::database::open(o);
        REQUIRE_MESSAGE(d.has_value(), (d.has_value() ? "" : d.error().message));
        return std::move(*d);
    }
};

// Writes an availability poll of `instance` of client "venue" in the job of `t`: its counts
// (null: unchanged) and the seats given, with the poll's sync state.
inline result<mirror::availability_outcome> put_availability(store::write_txn& t, const std::string& instance,
                                                             const upstream::instance_status* status, sys_time now,
                                                             std::vector<store::mirror_seat_status_input> seats = {}) {
    mirror::availability_input in;
    in.instance = instance;
    in.status = status;
    in.seats = std::move(seats);
    in.state.resource = "avail:" + instance;
    in.state.last_success = mirror::to_ms(now);
    return mirror::apply_availability(t, "venue", in, now);
}

inline upstream::event make_event(std::string id, std::string name = "Show") {
    upstream::event e;
    e.id = std::move(id);
    e.name = std::move(name);
    e.first_instance_local = "2030-01-01T19:30:00";
    e.last_instance_local = "2030-01-02T19:30:00";
    e.is_on_sale = true;
    return e;
}

inline upstream::instance make_instance(std::string id, std::string event, sys_time start) {
    upstream::instance i;
    i.id = std::move(id);
    i.event_id = std::move(event);
    i.plan_id = "P1";
    i.price_list_id = "L1";
    i.start_local = "2030-01-01T19:30:00";
    i.start_utc = start;
    i.is_on_sale = true;
    return i;
}

}  // namespace agentd::mirror_test
