#include "agentd/cli/context.hpp"

#include "agentd/api/json.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/config/config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ostream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace agentd::cli {
namespace {

// Why a socket cannot be reached, as errno of a fresh connect (0 when it now connects).
int probe_errno(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return ENAMETOOLONG;
    std::memcpy(addr.sun_path, path.data(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    int e = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
    ::close(fd);
    return e;
}

}  // namespace

context::context(parsed_args args, std::ostream& out, std::ostream& err) : args_(std::move(args)), out_(out), err_(err) {}

void context::set_timeout(std::chrono::milliseconds t) {
    timeout_ = t;
    if (client_) client_->set_timeout(t);
}

int context::report(int code, std::string_view message) {
    code_ = code;
    // Messages quote the daemon's errors, which quote upstream and channel text: one line.
    err_ << "agentctl: " << printable(message) << "\n";
    return code;
}

int context::report(const error& e) { return report(exit_for(e.code), e.message); }

std::optional<std::string> context::socket_path() {
    if (socket_) return socket_;
    if (auto s = args_.get("socket")) {
        socket_ = *s;
    } else if (auto cfg = args_.get("config")) {
        auto st = config::load_file(*cfg);
        if (!st) {
            report(exit_config, "load config " + *cfg + ": " + st.error().message);
            return std::nullopt;
        }
        socket_ = st->daemon.socket_path;
    } else if (const char* env = std::getenv("AGENTD_SOCKET"); env && *env) {
        socket_ = env;
    } else {
        socket_ = "/run/agentd/agentd.sock";
    }
    return socket_;
}

std::optional<std::string> context::database_path() {
    if (auto d = args_.get("db")) return d;
    if (auto cfg = args_.get("config")) {
        auto st = config::load_file(*cfg);
        if (!st) {
            report(exit_config, "load config " + *cfg + ": " + st.error().message);
            return std::nullopt;
        }
        return st->daemon.database;
    }
    report(exit_usage, "which database? give --db PATH or --config FILE");
    return std::nullopt;
}

int context::report_unreachable(const std::string& path, const error& e) {
    switch (probe_errno(path)) {
    case ENOENT:
        return report(exit_not_running, "agentd is not running: no socket at " + path +
                                            " (start it with `systemctl start agentd`, or give --socket / --config)");
    case ECONNREFUSED:
        return report(exit_not_running, "agentd is not running: nobody listens on " + path + " (connection refused)");
    case EACCES:
    case EPERM:
        return report(exit_permission, "permission denied on socket " + path +
                                           ": your user needs access (the socket's group, usually `agentd`)");
    case ENOTDIR:
        return report(exit_not_running, "agentd is not running: bad socket path " + path);
    default:
        return report(exit_failure, "cannot reach agentd at " + path + ": " + e.message);
    }
}

std::optional<net::http_reply> context::call(std::string_view method, std::string_view target, std::string_view body,
                                              const net::header_list& headers) {
    auto path = socket_path();
    if (!path) return std::nullopt;
    if (!client_) client_ = std::make_unique<net::uds_client>(*path, timeout_);
    auto r = client_->request(method, target, body, headers);
    if (!r) {
        if (r.error().code == errc::unavailable || r.error().code == errc::invalid_argument) {
            report_unreachable(*path, r.error());
        } else if (r.error().code == errc::timeout) {
            report(exit_failure, "agentd did not answer " + std::string(method) + " " + std::string(target) +
                                     " in time (raise --timeout)");
        } else {
            report(exit_failure, r.error().message);
        }
        return std::nullopt;
    }
    if (r->status >= 200 && r->status < 300) return std::move(*r);
    report_status(*r);
    return std::nullopt;
}

std::string context::error_message(const net::http_reply& r) {
    if (auto e = api::from_json<api::error_body>(r.body)) return e->message.empty() ? e->code : e->message;
    return "HTTP " + std::to_string(r.status);
}

int context::report_status(const net::http_reply& r, std::string_view who) {
    std::string msg = error_message(r);
    int code = exit_for_status(r.status);
    if (code == exit_permission)
        msg = "permission denied: " + msg + " (uid " + std::to_string(::getuid()) +
              " must map to " + std::string(who) + " in agentd's config)";
    else if (code == exit_not_found)
        msg = "not found: " + msg;
    else if (code == exit_conflict)
        msg = "refused: " + msg;
    return report(code, msg);
}

}  // namespace agentd::cli
