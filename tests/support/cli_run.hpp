// tests/support/cli_run: runs the built agentctl binary as a child process and collects its
// exit code, stdout and stderr. Header-only. Not thread-safe: one test thread.
#pragma once

#include "tests/support/process.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

namespace agentd::test {

struct ctl_result {
    int code = -1;
    std::string out, err;
    bool has(const std::string& s) const { return out.find(s) != std::string::npos; }
    bool err_has(const std::string& s) const { return err.find(s) != std::string::npos; }
};

// A started agentctl whose output is collected by `finish`.
class ctl_process {
public:
    ctl_process(std::vector<std::string> args, std::vector<std::string> prefix = {}) {
        std::vector<std::string> argv = std::move(prefix);
        argv.push_back(bin_dir() + "/agentctl");
        argv.insert(argv.end(), args.begin(), args.end());
        err_path_ = dir_.file("stderr");
        p_ = std::make_unique<child_process>(argv, err_path_, std::vector<std::string>{"NO_COLOR=1"});
    }
    ctl_result finish(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        ctl_result r;
        while (auto l = p_->read_line(timeout)) r.out += *l + "\n";
        auto st = p_->wait(timeout);
        REQUIRE_MESSAGE(st.has_value(), "agentctl did not exit");
        r.code = *st;
        r.err = read_file(err_path_);
        return r;
    }

private:
    temp_dir dir_;
    std::string err_path_;
    std::unique_ptr<child_process> p_;
};

inline ctl_result agentctl(std::vector<std::string> args, std::vector<std::string> prefix = {}) {
    return ctl_process(std::move(args), std::move(prefix)).finish();
}

}  // namespace agentd::test
