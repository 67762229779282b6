#include "tests/support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace agentd::test {

std::string bin_dir() {
    const char* d = std::getenv("AGENTD_BIN_DIR");
    return d ? d : "bin";
}

std::string source_dir() {
    const char* d = std::getenv("AGENTD_SOURCE_DIR");
    return d ? d : ".";
}

child_process::child_process(std::vector<std::string> argv, std::string stderr_path, std::vector<std::string> extra_env) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
    for (auto& e : extra_env) env_storage.push_back(e);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(fds[1], 1);
        if (!stderr_path.empty()) {
            int fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd >= 0) ::dup2(fd, 2);
        }
        ::setpgid(0, 0);
        ::execve(args[0], args.data(), envp.data());
        std::fprintf(stderr, "exec %s: %s\n", args[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(fds[1]);
    out_fd_ = fds[0];
}

child_process::~child_process() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
    if (out_fd_ >= 0) ::close(out_fd_);
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || out_fd_ < 0) return std::nullopt;
        pollfd p{out_fd_, POLLIN, 0};
        int r = ::poll(&p, 1, int(left.count()));
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            return std::nullopt;
        }
        char buf[4096];
        ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            ::close(out_fd_);
            out_fd_ = -1;
            return std::nullopt;
        }
        buffer_.append(buf, std::size_t(n));
    }
}

void child_process::signal(int sig) {
    if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

std::optional<int> child_process::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    bool done = wait_until(
        [&] {
            int st = 0;
            pid_t r = ::waitpid(pid_, &st, WNOHANG);
            if (r == pid_) {
                status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                return true;
            }
            return false;
        },
        timeout, std::chrono::milliseconds(5));
    if (!done) return std::nullopt;
    return status_;
}

bool child_process::running() {
    if (status_ || pid_ <= 0) return false;
    int st = 0;
    pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

temp_dir::temp_dir() {
    char tmpl[] = "/tmp/agt.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    if (!std::getenv("AGENTD_KEEP_TEMP")) std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content, int mode) {
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        if (!f) throw std::runtime_error("cannot write " + path);
        f << content;
    }
    ::chmod(path.c_str(), mode_t(mode));
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

}  // namespace agentd::test
