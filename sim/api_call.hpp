// Private to sim/*.cpp: one API request being answered, and helpers the handlers share.
// Threading: used under the simulator mutex only.
#pragma once

#include "sim/simulator.hpp"

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

namespace agentd::sim {

struct simulator::call {
    std::string endpoint;
    std::uint32_t client_index = 0;
    const client* c = nullptr;
    client_state* cs = nullptr;
    int account = 0;
    std::vector<std::string> seg;  // path segments after /{client}/api/v3/
    std::map<std::string, std::string> query;
    std::string_view body;
    sys_time now;
};

http_response json_response(int status, std::string body);
// Parses the body into `doc`; 400 when it is not JSON.
outcome<void> parse_body(std::string_view body, rapidjson::Document& doc);
// Splits a query string; false on a bad percent escape.
bool parse_query(std::string_view q, std::map<std::string, std::string>& out);
std::string percent_decode(std::string_view s, bool& ok);
// Instance by id, checking agent visibility: unknown → 404, hidden → 403.
outcome<std::uint32_t> visible_instance(const client& c, std::string_view id);
// includeLocked=true|false (ASSUMPTION, sim/README.md): whether best available may offer
// seats locked for the calling account; absent means false.
outcome<bool> include_locked(const std::map<std::string, std::string>& query);
// Agent may buy now: not cancelled, on sale to agents and inside the agent selling window.
bool on_sale_to_agents(const instance& in, sys_time now);

}  // namespace agentd::sim
