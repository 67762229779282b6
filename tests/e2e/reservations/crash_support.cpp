// Helpers of the crash e2e test; see crash_support.hpp.
#include "tests/e2e/reservations/crash_support.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace agentd::test::crash {

namespace {
constexpr int k_listing_cap = 1000;  // GET /v1/reservations returns at most this many rows
}  // namespace

int send_unanswered(const std::string& sock, const std::string& method, const std::string& target,
                    const std::string& body, const std::string& header) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", sock.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: agentd\r\nConnection: close\r\n";
    if (!header.empty()) req += header + "\r\n";
    if (!body.empty()) req += "Content-Type: application/json\r\n";
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t off = 0;
    while (off < req.size()) {
        auto n = ::send(fd, req.data() + off, req.size() - off, MSG_NOSIGNAL);
        if (n <= 0) break;
        off += std::size_t(n);
    }
    return fd;
}

std::vector<std::string> on_sale_instances(const std::string& sock, const std::string& client) {
    std::vector<std::string> out;
    auto a = uds_request(sock, "GET", "/v1/clients/" + client + "/instances");
    if (!a || a->status != 200) return out;
    int n = json_array_size(a->body, "instances");
    for (int i = 0; i < n; ++i) {
        auto row = "instances." + std::to_string(i);
        if (json_get(a->body, row + ".onSale") == "true" && json_get(a->body, row + ".cancelled") == "false")
            out.push_back(*json_get(a->body, row + ".id"));
    }
    return out;
}

std::vector<reservation_view> list_reservations(const std::string& sock, const std::string& client) {
    std::vector<reservation_view> out;
    // One listing per state: a listing is capped at k_listing_cap rows, and a long run makes
    // more reservations than that in total.
    for (const char* state : {"queued", "placing", "held", "confirming", "confirmed", "confirm_unknown", "rejected",
                              "cancelled", "releasing", "released", "expired"}) {
        auto a = uds_request(sock, "GET", "/v1/reservations?client=" + client + "&state=" + state, {}, {}, 30s);
        REQUIRE(a);
        REQUIRE(a->status == 200);
        int n = json_array_size(a->body, "reservations");
        REQUIRE(n >= 0);
        INFO("state " << state);
        REQUIRE(n < k_listing_cap);  // else the listing may be cut short: run fewer kills
        for (int i = 0; i < n; ++i) {
            auto row = *json_get(a->body, "reservations." + std::to_string(i));
            reservation_view r;
            r.id = *json_get(row, "id");
            r.state = *json_get(row, "state");
            r.instance = *json_get(row, "instance");
            r.order_id = json_get(row, "orderId").value_or("null");
            int seats = json_array_size(row, "seats");
            for (int s = 0; s < seats; ++s)
                r.seats.insert(r.instance + "/" + *json_get(row, "seats." + std::to_string(s) + ".seat"));
            out.push_back(std::move(r));
        }
    }
    return out;
}

std::vector<sim_holding> sim_list(const sim_process& sim, const std::string& what, const std::string& client) {
    std::vector<sim_holding> out;
    auto a = tcp_request(sim.control_url, "GET", "/" + what + "?client=" + client, {}, 30s);
    REQUIRE(a);
    REQUIRE(a->status == 200);
    int n = json_array_size(a->body, "");
    REQUIRE(n >= 0);
    for (int i = 0; i < n; ++i) {
        auto row = *json_get(a->body, std::to_string(i));
        sim_holding h;
        h.id = *json_get(row, "id");
        h.basket = json_get(row, "basket").value_or("");
        h.account = json_get(row, "account").value_or("");
        int t = json_array_size(row, "tickets");
        for (int k = 0; k < t; ++k) {
            auto p = "tickets." + std::to_string(k);
            h.seats.insert(*json_get(row, p + ".instance") + "/" + *json_get(row, p + ".seat"));
        }
        out.push_back(std::move(h));
    }
    return out;
}

bool is_transient(const std::string& s) {
    return s == "queued" || s == "placing" || s == "confirming" || s == "releasing";
}

std::string history_of(const std::string& sock, const std::string& id) {
    auto a = uds_request(sock, "GET", "/v1/reservations/" + id + "/history");
    return a ? a->body : std::string("(no answer)");
}

}  // namespace agentd::test::crash
