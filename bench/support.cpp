#include "bench/support.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bench {

double micros_since(clock_type::time_point t0) {
    return std::chrono::duration<double, std::micro>(clock_type::now() - t0).count();
}
double seconds_since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto idx = static_cast<std::size_t>(std::ceil(p * double(v.size()))) ;
    if (idx > 0) --idx;
    return v[std::min(idx, v.size() - 1)];
}

http_conn http_conn::unix_socket(std::string path) {
    http_conn c;
    c.unix_ = true;
    c.path_ = std::move(path);
    c.host_ = "agentd";
    return c;
}

http_conn http_conn::tcp(std::string base_url) {
    http_conn c;
    c.unix_ = false;
    auto hp = base_url.substr(base_url.find("//") + 2);
    if (auto slash = hp.find('/'); slash != std::string::npos) hp.resize(slash);
    auto colon = hp.rfind(':');
    c.host_ = hp.substr(0, colon);
    c.port_ = std::atoi(hp.c_str() + colon + 1);
    return c;
}

http_conn::http_conn(http_conn&& o) noexcept
    : unix_(o.unix_), path_(std::move(o.path_)), host_(std::move(o.host_)), port_(o.port_), fd_(o.fd_), buf_(std::move(o.buf_)) {
    o.fd_ = -1;
}

http_conn::~http_conn() {
    if (fd_ >= 0) ::close(fd_);
}

bool http_conn::connect_() {
    if (fd_ >= 0) ::close(fd_);
    buf_.clear();
    if (unix_) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            fd_ = -1;
            return false;
        }
        return true;
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(std::uint16_t(port_));
    ::inet_pton(AF_INET, host_.c_str(), &a.sin_addr);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd_);
        fd_ = -1;
        return false;
    }
    return true;
}

std::optional<reply> http_conn::request(const std::string& method, const std::string& target, const std::string& body,
                                        const std::vector<std::string>& headers) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
    for (const auto& h : headers) req += h + "\r\n";
    if (!body.empty() || method == "POST") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (fd_ < 0 && !connect_()) return std::nullopt;
        std::size_t sent = 0;
        bool broken = false;
        while (sent < req.size()) {
            ssize_t n = ::send(fd_, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                broken = true;
                break;
            }
            sent += std::size_t(n);
        }
        char tmp[65536];
        std::size_t hdr_end = std::string::npos;
        while (!broken && (hdr_end = buf_.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) broken = true;
            else buf_.append(tmp, std::size_t(n));
        }
        if (broken) {
            ::close(fd_);
            fd_ = -1;
            if (sent == 0 || buf_.empty()) continue;  // closed idle connection: retry once
            return std::nullopt;
        }
        reply r;
        r.status = std::atoi(buf_.c_str() + 9);
        std::string head = buf_.substr(0, hdr_end);
        for (auto& ch : head) ch = char(std::tolower(static_cast<unsigned char>(ch)));
        std::size_t len = 0;
        if (auto p = head.find("content-length:"); p != std::string::npos) len = std::strtoul(head.c_str() + p + 15, nullptr, 10);
        bool close_after = head.find("connection: close") != std::string::npos;
        std::size_t need = hdr_end + 4 + len;
        while (buf_.size() < need) {
            ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(fd_);
                fd_ = -1;
                return std::nullopt;
            }
            buf_.append(tmp, std::size_t(n));
        }
        r.body = buf_.substr(hdr_end + 4, len);
        buf_.erase(0, need);
        if (close_after) {
            ::close(fd_);
            fd_ = -1;
        }
        return r;
    }
    return std::nullopt;
}

std::optional<double> metric(const std::string& text, const std::string& prefix, bool sum) {
    std::istringstream in(text);
    std::string line;
    std::optional<double> out;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line.compare(0, prefix.size(), prefix) != 0) continue;
        auto sp = line.rfind(' ');
        double v = std::strtod(line.c_str() + sp + 1, nullptr);
        if (!sum) return v;
        out = out.value_or(0) + v;
    }
    return out;
}

summary summarize(const std::vector<double>& v) {
    if (v.empty()) return {};
    return {percentile(v, 0.5), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

double ratio_of(const figure& f) {
    if (f.baseline.empty()) return 0;
    double a = f.p99_target ? summarize(f.p99).median : summarize(f.value).median;
    double b = summarize(f.baseline).median;
    return b == 0 ? 0 : a / b;
}

std::string verdict(const figure& f) {
    if (f.informative || f.value.empty()) return "-";
    double x = f.ratio_target && !f.baseline.empty() ? ratio_of(f) : (f.p99_target ? summarize(f.p99).median : summarize(f.value).median);
    bool ok = f.higher_is_better ? x >= f.target : x <= f.target;
    return ok ? "met" : "MISSED";
}

namespace {
std::string num(double v) {
    char b[64];
    if (v != 0 && std::fabs(v) < 10) std::snprintf(b, sizeof b, "%.2f", v);
    else std::snprintf(b, sizeof b, "%.0f", v);
    return b;
}
}  // namespace

int print_table(const std::vector<figure>& figs) {
    int missed = 0;
    std::printf("\n| figure | unit | agentd median (min–max) | agentd p99 | baseline median (min–max) | ratio | target | verdict |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (const auto& f : figs) {
        auto s = summarize(f.value);
        std::string val = f.value.empty() ? "not measured" : num(s.median) + " (" + num(s.min) + "–" + num(s.max) + ")";
        std::string p99 = f.p99.empty() ? "" : num(summarize(f.p99).median);
        std::string base = "—";
        if (!f.baseline.empty()) {
            auto b = summarize(f.baseline);
            base = num(b.median) + " (" + num(b.min) + "–" + num(b.max) + ") " + f.baseline_name;
        }
        std::string ratio = f.baseline.empty() ? "" : num(ratio_of(f));
        auto v = verdict(f);
        if (v == "MISSED") ++missed;
        std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", f.name.c_str(), f.unit.c_str(), val.c_str(), p99.c_str(),
                    base.c_str(), ratio.c_str(), f.target_text.c_str(), v.c_str());
    }
    for (const auto& f : figs)
        if (!f.note.empty()) std::printf("- %s: %s\n", f.name.c_str(), f.note.c_str());
    std::fflush(stdout);
    return missed;
}

void write_json(const std::string& path, const std::vector<figure>& figs, bool quick) {
    std::ofstream o(path);
    auto arr = [&](const std::vector<double>& v) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + num(v[i]);
        return s + "]";
    };
    auto esc = [](const std::string& s) {
        std::string r;
        for (char c : s) {
            if (c == '"' || c == '\\') r += '\\';
            r += c;
        }
        return r;
    };
    o << "{\"quick\":" << (quick ? "true" : "false") << ",\"figures\":[\n";
    for (std::size_t i = 0; i < figs.size(); ++i) {
        const auto& f = figs[i];
        o << "{\"name\":\"" << esc(f.name) << "\",\"unit\":\"" << esc(f.unit) << "\",\"values\":" << arr(f.value)
          << ",\"p99\":" << arr(f.p99) << ",\"baseline\":" << arr(f.baseline) << ",\"baselineName\":\"" << esc(f.baseline_name)
          << "\",\"ratio\":" << num(ratio_of(f)) << ",\"target\":\"" << esc(f.target_text) << "\",\"verdict\":\"" << verdict(f)
          << "\",\"note\":\"" << esc(f.note) << "\"}" << (i + 1 < figs.size() ? ",\n" : "\n");
    }
    o << "]}\n";
}

}  // namespace bench
