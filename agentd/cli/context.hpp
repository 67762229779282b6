// cli/context: what one agentctl invocation works with: its parsed arguments, output streams,
// the resolved socket path and a blocking client to agentd's local API. API failures are turned
// into a printed message and a documented exit code here, once, so commands stay linear:
//   auto r = ctx.get("/v1/clients", api::from_json<std::vector<api::client_state>>); if (!r) return ctx.code();
// Threading: one invocation, one thread.
#pragma once

#include "agentd/cli/args.hpp"
#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/net/uds_client.hpp"

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace agentd::cli {

class context {
public:
    context(parsed_args args, std::ostream& out, std::ostream& err);

    const parsed_args& args() const noexcept { return args_; }
    std::ostream& out() noexcept { return out_; }
    std::ostream& err() noexcept { return err_; }
    bool json() const { return args_.flag("json"); }
    sys_time now() const { return std::chrono::system_clock::now(); }
    std::chrono::milliseconds timeout() const noexcept { return timeout_; }
    void set_timeout(std::chrono::milliseconds t);

    // The exit code of the last failure reported through this context.
    int code() const noexcept { return code_; }
    // Prints "agentctl: MESSAGE" to stderr and remembers `code`; returns `code`.
    int report(int code, std::string_view message);
    int report(const error& e);

    // --socket, else the config's daemon.socket_path (--config), else $AGENTD_SOCKET, else
    // /run/agentd/agentd.sock. nullopt (reported, exit 7) when --config cannot be loaded.
    std::optional<std::string> socket_path();
    // --db, else the config's daemon.database. nullopt (reported) when neither is known.
    std::optional<std::string> database_path();

    // One API exchange. A 2xx answer is returned; anything else is reported (daemon not running,
    // permission denied, not found, ...) and yields nullopt with code() set.
    std::optional<net::http_reply> call(std::string_view method, std::string_view target, std::string_view body = {},
                                        const net::header_list& headers = {});

    template <class F>
    auto get(std::string_view target, F decoder) -> std::optional<typename decltype(decoder(std::string_view()))::value_type> {
        auto r = call("GET", target);
        if (!r) return std::nullopt;
        return decoded(*r, decoder);
    }
    template <class F>
    auto decoded(const net::http_reply& r, F decoder) -> std::optional<typename decltype(decoder(std::string_view()))::value_type> {
        auto v = decoder(std::string_view(r.body));
        if (!v) {
            report(1, "unexpected answer from agentd: " + v.error().message);
            return std::nullopt;
        }
        return std::move(*v);
    }

    // Reports an error answer (message from its JSON error body, exit code by its status) as
    // call() does; returns the exit code.
    // `who` names what the caller's uid must map to when agentd answers 403: an admin channel
    // for the admin commands, any channel for the feed (watch).
    int report_status(const net::http_reply& r, std::string_view who = "an admin [[channel]]");
    // The message of an error answer's JSON body, else "HTTP <status>".
    static std::string error_message(const net::http_reply& r);

private:
    int report_unreachable(const std::string& path, const error& e);

    parsed_args args_;
    std::ostream& out_;
    std::ostream& err_;
    std::chrono::milliseconds timeout_{10'000};
    int code_ = 0;
    std::optional<std::string> socket_;
    std::unique_ptr<net::uds_client> client_;
};

}  // namespace agentd::cli
