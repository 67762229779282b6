// net::open_uds_listener's probe of a socket file already at the path: only a refused connect
// means stale; a live socket we may not connect to, or one whose backlog is full, is never
// removed.
#include "agentd/net/uds_listener.hpp"
#include "tests/support/process.hpp"

#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

using namespace agentd;
using namespace agentd::test;
using namespace std::chrono_literals;

namespace {

sockaddr_un address_of(const std::string& path) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
    return a;
}

// A socket listening at `path` that never accepts.
int listen_at(const std::string& path, int backlog) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto a = address_of(path);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, backlog) == 0);
    return fd;
}

bool exists(const std::string& path) {
    struct stat st{};
    return ::lstat(path.c_str(), &st) == 0;
}

// The probe's outcome as an exit status of a process: 0 refused as a conflict naming the path
// and the cause, 1 another error, 2 the listener opened (the live socket was unlinked).
int probe_status(const std::string& path) {
    boost::asio::io_context ioc;
    auto r = net::open_uds_listener(ioc.get_executor(), {path});
    if (r) return 2;
    bool named = r.error().message.find(path) != std::string::npos &&
                 r.error().message.find(std::strerror(EACCES)) != std::string::npos;
    return r.error().code == errc::conflict && named ? 0 : 1;
}

}  // namespace

TEST_CASE("open_uds_listener: a live socket we may not connect to (EACCES) is refused, not unlinked") {
    temp_dir dir;
    const std::string path = dir.file("agentd.sock");
    int live = listen_at(path, 16);
    REQUIRE(::chmod(path.c_str(), 0) == 0);  // connect() needs write permission on the file
    struct stat before{};
    REQUIRE(::lstat(path.c_str(), &before) == 0);
    int status = -1;
    if (::geteuid() != 0) {
        status = probe_status(path);
    } else {
        // Root connects anyway: probe as an unprivileged user in a child process.
        REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);  // it could unlink the file
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
            ::_exit(probe_status(path));
        }
        int ws = 0;
        REQUIRE(::waitpid(pid, &ws, 0) == pid);
        REQUIRE(WIFEXITED(ws));
        status = WEXITSTATUS(ws);
    }
    CHECK(status == 0);
    struct stat after{};
    CHECK(::lstat(path.c_str(), &after) == 0);
    CHECK(after.st_ino == before.st_ino);  // the same file, not a new listener's
    ::close(live);
}

TEST_CASE("open_uds_listener: a live socket with a full backlog is refused without blocking") {
    temp_dir dir;
    const std::string path = dir.file("agentd.sock");
    int live = listen_at(path, 0);
    // Fill the backlog: connects that nobody accepts, until the next would block.
    std::vector<int> queued;
    auto a = address_of(path);
    bool full = false;
    for (int i = 0; i < 64; ++i) {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        int e = errno;
        queued.push_back(fd);
        if (rc != 0) {
            REQUIRE(e == EAGAIN);
            full = true;
            break;
        }
    }
    REQUIRE(full);  // else this would test an ordinary live socket
    std::atomic<bool> done{false};
    std::optional<result<net::uds_acceptor>> got;
    boost::asio::io_context ioc;
    std::thread t([&] {
        got.emplace(net::open_uds_listener(ioc.get_executor(), {path}));
        done = true;
    });
    bool returned = wait_until([&] { return done.load(); }, 20s);
    if (!returned) ::close(live);  // wakes a probe stuck in a blocking connect
    t.join();
    CHECK(returned);
    REQUIRE(got.has_value());
    CHECK_FALSE(got->has_value());
    if (!got->has_value()) {
        CHECK(got->error().code == errc::conflict);
        CHECK(got->error().message.find("another process is serving it") != std::string::npos);
    }
    CHECK(exists(path));
    if (returned) ::close(live);
    for (int fd : queued) ::close(fd);
}

TEST_CASE("open_uds_listener: a socket nobody listens on is stale and replaced") {
    temp_dir dir;
    const std::string path = dir.file("agentd.sock");
    ::close(listen_at(path, 16));  // the file stays, nobody listens: ECONNREFUSED
    REQUIRE(exists(path));
    boost::asio::io_context ioc;
    auto r = net::open_uds_listener(ioc.get_executor(), {path});
    if (!r) FAIL(r.error().message);
    CHECK(exists(path));
}
