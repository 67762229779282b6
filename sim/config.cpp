// Settings from TOML and flags (see config.hpp).
#include "sim/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <sstream>

namespace agentd::sim {
namespace {

bool to_double(std::string_view v, double& out) {
    try {
        std::size_t used = 0;
        out = std::stod(std::string(v), &used);
        return used == v.size() && out >= 0;
    } catch (...) {
        return false;
    }
}

bool to_bool(std::string_view v, bool& out) {
    if (v == "on" || v == "true" || v == "1") out = true;
    else if (v == "off" || v == "false" || v == "0") out = false;
    else return false;
    return true;
}

}  // namespace

std::string usage() {
    return R"(agentd-sim: Spektrix Agency API simulator

  --seed N                 world seed (default 1)
  --size tiny|small|venue300|large   world size (default small)
  --clients N              override the number of clients of the size
  --listen HOST:PORT       address to listen on (default 127.0.0.1:8780; port 0 = any free port)
  --config FILE            TOML settings (conf/sim.toml.example); flags win over the file
  --tls-cert FILE --tls-key FILE     serve HTTPS with this certificate chain and key
  --time-scale X           run the simulator clock X times faster (basket expiry)
  --basket-ttl SECONDS     basket lifetime (default 1200, sliding)
  --public-sales-rate R    competing public seat operations per second per client (0 = off)
  --rate R --burst B       token bucket per agent account (default 10/s, 20)
  --seat-status on|off     serve GET instances/{id}/status/seats (default on)
  --threads N              network threads (default 2)
  --agent-discount PCT     agentDiscount of every ticket, % of face value (default 10)
  --agency-locks N         seats per instance locked as the first account's agency allocation (default 0)
  --help                   this text
  --version                print the version and exit

Prints one JSON line on stdout when ready: base_url, control_url, clients and their accounts.
)";
}

namespace {

struct number_field {
    const char* name;
    double fault_spec::*field;
    double max;  // probabilities: 1; durations in ms: ten minutes
};

constexpr double k_max_ms = 600000;
constexpr number_field k_numbers[] = {
    {"latency_ms", &fault_spec::latency_ms, k_max_ms},
    {"latency_jitter_ms", &fault_spec::latency_jitter_ms, k_max_ms},
    {"p429", &fault_spec::p429, 1},
    {"p500", &fault_spec::p500, 1},
    {"p503", &fault_spec::p503, 1},
    {"reset", &fault_spec::reset, 1},
    {"truncate", &fault_spec::truncate, 1},
    {"malformed", &fault_spec::malformed, 1},
    {"commit_drop", &fault_spec::commit_drop, 1},
    {"p500_after_commit", &fault_spec::p500_after_commit, 1},
    {"p503_after_commit", &fault_spec::p503_after_commit, 1},
    {"late_apply", &fault_spec::late_apply, 1},
    {"late_apply_ms", &fault_spec::late_apply_ms, k_max_ms},
    {"late_hold_ms", &fault_spec::late_hold_ms, k_max_ms},
};

constexpr std::string_view k_endpoints[] = {
    "*", "writes", "events", "event", "event_instances", "instance", "price_list", "plan", "status", "area_status",
    "seat_status", "best_available", "create_basket", "get_basket", "patch_basket", "add_tickets", "add_best_available",
    "remove_tickets", "clear_basket", "confirm", "order", "unknown", "unknown_client",
};

}  // namespace

std::vector<std::pair<std::string, double>> fault_numbers(const fault_spec& f) {
    std::vector<std::pair<std::string, double>> out;
    for (auto& n : k_numbers) out.emplace_back(n.name, f.*n.field);
    return out;
}

