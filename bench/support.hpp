// bench/support: what every benchmark shares — percentiles, a blocking keep-alive HTTP/1.1
// client over a Unix socket or TCP, Prometheus text lookup, and the result table (text and
// JSON). Not thread-safe except where noted: one http_conn per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bench {

using clock_type = std::chrono::steady_clock;
double micros_since(clock_type::time_point t0);
double seconds_since(clock_type::time_point t0);

// p in [0,1] of an unsorted sample (copied and sorted); 0 for an empty sample.
double percentile(std::vector<double> v, double p);

struct reply {
    int status = 0;
    std::string body;
};

// One keep-alive connection; reconnects once if the server closed it.
class http_conn {
public:
    static http_conn unix_socket(std::string path);
    static http_conn tcp(std::string base_url);  // http://127.0.0.1:PORT
    http_conn(http_conn&& o) noexcept;
    ~http_conn();
    std::optional<reply> request(const std::string& method, const std::string& target, const std::string& body = {},
                                 const std::vector<std::string>& headers = {});

private:
    http_conn() = default;
    bool connect_();
    bool unix_ = true;
    std::string path_, host_;
    int port_ = 0;
    int fd_ = -1;
    std::string buf_;
};

// The value of the first sample whose name (with labels) starts with `prefix`; sums all
// matching samples when `sum` is set.
std::optional<double> metric(const std::string& text, const std::string& prefix, bool sum = false);

// One figure of the table: agentd's repetitions, optional baseline repetitions, the target.
struct figure {
    std::string name, unit;
    std::vector<double> value;     // agentd, one per repetition
    std::vector<double> p99;       // latency figures: p99 per repetition
    std::vector<double> baseline;  // baseline, one per repetition (empty: none)
    std::string baseline_name;
    // target: ratio = value/baseline (or value alone when no baseline) compared with
    // `target`; higher_is_better decides the direction. target_text is printed.
    double target = 0;
    bool higher_is_better = true;
    bool ratio_target = true;  // false: target applies to the value itself (or its p99)
    bool p99_target = false;   // the target compares p99 (value p99 vs baseline p99)
    bool informative = false;  // no target
    std::string target_text, note;
};

struct summary {
    double median = 0, min = 0, max = 0;
};
summary summarize(const std::vector<double>& v);

// A figure printed without a target (the "-" verdict), e.g. a request count beside a figure
// that has one.
inline figure reported(std::string name, std::string unit, std::string target_text = "reported") {
    figure f;
    f.name = std::move(name);
    f.unit = std::move(unit);
    f.informative = true;
    f.target_text = std::move(target_text);
    return f;
}

// Prints the table to stdout; returns the number of missed targets.
int print_table(const std::vector<figure>& figs);
void write_json(const std::string& path, const std::vector<figure>& figs, bool quick);
// "met", "MISSED" or "-" for a figure.
std::string verdict(const figure& f);
double ratio_of(const figure& f);

}  // namespace bench
