// Helpers of the crash e2e test; see crash_support.hpp.
#include "tests/e2e/reservations/crash_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
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
            r.seat_count = std::size_t(std::max(seats, 0));
            r.total = json_get(row, "total").value_or("null");
            r.settled_by = json_get(row, "settledBy").value_or("");
            r.error_code = json_get(row, "error.code").value_or("");
            r.error_message = json_get(row, "error.message").value_or("");
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
        h.tickets = std::size_t(std::max(t, 0));
        h.total = std::stod(json_get(row, "total").value_or("0"));
        if (auto c = json_get(row, "agentCustomer"); c && *c != "null") {
            auto field = [&](const char* name) { return json_get(*c, name).value_or("(absent)"); };
            h.customer = customer_data{field("firstName"), field("lastName"), field("addressLine1"), field("reference")};
        }
        out.push_back(std::move(h));
    }
    return out;
}

customer_data customer_for(const std::string& id) {
    return {"Ada " + id, "Lovelace " + id, "1 Main St, flat " + id, "CRASH-" + id};
}

std::string confirm_body(const std::string& id) {
    auto c = customer_for(id);
    return R"({"customer":{"firstName":")" + c.first_name + R"(","lastName":")" + c.last_name +
           R"(","addressLine1":")" + c.address_line1 + R"("},"reference":")" + c.reference + R"("})";
}

void sim_put_fault(const sim_process& sim, const std::string& rule) {
    auto a = tcp_request(sim.control_url, "PUT", "/faults", rule, 30s);
    REQUIRE(a);
    INFO(rule << " -> " << a->body);
    REQUIRE(a->status / 100 == 2);
}

void install_crash_faults(const sim_process& sim) {
    // The latency of every request; each endpoint rule below repeats it, since the winning rule's
    // latency is the one applied.
    const std::string lat = R"("latency_ms":2,"latency_jitter_ms":30)";
    for (const std::string& r : {
             R"({"client":"*","endpoint":"*",)" + lat + "}",
             // Answers lost after the commit, 503 after the commit, and a 504 whose write lands 100 ms later.
             R"({"client":"*","endpoint":"confirm","commit_drop":0.2,"p503_after_commit":0.05,"late_apply":0.05,"late_mode":"504","late_apply_ms":100,)" + lat + "}",
             R"({"client":"*","endpoint":"add_tickets","commit_drop":0.1,"late_apply":0.05,"late_mode":"504","late_apply_ms":100,)" + lat + "}",
             R"({"client":"*","endpoint":"patch_basket","p503":0.1,)" + lat + "}",
             R"({"client":"*","endpoint":"create_basket","reset":0.05,)" + lat + "}",
             R"({"client":"*","endpoint":"clear_basket","p500":0.15,)" + lat + "}",
         })
        sim_put_fault(sim, r);
}

std::string sim_fault_counts(const sim_process& sim) {
    auto a = tcp_request(sim.control_url, "GET", "/faults", {}, 30s);
    if (!a || a->status != 200) return "(no answer)";
    std::string out;
    for (int i = 0, n = json_array_size(a->body, ""); i < n; ++i) {
        auto p = std::to_string(i) + ".";
        out += json_get(a->body, p + "endpoint").value_or("?") + " " + json_get(a->body, p + "matched").value_or("?") +
               "/" + json_get(a->body, p + "fired").value_or("?") + " ";
    }
    return out;
}

int sim_late_pending(const sim_process& sim) {
    auto a = tcp_request(sim.control_url, "GET", "/late", {}, 30s);
    if (!a || a->status != 200) return -1;
    auto p = json_get(a->body, "pending");
    return p ? std::atoi(p->c_str()) : -1;
}

void sim_advance_clock(const sim_process& sim, int seconds) {
    auto a = tcp_request(sim.control_url, "POST", "/clock", R"({"advance_seconds":)" + std::to_string(seconds) + "}", 30s);
    REQUIRE(a);
    INFO(a->body);
    REQUIRE(a->status / 100 == 2);
}

bool is_transient(const std::string& s) {
    return s == "queued" || s == "placing" || s == "confirming" || s == "releasing";
}

std::string history_of(const std::string& sock, const std::string& id) {
    auto a = uds_request(sock, "GET", "/v1/reservations/" + id + "/history");
    return a ? a->body : std::string("(no answer)");
}

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::atoi(v) : fallback;
}

std::vector<reservation_view> settle(const std::string& sock, const std::string& client) {
    std::vector<reservation_view> all;
    bool settled = wait_until(
        [&] {
            all = list_reservations(sock, client);
            for (const auto& r : all)
                if (is_transient(r.state)) return false;
            return true;
        },
        300s, 200ms);
    if (!settled) {
        std::string unsettled;
        for (const auto& r : all)
            if (is_transient(r.state)) unsettled += r.id + " " + r.state + " " + history_of(sock, r.id) + "\n";
        FAIL("reservations still in flight after the deadline:\n" << unsettled);
    }
    return all;
}

}  // namespace agentd::test::crash