result<fault_rule> fault_from_fields(const fault_fields& fields) {
    fault_rule r;
    auto bad = [](const std::string& key, std::string_view why) {
        return fail(errc::invalid_argument, "set fault: " + key.substr(0, 64) + " " + std::string(why));
    };
    for (auto& [key, v] : fields) {
        if (key == "client" || key == "endpoint") {
            if (!v.is_string) return bad(key, "must be a string");
            auto& dst = key == "client" ? r.client : r.endpoint;
            dst = v.text.empty() ? "*" : v.text;
            continue;
        }
        if (key == "late_mode") {
            if (!v.is_string || (v.text != "504" && v.text != "hold")) return bad(key, "must be \"504\" or \"hold\"");
            r.spec.late = v.text == "hold" ? late_mode::hold : late_mode::gateway_504;
            continue;
        }
        if (key == "nth") {
            if (!v.is_integer || v.integer < 1) return bad(key, "must be an integer >= 1");
            r.nth = std::uint64_t(v.integer);
            continue;
        }
        if (key == "persist") {
            if (!v.is_bool) return bad(key, "must be true or false");
            r.persist = v.boolean;
            continue;
        }
        auto n = std::find_if(std::begin(k_numbers), std::end(k_numbers), [&](auto& f) { return key == f.name; });
        if (n == std::end(k_numbers)) return bad(key, "is not a fault field (see sim/README.md)");
        if (!v.is_number) return bad(key, "must be a number");
        if (!(v.number >= 0 && v.number <= n->max))
            return bad(key, n->max == 1 ? "is a probability: 0..1" : "is in milliseconds: 0..600000");
        r.spec.*n->field = v.number;
    }
    if (std::find(std::begin(k_endpoints), std::end(k_endpoints), r.endpoint) == std::end(k_endpoints))
        return bad(r.endpoint, "is not an endpoint key (see sim/README.md)");
    if (r.persist && r.nth == 0) return bad(std::string("persist"), "needs nth");
    return r;
}

result<void> apply_toml(settings& s, const std::string& path) {
    toml::table t;
    try {
        t = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        std::ostringstream os;
        os << "read config " << path << ": " << e.description() << " at line " << e.source().begin.line;
        return fail(errc::config_error, os.str());
    }
    auto bad = [&](std::string_view key) { return fail(errc::config_error, "read config " + path + ": bad value for " + std::string(key)); };
    if (auto v = t["seed"].value<std::int64_t>()) s.seed = std::uint64_t(*v);
    if (auto v = t["size"].value<std::string>())
        if (!parse_size(*v, s.size)) return bad("size");
    if (auto v = t["clients"].value<std::int64_t>()) s.clients = int(*v);
    if (auto v = t["listen"].value<std::string>()) s.listen = *v;
    if (auto v = t["tls_cert"].value<std::string>()) s.tls_cert = *v;
    if (auto v = t["tls_key"].value<std::string>()) s.tls_key = *v;
    if (auto v = t["time_scale"].value<double>()) s.time_scale = *v;
    if (auto v = t["public_sales_rate"].value<double>()) s.public_sales_rate = *v;
    if (auto v = t["rate"].value<double>()) s.rate = *v;
    if (auto v = t["burst"].value<double>()) s.burst = *v;
    if (auto v = t["seat_status_endpoint"].value<bool>()) s.seat_status = *v;
    if (auto v = t["basket_ttl"].value<double>()) s.basket_ttl = *v;
    if (auto v = t["ttl_mode"].value<std::string>()) {
        if (*v != "sliding" && *v != "absolute") return bad("ttl_mode");
        s.ttl_sliding = *v == "sliding";
    }
    if (auto v = t["confirm_again"].value<std::string>()) {
        if (*v != "conflict" && *v != "not_found") return bad("confirm_again");
        s.confirm_again_conflict = *v == "conflict";
    }
    if (auto v = t["accept_empty_body_hash"].value<bool>()) s.accept_empty_body_hash = *v;
    if (auto v = t["clock_skew_seconds"].value<std::int64_t>()) s.skew_seconds = int(*v);
    if (auto v = t["max_body_bytes"].value<std::int64_t>()) s.max_body = std::size_t(*v);
    if (auto v = t["initial_locks"].value<bool>()) s.initial_locks = *v;
    if (auto v = t["agency_lock_seats"].value<std::int64_t>()) {
        if (*v < 0 || *v > 10000) return bad("agency_lock_seats (0..10000)");
        s.agency_lock_seats = std::uint32_t(*v);
    }
    if (auto v = t["agency_lock_accounts"].value<std::int64_t>()) {
        if (*v < 1 || *v > 64) return bad("agency_lock_accounts (1..64)");
        s.agency_lock_accounts = std::uint32_t(*v);
    }
    if (auto v = t["threads"].value<std::int64_t>()) s.threads = int(*v);
    if (auto v = t["agent_discount_percent"].value<double>()) {
        if (!(*v >= 0 && *v <= 100)) return bad("agent_discount_percent (0..100)");
        s.agent_discount_percent = *v;
    }
    if (auto arr = t["clients_config"].as_array()) {
        for (auto& node : *arr) {
            auto* ct = node.as_table();
            if (!ct) return bad("clients_config");
            client_override co;
            co.name = (*ct)["name"].value_or(std::string{});
            if (auto v = (*ct)["agent_discount_percent"].value<double>()) {
                if (!(*v >= 0 && *v <= 100)) return bad("clients_config.agent_discount_percent (0..100)");
                co.agent_discount_percent = *v;
            }
            if (auto* accs = (*ct)["accounts"].as_array())
                for (auto& an : *accs) {
                    auto* at = an.as_table();
                    if (!at) return bad("clients_config.accounts");
                    account_override ao{(*at)["login"].value_or(std::string{}), (*at)["secret"].value_or(std::string{})};
                    bool ok = false;
                    base64_decode(ao.secret, ok);
                    if (ao.login.empty() || !ok) return bad("clients_config.accounts (login and base64 secret)");
                    co.accounts.push_back(std::move(ao));
                }
            s.client_overrides.push_back(std::move(co));
        }
    }
    if (auto arr = t["faults"].as_array()) {
        for (auto& node : *arr) {
            auto* ft = node.as_table();
            if (!ft) return bad("faults");
            fault_fields fields;
            for (auto& [k, field] : *ft) {
                fault_value v;
                if (auto d = field.value<double>()) v.is_number = true, v.number = *d;
                if (auto i = field.as_integer()) v.is_integer = true, v.integer = i->get();
                if (auto b = field.as_boolean()) v.is_bool = true, v.boolean = b->get();
                if (auto t = field.as_string()) v.is_string = true, v.text = t->get();
                fields.emplace_back(std::string(k.str()), std::move(v));
            }
            auto r = fault_from_fields(fields);
            if (!r) return fail(errc::config_error, "read config " + path + ": " + r.error().message);
            s.faults.push_back(*r);
        }
    }
    return {};
}

