// Test client for agentd-sim (see sim_client.hpp).
#include "tests/support/sim_client.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <ctime>
#include <stdexcept>

namespace sim_test {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string b64(const unsigned char* p, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, int(n));
    out.resize(std::size_t(len));
    return out;
}

std::string unb64(const std::string& s) {
    std::string out(s.size(), '\0');
    int len = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()), int(s.size()));
    if (len < 0) throw std::runtime_error("bad base64 secret");
    std::size_t pad = (s.size() > 0 && s.back() == '=') + (s.size() > 1 && s[s.size() - 2] == '=');
    out.resize(std::size_t(len) - pad);
    return out;
}

}  // namespace

std::string http_date_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

std::string sign_request(const std::string& method, const std::string& url, const std::string& date,
                         const std::string& body, const std::string& secret_b64) {
    std::string sts = method + "\n" + url + "\n" + date;
    if (method != "GET") {
        unsigned char md[16];
        unsigned int n = 0;
        EVP_Digest(body.data(), body.size(), md, &n, EVP_md5(), nullptr);
        sts += "\n" + b64(md, n);
    }
    auto key = unb64(secret_b64);
    unsigned char mac[20];
    unsigned int mlen = 0;
    HMAC(EVP_sha1(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(sts.data()), sts.size(), mac, &mlen);
    return b64(mac, mlen);
}

struct sim_client::conn {
    asio::io_context ioc;
    std::optional<asio::ssl::context> ctx;
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    std::string host;
    std::string port;
    bool https = false;
    beast::flat_buffer buf;

    void close() {
        plain.reset();
        tls.reset();
        buf.clear();
    }
    void open() {
        tcp::resolver res(ioc);
        auto eps = res.resolve(host, port);
        buf.clear();
        if (https) {
            tls.emplace(ioc, *ctx);
            beast::get_lowest_layer(*tls).expires_after(std::chrono::seconds(10));
            beast::get_lowest_layer(*tls).connect(eps);
            SSL_set_tlsext_host_name(tls->native_handle(), host.c_str());
            tls->handshake(asio::ssl::stream_base::client);
        } else {
            plain.emplace(ioc);
            plain->expires_after(std::chrono::seconds(10));
            plain->connect(eps);
        }
    }
    template <class F>
    auto with(F f) {
        if (https) return f(*tls);
        return f(*plain);
    }
};

sim_client::sim_client(std::string base_url, std::string client, account acc, std::string ca_file)
    : base_(std::move(base_url)), client_(std::move(client)), ca_(std::move(ca_file)), acc_(std::move(acc)),
      conn_(std::make_unique<conn>()) {
    api_root_ = base_ + "/" + client_ + "/api/v3/";
    auto rest = base_.substr(base_.find("://") + 3);
    conn_->https = base_.rfind("https", 0) == 0;
    conn_->host = rest.substr(0, rest.rfind(':'));
    conn_->port = rest.substr(rest.rfind(':') + 1);
    if (conn_->https) {
        conn_->ctx.emplace(asio::ssl::context::tls_client);
        conn_->ctx->load_verify_file(ca_);
        conn_->ctx->set_verify_mode(asio::ssl::verify_peer);
    }
}

sim_client::~sim_client() = default;
sim_client::sim_client(sim_client&&) noexcept = default;
sim_client& sim_client::operator=(sim_client&&) noexcept = default;

reply sim_client::call(const std::string& method, const std::string& path, const std::string& body) {
    auto url = api_root_ + path;
    auto date = http_date_now();
    auto sig = sign_request(method, url, date, body, acc_.secret);
    auto target = url.substr(base_.size());
    return raw(method, target, body, {{"Date", date}, {"Authorization", "SpektrixAPI3 " + acc_.login + ":" + sig}});
}

reply sim_client::raw(const std::string& method, const std::string& target, const std::string& body,
                      const std::vector<std::pair<std::string, std::string>>& headers) {
    reply out;
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            bool fresh = !conn_->plain && !conn_->tls;
            if (fresh) conn_->open();
            http::request<http::string_body> req;
            req.method_string(method);
            req.target(target);
            req.version(11);
            req.set(http::field::host, conn_->host + ":" + conn_->port);
            for (auto& [k, v] : headers) req.set(k, v);
            if (method != "GET") {
                req.set(http::field::content_type, "application/json");
                req.body() = body;
                req.prepare_payload();
            }
            http::response_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            boost::system::error_code ec;
            conn_->with([&](auto& s) {
                beast::get_lowest_layer(s).expires_after(std::chrono::seconds(20));
                http::write(s, req, ec);
                if (!ec) http::read(s, conn_->buf, parser, ec);
                return 0;
            });
            if (ec) {
                conn_->close();
                // A stale keep-alive connection closed by the server: retry a GET once on a fresh one
                // (never a write: the first attempt may have been applied).
                if (!fresh && attempt == 0 && method == "GET") continue;
                out.error = ec.message();
                return out;
            }
            auto& res = parser.get();
            out.status = int(res.result_int());
            out.body = res.body();
            for (auto& f : res) out.headers[std::string(f.name_string())] = std::string(f.value());
            if (!res.keep_alive()) conn_->close();
            return out;
        } catch (const std::exception& e) {
            conn_->close();
            out.error = e.what();
            if (attempt == 1) return out;
        }
    }
    return out;
}

sim_process::sim_process(std::vector<std::string> flags, bool add_listen) {
    std::vector<std::string> argv{agentd::test::bin_dir() + "/agentd-sim"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    if (add_listen) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
    proc_ = std::make_unique<agentd::test::child_process>(argv);
    auto line = proc_->read_line(std::chrono::seconds(60));
    if (!line) throw std::runtime_error("agentd-sim printed no ready line");
    ready_line = *line;
    rapidjson::Document d;
    d.Parse(line->c_str());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("base_url")) throw std::runtime_error("bad ready line: " + *line);
    base_url = d["base_url"].GetString();
    for (auto& c : d["clients"].GetArray()) {
        std::vector<account> accs;
        for (auto& a : c["accounts"].GetArray()) accs.push_back({a["login"].GetString(), a["secret"].GetString()});
        clients.emplace_back(c["name"].GetString(), std::move(accs));
    }
}

sim_client sim_process::client(std::size_t ci, std::size_t ai, std::string ca) const {
    return sim_client(base_url, clients.at(ci).first, clients.at(ci).second.at(ai), ca.empty() ? this->ca : std::move(ca));
}

reply sim_process::control(const std::string& method, const std::string& what, const std::string& body) const {
    sim_client c(base_url, clients.at(0).first, clients.at(0).second.at(0), ca);
    return c.raw(method, "/_sim/" + what, body);
}

}  // namespace sim_test
