#include "agentd/mirror/jobs.hpp"

#include "agentd/store/mirror_store.hpp"

namespace agentd::mirror {

write_job<client_snapshot> load_client(std::string client, std::string account, std::vector<std::string> logins) {
    return [client = std::move(client), account = std::move(account),
            logins = std::move(logins)](store::write_txn& t) -> result<client_snapshot> {
        if (auto p = store::mirror_put_client(t, client, account, logins); !p) return p.error();
        client_snapshot out;
        auto clients = store::mirror_clients(t.conn());
        if (!clients) return clients.error();
        for (const auto& c : *clients)
            if (c.name == client) out.seat_status = c.seat_status;
        auto states = store::mirror_sync_states(t.conn(), client);
        if (!states) return states.error();
        out.states = std::move(*states);
        auto inst = store::mirror_instances(t.conn(), client, std::nullopt, std::nullopt, std::nullopt);
        if (!inst) return inst.error();
        out.instances = std::move(*inst);
        return out;
    };
}

write_job<bool> record_sync_state(std::string client, store::mirror_sync_state_row row) {
    return [client = std::move(client), row = std::move(row)](store::write_txn& t) -> result<bool> {
        if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
        return true;
    };
}

write_job<write_outcome> write_events(std::string client, std::vector<upstream::event> events, domain::diff_settings ds,
                                      sys_time now) {
    return [client = std::move(client), list = std::move(events), ds, now](store::write_txn& t) {
        return apply_events(t, client, list, ds, now);
    };
}

write_job<instances_outcome> write_instances(std::string client, std::vector<upstream::instance> instances,
                                             std::set<std::string> listed, domain::diff_settings ds, sys_time now) {
    return [client = std::move(client), list = std::move(instances), listed = std::move(listed), ds,
            now](store::write_txn& t) { return apply_instances(t, client, list, listed, ds, now); };
}

write_job<write_outcome> write_price_list(std::string client, upstream::price_list p, store::mirror_sync_state_row row,
                                          sys_time now) {
    return [client = std::move(client), p = std::move(p), row = std::move(row), now](store::write_txn& t)
               -> result<write_outcome> {
        auto out = apply_price_list(t, client, p, now);
        if (!out) return out;
        if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
        return out;
    };
}

write_job<write_outcome> write_plan(std::string client, upstream::plan p, store::mirror_sync_state_row row, sys_time now) {
    return [client = std::move(client), p = std::move(p), row = std::move(row), now](store::write_txn& t)
               -> result<write_outcome> {
        auto out = apply_plan(t, client, p, now);
        if (!out) return out;
        if (auto r = store::mirror_put_sync_state(t, client, row); !r) return r.error();
        return out;
    };
}

write_job<bool> write_seat_status_capability(std::string client, bool offered) {
    return [client = std::move(client), offered](store::write_txn& t) -> result<bool> {
        if (auto r = store::mirror_set_seat_status_capability(t, client, offered); !r) return r.error();
        return true;
    };
}

write_job<availability_outcome> write_availability(std::string client, std::string instance,
                                                   std::optional<upstream::instance_status> status,
                                                   std::vector<store::mirror_seat_status_input> seats,
                                                   store::mirror_sync_state_row row, sys_time now) {
    return [client = std::move(client), id = std::move(instance), status = std::move(status), seats = std::move(seats),
            row = std::move(row), now](store::write_txn& t) -> result<availability_outcome> {
        availability_input in;
        in.instance = id;
        in.status = status ? &*status : nullptr;
        in.seats = seats;
        in.state = row;
        return apply_availability(t, client, in, now);
    };
}

}  // namespace agentd::mirror
