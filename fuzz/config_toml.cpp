// Fuzz target: the configuration loader (config/config.hpp load_string), TOML text to
// `settings`, and the settings dump of an accepted file. Properties: no crash, no exception;
// a refusal is a config_error with a message.
//
// Secret files named by the input resolve against the working directory, and credentials
// against $CREDENTIALS_DIRECTORY: LLVMFuzzerInitialize moves both into a fresh private
// directory holding the two secrets the seed corpus names, so accepted files are reachable and
// nothing outside that directory is read by relative name.
#include "agentd/config/config.hpp"
#include "agentd/config/options.hpp"
#include "fuzz/fuzz_check.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

std::string g_dir;

void remove_dir() {
    ::unlink((g_dir + "/royalcourt-main.key").c_str());
    ::unlink((g_dir + "/royalcourt-backup").c_str());
    ::rmdir(g_dir.c_str());
}

void write_private(const std::string& path, std::string_view text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    agentd::fuzz::check(fd >= 0, "config setup", "cannot create " + path);
    agentd::fuzz::check(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()), "config setup", path);
    ::close(fd);
}

// libFuzzer reads its arguments only after this returns. Before the chdir, relative paths among
// them (corpus directories, inputs, artifact prefix, dictionary) are made absolute, and crash
// files default to the starting directory rather than the private one.
void absolute_args(int* argc, char*** argv) {
    static std::vector<std::string> args;
    static std::vector<char*> ptrs;
    std::string cwd = std::filesystem::current_path().string() + "/";
    auto absolute = [&](std::string p) { return p.empty() || p[0] == '/' ? p : cwd + p; };
    bool has_prefix = false;
    for (int i = 0; i < *argc; ++i) {
        std::string a = (*argv)[i];
        if (i > 0 && !a.empty() && a[0] != '-') {
            a = absolute(a);
        } else {
            for (std::string flag : {"-artifact_prefix=", "-exact_artifact_path=", "-dict="}) {
                if (a.rfind(flag, 0) != 0) continue;
                a = flag + absolute(a.substr(flag.size()));
                has_prefix = has_prefix || flag == "-artifact_prefix=";
            }
        }
        args.push_back(a);
    }
    if (!has_prefix) args.push_back("-artifact_prefix=" + cwd);
    for (auto& a : args) ptrs.push_back(a.data());
    ptrs.push_back(nullptr);
    *argc = static_cast<int>(args.size());
    *argv = ptrs.data();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    absolute_args(argc, argv);
    std::string dir = (std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + std::string("/agentd-fuzz-config-XXXXXX");
    agentd::fuzz::check(::mkdtemp(dir.data()) != nullptr, "config setup", "mkdtemp failed");
    agentd::fuzz::check(::chdir(dir.c_str()) == 0, "config setup", "chdir failed");
    ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
    g_dir = dir;
    std::atexit(remove_dir);
    write_private("royalcourt-main.key", "c2VjcmV0LWtleS1mb3ItZnV6emluZy0wMDAx\n");
    write_private("royalcourt-backup", "YW5vdGhlci1zZWNyZXQta2V5LWZvci1mdXp6\n");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace agentd;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // The duration and size forms are small grammars of their own: what parses must format back
    // to text that parses to the same value.
    if (size <= 64) {
        if (auto d = config::parse_duration(text)) {
            auto again = config::parse_duration(config::format_duration(*d));
            fuzz::check(again && *again == *d, "duration", config::format_duration(*d));
        }
        if (auto b = config::parse_size(text)) {
            auto again = config::parse_size(config::format_size(*b));
            fuzz::check(again && *again == *b, "size", config::format_size(*b));
        }
    }
    auto r = config::load_string(text, "fuzz.toml");
    if (!r) {
        fuzz::check(r.error().code == errc::config_error, "config", "refusal is not a config_error: " + r.error().message);
        fuzz::check(!r.error().message.empty(), "config", "config_error without a message");
        return 0;
    }
    auto dump = config::to_string(*r);
    fuzz::check(!dump.empty(), "config", "empty settings dump");
    return 0;
}
