#include "tests/support/test_database.hpp"
#include "tests/support/harness.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace agentd::test {
namespace {

const rapidjson::Value* find_path(const rapidjson::Value& root, const std::string& path) {
    const rapidjson::Value* v = &root;
    std::size_t pos = 0;
    while (pos < path.size()) {
        auto dot = path.find('.', pos);
        std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
        pos = dot == std::string::npos ? path.size() : dot + 1;
        if (v->IsArray()) {
            char* end = nullptr;
            unsigned long idx = std::strtoul(part.c_str(), &end, 10);
            if (*end || idx >= v->Size()) return nullptr;
            v = &(*v)[rapidjson::SizeType(idx)];
        } else if (v->IsObject()) {
            auto it = v->FindMember(part.c_str());
            if (it == v->MemberEnd()) return nullptr;
            v = &it->value;
        } else {
            return nullptr;
        }
    }
    return v;
}

std::optional<http_answer> exchange(int fd, const std::string& request, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t sent = 0;
    while (sent < request.size()) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return std::nullopt;
        sent += std::size_t(n);
    }
    std::string data;
    char buf[16384];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, int(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return std::nullopt;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data.append(buf, std::size_t(n));
    }
    auto hdr_end = data.find("\r\n\r\n");
    if (hdr_end == std::string::npos || data.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    http_answer a;
    a.status = std::atoi(data.c_str() + 9);
    a.headers = data.substr(0, hdr_end);
    std::string body = data.substr(hdr_end + 4);
    // De-chunk if needed.
    std::string lower = a.headers;
    for (auto& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower.find("transfer-encoding: chunked") != std::string::npos) {
        std::string out;
        std::size_t pos = 0;
        for (;;) {
            auto eol = body.find("\r\n", pos);
            if (eol == std::string::npos) break;
            std::size_t len = std::strtoul(body.c_str() + pos, nullptr, 16);
            if (len == 0) break;
            out.append(body, eol + 2, len);
            pos = eol + 2 + len + 2;
        }
        body = out;
    }
    a.body = body;
    return a;
}

std::string build_request(const std::string& method, const std::string& host, const std::string& target,
                          const std::string& body, const std::vector<std::string>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    return req;
}

}  // namespace