result<settings> parse_command_line(int argc, const char* const* argv, bool& help) {
    settings s;
    help = false;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::string_view(argv[i]) == "--config") {
            auto r = apply_toml(s, argv[i + 1]);
            if (!r) return r.error();
        }
    for (int i = 1; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (flag == "--help" || flag == "-h") {
            help = true;
            return s;
        }
        if (i + 1 >= argc) return fail(errc::invalid_argument, "parse flags: " + std::string(flag) + " needs a value (see --help)");
        std::string_view v = argv[++i];
        auto bad = [&] { return fail(errc::invalid_argument, "parse flags: bad value for " + std::string(flag)); };
        double d = 0;
        if (flag == "--config") continue;
        else if (flag == "--seed") {
            auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s.seed);
            if (ec != std::errc{} || p != v.data() + v.size()) return bad();
        } else if (flag == "--size") {
            if (!parse_size(v, s.size)) return bad();
        } else if (flag == "--clients") {
            if (!to_double(v, d) || d < 1 || d > 1000) return bad();
            s.clients = int(d);
        } else if (flag == "--listen") s.listen = v;
        else if (flag == "--tls-cert") s.tls_cert = v;
        else if (flag == "--tls-key") s.tls_key = v;
        else if (flag == "--time-scale") {
            if (!to_double(v, s.time_scale) || s.time_scale <= 0) return bad();
        } else if (flag == "--basket-ttl") {
            if (!to_double(v, s.basket_ttl) || s.basket_ttl <= 0) return bad();
        } else if (flag == "--public-sales-rate") {
            if (!to_double(v, s.public_sales_rate)) return bad();
        } else if (flag == "--rate") {
            if (!to_double(v, s.rate)) return bad();
        } else if (flag == "--burst") {
            if (!to_double(v, s.burst)) return bad();
        } else if (flag == "--seat-status") {
            if (!to_bool(v, s.seat_status)) return bad();
        } else if (flag == "--agent-discount") {
            if (!to_double(v, s.agent_discount_percent) || !(s.agent_discount_percent >= 0 && s.agent_discount_percent <= 100))
                return bad();
        } else if (flag == "--agency-locks") {
            if (!to_double(v, d) || d < 0 || d > 10000) return bad();
            s.agency_lock_seats = std::uint32_t(d);
        } else if (flag == "--threads") {
            if (!to_double(v, d) || d < 1 || d > 64) return bad();
            s.threads = int(d);
        } else
            return fail(errc::invalid_argument, "parse flags: unknown flag " + std::string(flag) + " (see --help)");
    }
    if (s.tls_cert.empty() != s.tls_key.empty())
        return fail(errc::invalid_argument, "parse flags: --tls-cert and --tls-key go together");
    return s;
}

}  // namespace agentd::sim
