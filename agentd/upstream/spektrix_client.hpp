// upstream/spektrix_client: the real client. A `client_context` is one venue client's shared
// machinery (connection pool, request budget, metrics) built from its settings; each agent
// account gets its own `client` from make_spektrix_client(), signing with its own credentials.
// Threading: io_context thread only; the context outlives its clients and their calls. Large
// answers may be decoded on a separate decode executor (set_decode_executor): the calling
// coroutine waits for the decode and resumes on the io_context, so no state is shared.
#pragma once

#include "agentd/core/clock.hpp"
#include "agentd/core/error.hpp"
#include "agentd/upstream/budget.hpp"
#include "agentd/upstream/client.hpp"
#include "agentd/upstream/metrics.hpp"
#include "agentd/upstream/settings.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <string>

namespace agentd::net {
class http_client;
struct http_pool_stats;
}  // namespace agentd::net

namespace agentd::upstream {

class client_context {
public:
    // Fails (config_error) on a bad base URL, a non-positive limit or an unreadable CA file.
    static agentd::result<std::unique_ptr<client_context>> make(boost::asio::any_io_executor ex, client_settings s,
                                                                const agentd::clock& clk = agentd::system_clock::instance());
    ~client_context();
    client_context(const client_context&) = delete;
    client_context& operator=(const client_context&) = delete;

    const client_settings& settings() const noexcept { return settings_; }
    metrics_snapshot metrics_now() { return metrics_.snapshot(*budget_); }
    net::http_pool_stats pool_stats() const;

    // Used by the clients of this context.
    boost::asio::any_io_executor executor() const { return ex_; }
    net::http_client& http() { return *http_; }
    budget& request_budget() { return *budget_; }
    metrics& counters() { return metrics_; }
    const agentd::clock& clock() const { return clock_; }
    // "https://host[:port][/base]/{client}/api/v3/" and its path part, as signed and sent.
    const std::string& api_root_url() const { return api_root_url_; }
    const std::string& api_root_target() const { return api_root_target_; }

    // Answers of at least `min_bytes` are decoded on `ex` (a compute pool owned by the caller,
    // joined only after every call has finished), so a seat list's decode does not hold up the
    // network thread's other work; smaller ones are decoded in place, where a hop costs more.
    void set_decode_executor(boost::asio::any_io_executor ex, std::size_t min_bytes) {
        decode_ex_ = std::move(ex);
        decode_min_bytes_ = min_bytes;
    }
    const boost::asio::any_io_executor& decode_executor() const noexcept { return decode_ex_; }
    std::size_t decode_min_bytes() const noexcept { return decode_min_bytes_; }

    // Several nodes on one database (docs/scale-out.md): `may_send` is asked right before each
    // attempt leaves, and a "no" ends the call unsent (class cancelled, sent = false), so a node
    // whose venue lease ran out sends nothing for it. `node` goes out as X-Agentd-Node. Set
    // before the first call.
    void set_send_gate(std::function<bool()> may_send, std::string node) {
        may_send_ = std::move(may_send);
        node_ = std::move(node);
    }
    bool may_send() const { return !may_send_ || may_send_(); }
    const std::string& node() const noexcept { return node_; }
    // The one gate of every upstream request of this venue client (do-not-transact windows):
    // checked just before each attempt is signed and sent, after its budget wait, so no call
    // of any caller (sync, reservations, pools) reaches the venue while it says no.
    void set_gate(request_gate g) { gate_ = std::move(g); }
    const request_gate& gate() const noexcept { return gate_; }

private:
    client_context(boost::asio::any_io_executor ex, client_settings s, const agentd::clock& clk);

    boost::asio::any_io_executor ex_;
    client_settings settings_;
    const agentd::clock& clock_;
    std::unique_ptr<net::http_client> http_;
    std::unique_ptr<budget> budget_;
    metrics metrics_;
    std::string api_root_url_;
    std::string api_root_target_;
    boost::asio::any_io_executor decode_ex_;
    std::size_t decode_min_bytes_ = 0;
    std::function<bool()> may_send_;
    std::string node_;
    request_gate gate_;
};

// Fails (invalid_argument) when the account's secret is not base64; the secret is never echoed.
agentd::result<std::unique_ptr<client>> make_spektrix_client(client_context& ctx, account_settings account);

// Replaces the login and secret of a client made by make_spektrix_client (a rotated API key,
// applied on reload); later requests, including retries of calls under way, sign with them.
// Fails (invalid_argument) when the secret is not base64 or `c` is not a Spektrix client, and
// then the old credentials stay in use.
agentd::result<void> update_credentials(client& c, const account_settings& account);

}  // namespace agentd::upstream