sim_process start_sim(const temp_dir& dir, std::vector<std::string> args) {
    std::vector<std::string> argv{bin_dir() + "/agentd-sim", "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    sim_process s;
    s.proc = std::make_unique<child_process>(argv, dir.file("sim.log"));
    auto line = s.proc->read_line(std::chrono::seconds(30));
    if (!line) throw std::runtime_error("agentd-sim did not print its ready line; see " + dir.file("sim.log"));
    s.ready_line = *line;
    rapidjson::Document d;
    d.Parse(line->c_str());
    if (d.HasParseError() || !d.IsObject()) throw std::runtime_error("agentd-sim ready line is not JSON: " + *line);
    s.base_url = d["base_url"].GetString();
    s.control_url = d["control_url"].GetString();
    for (const auto& c : d["clients"].GetArray()) {
        sim_client_info ci;
        ci.name = c["name"].GetString();
        for (const auto& a : c["accounts"].GetArray()) ci.accounts.push_back({a["login"].GetString(), a["secret"].GetString()});
        s.clients.push_back(std::move(ci));
    }
    return s;
}

std::string write_daemon_config(const temp_dir& dir, const sim_process& sim, const daemon_config_options& o) {
    std::string t;
    t += "[daemon]\nsocket_path = \"" + dir.file("agentd.sock") + "\"\ndatabase = \"" + database_for(dir.file("agentd.db")) +
         "\"\nlog_level = \"info\"\ndrain_timeout = \"5s\"\n" + o.daemon_extra + "\n";
    t += "[sync]\ncatalogue_days_ahead = 150\ntier_24h = \"1s\"\ntier_7d = \"2s\"\ntier_30d = \"5s\"\ntier_later = \"10s\"\n" +
         o.sync_extra + "\n";
    t += "[reservations]\n" + o.reservations_extra + "\n";
    int n = 0;
    for (const auto& c : sim.clients) {
        t += "[[client]]\nname = \"" + c.name + "\"\nbase_url = \"" + sim.base_url + "\"\n" +
             (sim.base_url.starts_with("http://") ? "allow_insecure_http = true\n" : "") +
             "requests_per_minute = " + std::to_string(o.requests_per_minute) + "\n\n";
        int i = 0;
        for (const auto& a : c.accounts) {
            std::string secret_path = dir.file("secret-" + std::to_string(n++));
            write_file(secret_path, a.secret + "\n", 0600);
            t += "[[client.account]]\nname = \"agent" + std::to_string(++i) + "\"\nlogin = \"" + a.login +
                 "\"\nsecret_file = \"" + secret_path + "\"\n\n";
        }
    }
    t += "[[channel]]\nname = \"" + o.channel + "\"\nuid = " + std::to_string(::getuid()) + "\nrole = \"" + o.role + "\"\n" +
         o.channel_extra + "\n";
    t += o.extra;
    std::string path = dir.file("agentd.toml");
    write_file(path, t, 0600);
    return path;
}

std::unique_ptr<child_process> start_daemon(const temp_dir& dir, const std::string& config,
                                            std::vector<std::string> extra_env) {
    return std::make_unique<child_process>(std::vector<std::string>{bin_dir() + "/agentd", "--config", config},
                                           dir.file("agentd.log"), std::move(extra_env));
}

std::optional<http_answer> uds_request(const std::string& socket_path, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       std::vector<std::string> headers, std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    auto a = exchange(fd, build_request(method, "agentd", target, body, headers), timeout);
    ::close(fd);
    return a;
}

std::optional<http_answer> tcp_request(const std::string& base_url, const std::string& method, const std::string& target,
                                       const std::string& body, std::chrono::milliseconds timeout) {
    // base_url: http://127.0.0.1:PORT[/...]
    auto hostport = base_url.substr(7);
    auto slash = hostport.find('/');
    std::string prefix;
    if (slash != std::string::npos) {
        prefix = hostport.substr(slash);
        hostport = hostport.substr(0, slash);
    }
    auto colon = hostport.rfind(':');
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(std::uint16_t(std::atoi(hostport.c_str() + colon + 1)));
    ::inet_pton(AF_INET, hostport.substr(0, colon).c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    auto a = exchange(fd, build_request(method, hostport, prefix + target, body, {}), timeout);
    ::close(fd);
    return a;
}

bool wait_for_daemon(const std::string& socket_path, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            auto a = uds_request(socket_path, "GET", "/v1/health", {}, {}, std::chrono::seconds(2));
            return a && a->status == 200;
        },
        timeout, std::chrono::milliseconds(20));
}

std::optional<std::string> json_get(const std::string& json, const std::string& dotted_path) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    if (d.HasParseError()) return std::nullopt;
    const rapidjson::Value* v = dotted_path.empty() ? &d : find_path(d, dotted_path);
    if (!v) return std::nullopt;
    if (v->IsString()) return std::string(v->GetString(), v->GetStringLength());
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v->Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

int json_array_size(const std::string& json, const std::string& dotted_path) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    if (d.HasParseError()) return -1;
    const rapidjson::Value* v = dotted_path.empty() ? &d : find_path(d, dotted_path);
    if (!v || !v->IsArray()) return -1;
    return int(v->Size());
}

std::optional<sellable> sellable_instance(const std::string& socket_path, const std::string& client) {
    auto a = uds_request(socket_path, "GET", "/v1/clients/" + client + "/instances");
    if (!a || a->status != 200) return std::nullopt;
    const int n = json_array_size(a->body, "instances");
    for (int i = 0; i < n; ++i) {
        auto row = "instances." + std::to_string(i);
        if (json_get(a->body, row + ".onSale") != "true" || json_get(a->body, row + ".cancelled") != "false") continue;
        auto id = *json_get(a->body, row + ".id");
        auto detail = uds_request(socket_path, "GET", "/v1/clients/" + client + "/instances/" + id);
        auto tt = detail ? json_get(detail->body, "prices.0.ticketType") : std::nullopt;
        return tt ? std::optional<sellable>(sellable{id, *tt}) : std::nullopt;
    }
    return std::nullopt;
}

sellable wait_sellable(const std::string& socket_path, const std::string& client, std::chrono::milliseconds timeout) {
    std::optional<sellable> sale;
    if (!wait_until([&] { return (sale = sellable_instance(socket_path, client)).has_value(); }, timeout,
                    std::chrono::milliseconds(50)))
        throw std::runtime_error("no sellable instance of " + client + " in the mirror within " +
                                 std::to_string(timeout.count()) + " ms");
    return *sale;
}

}  // namespace agentd::test
