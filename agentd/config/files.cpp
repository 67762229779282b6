#include "agentd/config/files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace agentd::config::detail {
namespace {

std::string mode_text(mode_t m) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(m & 07777));
    return mode;
}

// The service user of the shipped unit (systemd/agentd.sysusers), when this system has one.
std::optional<uid_t> service_uid() {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16 * 1024);
    if (::getpwnam_r("agentd", &pw, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
    return found->pw_uid;
}

// Any other local user (a sales channel among them) could rewrite a file it owns.
result<void> check_owner(const struct stat& st, const std::string& path, const std::string& what) {
    const uid_t self = ::geteuid();
    if (st.st_uid == 0 || st.st_uid == self || st.st_uid == service_uid()) return {};
    return fail(errc::config_error, path + ": " + what + " is owned by uid " + std::to_string(st.st_uid) +
                                        ", not by root, the user running agentd (uid " + std::to_string(self) +
                                        ") or the service user agentd; refusing it (chown it to root or agentd)");
}

}  // namespace

result<secret> read_secret(const std::string& path, const std::string& what) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(errc::config_error, what + ": cannot open " + path + ": " + std::strerror(errno));
    struct closer { int fd; ~closer() { ::close(fd); } } guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(errc::config_error, what + ": cannot stat " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return fail(errc::config_error, what + ": " + path + " is not a regular file");
    if (auto r = check_owner(st, path, "secret file"); !r) return fail(errc::config_error, what + ": " + r.error().message);
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return fail(errc::config_error, what + ": secret file " + path + " has mode " + mode_text(st.st_mode) +
                                            ", readable by group or others; refusing it (chmod 600 " + path + ")");
    if (st.st_size > 64 * 1024) return fail(errc::config_error, what + ": secret file " + path + " is larger than 64KiB");
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        auto n = ::read(fd, data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(errc::config_error, what + ": cannot read " + path + ": " + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    auto first = data.find_first_not_of(" \t\r\n");
    auto last = data.find_last_not_of(" \t\r\n");
    if (first == std::string::npos) return fail(errc::config_error, what + ": secret file " + path + " is empty");
    return secret(data.substr(first, last - first + 1));
}

result<std::string> read_config_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return fail(errc::config_error, path + ": cannot open configuration: " + std::strerror(errno));
    struct closer { int fd; ~closer() { ::close(fd); } } guard{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return fail(errc::config_error, path + ": cannot stat configuration: " + std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return fail(errc::config_error, path + ": configuration is not a regular file");
    if (auto r = check_owner(st, path, "configuration file"); !r) return r.error();
    // Whoever may write the configuration chooses the upstream, the secret files and the
    // channels' roles: only its owner may.
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return fail(errc::config_error, path + ": configuration file has mode " + mode_text(st.st_mode) +
                                            ", writable by group or others; refusing it (chmod go-w " + path + ")");
    if (st.st_size > 4 * 1024 * 1024) return fail(errc::config_error, path + ": configuration is larger than 4MiB");
    std::string text;
    char buf[16 * 1024];
    for (;;) {
        auto n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail(errc::config_error, path + ": cannot read configuration: " + std::strerror(errno));
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
        if (text.size() > 4 * 1024 * 1024) return fail(errc::config_error, path + ": configuration is larger than 4MiB");
    }
    return text;
}

}  // namespace agentd::config::detail
