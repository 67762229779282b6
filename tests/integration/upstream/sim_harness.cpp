#include "tests/integration/upstream/sim_harness.hpp"

#include "agentd/net/url.hpp"

#include <boost/asio/co_spawn.hpp>
#include <rapidjson/document.h>

namespace agentd::test {

sim_instance start_sim(const temp_dir& pki, const std::string& cert, std::vector<std::string> extra) {
    sim_instance s;
    std::vector<std::string> argv{bin_dir() + "/agentd-sim", "--seed", "7", "--listen", "127.0.0.1:0",
                                  "--tls-cert", pki.file(cert + ".pem"), "--tls-key", pki.file(cert + ".key")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    static int started = 0;
    s.proc = std::make_unique<child_process>(argv, pki.file("sim-" + std::to_string(++started) + ".stderr"));
    auto line = s.proc->read_line(std::chrono::seconds(20));
    REQUIRE(line.has_value());
    rapidjson::Document d;
    d.Parse(line->c_str());
    REQUIRE(d.IsObject());
    REQUIRE(d.HasMember("base_url"));
    s.base_url = d["base_url"].GetString();
    s.control_url = d["control_url"].GetString();
    const auto& c = d["clients"][0];
    s.client = c["name"].GetString();
    s.login = c["accounts"][0]["login"].GetString();
    s.secret = c["accounts"][0]["secret"].GetString();
    return s;
}

sim_session::sim_session(const sim_instance& sim, const std::string& ca_file,
                         std::function<void(upstream::client_settings&)> tweak) {
    upstream::client_settings s;
    s.base_url = sim.base_url;
    s.client_name = sim.client;
    s.ca_file = ca_file;
    s.requests_per_minute = 540;  // under the simulator's default 10/s per account
    s.burst = 10;
    s.backoff.base = std::chrono::milliseconds(5);
    s.backoff.cap = std::chrono::milliseconds(50);
    if (tweak) tweak(s);
    auto c = upstream::client_context::make(ioc.get_executor(), s);
    REQUIRE(c.has_value());
    ctx = std::move(*c);
    auto cl = upstream::make_spektrix_client(*ctx, {sim.login, secret{sim.secret}});
    REQUIRE(cl.has_value());
    client = std::move(*cl);

    auto u = net::parse_url(sim.control_url);
    REQUIRE(u.has_value());
    control_prefix = u->path;
    net::http_client_options o;
    o.origin = *u;
    o.ca_file = ca_file;
    auto h = net::http_client::make(ioc.get_executor(), o);
    REQUIRE(h.has_value());
    control = std::move(*h);
}

boost::asio::awaitable<std::string> sim_session::control_call(std::string method, std::string what, std::string body) {
    net::http_request r{method, control_prefix + "/" + what, {{"Content-Type", "application/json"}}, std::move(body), false};
    auto res = co_await control->send(r, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    if (!res || res->status != 200) co_return std::string();
    co_return res->body;
}

}  // namespace agentd::test
