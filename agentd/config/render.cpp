// Text produced from the option table: the example file and the settings dump.
#include "agentd/config/option_entry.hpp"

namespace agentd::config {
namespace {

using detail::entries;
using detail::option_entry;

std::string doc_line(const option_entry& e) {
    std::string s = e.info.doc;
    if (!e.info.bounds_text.empty()) s += " Range " + e.info.bounds_text + ".";
    if (!e.info.choices.empty()) s += " One of " + e.info.choices + ".";
    return s;
}

// Fixed sections: every option at its default, uncommented.
void render_section(std::string& out, std::string_view section) {
    out += "\n[" + std::string(section) + "]\n";
    for (const auto& e : entries()) {
        if (e.info.section != section) continue;
        out += "# " + doc_line(e) + "\n";
        out += e.info.key + " = " + e.info.default_text + "\n";
    }
}

// Repeated sections: a commented block. Lines "#key = value" are the block's settings (strip
// the '#' to use them); "##key = value" are alternatives; "# text" lines are documentation.
void render_block(std::string& out, std::string_view section, std::string_view header) {
    out += "#" + std::string(header) + "\n";
    for (const auto& e : entries()) {
        if (e.info.section != section) continue;
        out += "# " + doc_line(e) + "\n";
        const std::string& v = e.info.example_text.empty() ? e.info.default_text : e.info.example_text;
        out += (e.commented ? "##" : "#") + e.info.key + " = " + v + "\n";
    }
}

void dump_entries(std::string& out, std::string_view section, const void* target) {
    for (const auto& e : entries()) {
        if (e.info.section != section) continue;
        auto v = e.get(target);
        if (!v.set) continue;
        out += e.info.key + " = " + detail::literal(e, v) + "\n";
    }
}

}  // namespace

std::string render_example() {
    std::string out =
        "# agentd configuration (TOML). Generated from the option table: every option is listed\n"
        "# with its default and accepted range. Durations are written like \"500ms\", \"15s\", \"5m\",\n"
        "# \"1h\", \"1d\"; sizes like \"512B\", \"64KiB\", \"32MiB\". Unknown options are errors.\n";
    for (auto s : {"daemon", "sync", "reservations", "api"}) render_section(out, s);
    out += "\n# One [[client]] block per Spektrix client (none by default), each with one or more\n"
           "# [[client.account]] blocks and any number of [[client.window]] blocks (do-not-transact\n"
           "# windows, docs/windows.md). Remove the leading '#' of the lines below to use them.\n";
    render_block(out, "client", "[[client]]");
    render_block(out, "client.account", "[[client.account]]");
    render_block(out, "client.window", "[[client.window]]");
    out += "\n# One [[channel]] block per sales channel (none by default). A peer on the socket is\n"
           "# that channel when its uid (or gid) matches.\n";
    render_block(out, "channel", "[[channel]]");
    out += "\n# One [[pool]] block per allocation pool (none by default): ready holds that channels'\n"
           "# requests are served from at once, kept alive, replaced and drained (docs/pools.md).\n";
    render_block(out, "pool", "[[pool]]");
    return out;
}

std::string to_string(const settings& s) {
    std::string out;
    out += "[daemon]\n";
    dump_entries(out, "daemon", &s.daemon);
    out += "\n[sync]\n";
    dump_entries(out, "sync", &s.sync);
    out += "\n[reservations]\n";
    dump_entries(out, "reservations", &s.reservations);
    out += "\n[api]\n";
    dump_entries(out, "api", &s.api);
    for (const auto& c : s.clients) {
        out += "\n[[client]]\n";
        dump_entries(out, "client", &c);
        for (const auto& a : c.accounts) {
            out += "\n[[client.account]]\n";
            dump_entries(out, "client.account", &a);
            out += "# secret = [redacted]\n";
        }
        for (const auto& w : c.windows) {
            out += "\n[[client.window]]\n";
            dump_entries(out, "client.window", &w);
        }
    }
    for (const auto& ch : s.channels) {
        out += "\n[[channel]]\n";
        dump_entries(out, "channel", &ch);
    }
    for (const auto& p : s.pools) {
        out += "\n[[pool]]\n";
        dump_entries(out, "pool", &p);
    }
    return out;
}

}  // namespace agentd::config
