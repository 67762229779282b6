// Settings from TOML and flags (see config.hpp).
#include "sim/config.hpp"

#include <toml++/toml.h>

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
  --help                   this text

Prints one JSON line on stdout when ready: base_url, control_url, clients and their accounts.
)";
}

result<fault_rule> fault_from_fields(std::string_view client, std::string_view endpoint, const fault_spec& base) {
    fault_rule r;
    r.client = client.empty() ? "*" : std::string(client);
    r.endpoint = endpoint.empty() ? "*" : std::string(endpoint);
    r.spec = base;
    for (double p : {base.p429, base.p500, base.p503, base.reset, base.truncate, base.malformed, base.commit_drop})
        if (p < 0 || p > 1) return fail(errc::invalid_argument, "set fault: probabilities must be within 0..1");
    if (base.latency_ms < 0 || base.latency_jitter_ms < 0 || base.latency_ms > 600000)
        return fail(errc::invalid_argument, "set fault: latency out of range");
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
    if (auto v = t["threads"].value<std::int64_t>()) s.threads = int(*v);
    if (auto arr = t["clients_config"].as_array()) {
        for (auto& node : *arr) {
            auto* ct = node.as_table();
            if (!ct) return bad("clients_config");
            client_override co;
            co.name = (*ct)["name"].value_or(std::string{});
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
            fault_spec f;
            auto num = [&](const char* k, double& out) {
                if (auto v = (*ft)[k].value<double>()) out = *v;
            };
            num("latency_ms", f.latency_ms), num("latency_jitter_ms", f.latency_jitter_ms), num("p429", f.p429),
                num("p500", f.p500), num("p503", f.p503), num("reset", f.reset), num("truncate", f.truncate),
                num("malformed", f.malformed), num("commit_drop", f.commit_drop);
            auto r = fault_from_fields((*ft)["client"].value_or(std::string("*")), (*ft)["endpoint"].value_or(std::string("*")), f);
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
