// tests/support/process: start a built binary as a child process for integration and e2e
// tests, read its stdout line by line with a deadline, signal it, and reap it. Not thread-safe:
// one test thread owns one child.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace agentd::test {

// Directory of built binaries (AGENTD_BIN_DIR from CTest; falls back to ./bin).
std::string bin_dir();
std::string source_dir();

class child_process {
public:
    // argv[0] is a path; stdout is piped to us, stderr goes to `stderr_path` if given
    // (else inherited, so failures are visible in ctest output).
    child_process(std::vector<std::string> argv, std::string stderr_path = {},
                  std::vector<std::string> extra_env = {});
    ~child_process();  // SIGKILL + reap if still running
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    int pid() const noexcept { return pid_; }
    // Next full stdout line, or nullopt at EOF or when the deadline passes.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    void signal(int sig);
    // Waits for exit; returns the exit status (128+signal when killed), or nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

private:
    int pid_ = -1;
    int out_fd_ = -1;
    std::string buffer_;
    std::optional<int> status_;
};

class temp_dir {
public:
    temp_dir();  // short path under /tmp so Unix socket paths stay under 108 bytes
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const std::string& path() const noexcept { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Polls `pred` until it returns true or `timeout` passes; returns pred's last value.
template <class Pred>
bool wait_until(Pred pred, std::chrono::milliseconds timeout, std::chrono::milliseconds poll = std::chrono::milliseconds(10));

void write_file(const std::string& path, const std::string& content, int mode = 0644);
std::string read_file(const std::string& path);

}  // namespace agentd::test

#include <thread>

template <class Pred>
bool agentd::test::wait_until(Pred pred, std::chrono::milliseconds timeout, std::chrono::milliseconds poll) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return pred();
        std::this_thread::sleep_for(poll);  // polling interval of a condition wait with a deadline
    }
}
