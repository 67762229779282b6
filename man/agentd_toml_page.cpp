// agentd.toml(5): every row of the option table, grouped by section in table order.
#include "man/pages.hpp"

#include "agentd/cli/cli.hpp"
#include "agentd/config/options.hpp"
#include "man/roff.hpp"

namespace agentd::man {
namespace {

const char* kind_name(config::option_kind k) {
    using K = config::option_kind;
    switch (k) {
    case K::boolean: return "boolean";
    case K::integer: return "integer";
    case K::real: return "number";
    case K::duration: return "duration";
    case K::size: return "size";
    case K::string: return "string";
    case K::identifier: return "identifier";
    case K::mode: return "octal mode";
    case K::choice: return "choice";
    }
    return "value";
}

std::string header_of(const std::string& section) {
    bool repeated = section == "client" || section == "client.account" || section == "client.window" ||
                    section == "channel" || section == "pool";
    return repeated ? "[[" + section + "]]" : "[" + section + "]";
}

std::string option_entry(const config::option_info& o) {
    std::string facts = kind_name(o.kind);
    if (o.required) facts += ", required";
    if (!o.default_text.empty()) facts += ", default " + o.default_text;
    else if (!o.example_text.empty()) facts += ", for example " + o.example_text;
    if (!o.bounds_text.empty()) facts += ", range " + o.bounds_text;
    if (!o.choices.empty()) facts += ", one of " + o.choices;
    return ".TP\n.B " + escape(o.key) + "\n" + escape(o.doc) + "\n.br\n(" + escape(facts) + ")\n";
}

}  // namespace

std::string agentd_toml_page() {
    page p{"agentd.toml", "5", cli::k_version, "File Formats", "agentd's configuration file", {}};
    p.sections.emplace_back("SYNOPSIS", "/etc/agentd/agentd.toml\n");
    p.sections.emplace_back(
        "DESCRIPTION",
        "agentd(8) reads its configuration from a TOML file, by default /etc/agentd/agentd.toml\n"
        "(\\fBagentd \\-\\-config\\fR \\fIFILE\\fR names another). Unknown options are errors; so is a file\n"
        "that others may write. Durations are written like \"500ms\", \"15s\", \"5m\", \"1h\", \"1d\";\n"
        "sizes like \"512B\", \"64KiB\", \"32MiB\" or a bare number of bytes.\n"
        ".PP\n"
        "Check a file without starting agentd with \\fBagentctl config check\\fR \\fIFILE\\fR. A running\n"
        "agentd reloads the file on SIGHUP and keeps the running configuration when the new one is\n"
        "invalid. The example file, generated from the same table as this page, lists every option\n"
        "at its default: /usr/share/doc/agentd/examples/agentd.toml.example.\n"
        ".PP\n"
        "Each Spektrix client is a \\fB[[client]]\\fR block with one or more \\fB[[client.account]]\\fR\n"
        "blocks and any number of \\fB[[client.window]]\\fR blocks (do-not-transact windows); each\n"
        "sales channel is a \\fB[[channel]]\\fR block, recognised on the socket by its uid or gid.\n");
    std::string current, options;
    for (auto& o : config::option_table()) {
        if (o.section != current) {
            current = o.section;
            options += ".SS \"" + escape(header_of(current)) + "\"\n";
        }
        options += option_entry(o);
    }
    p.sections.emplace_back("OPTIONS", options);
    p.sections.emplace_back("FILES", ".TP\n.B /etc/agentd/agentd.toml\nthe configuration.\n"
                                     ".TP\n.B /usr/share/doc/agentd/examples/agentd.toml.example\nevery option "
                                     "at its default.\n");
    p.sections.emplace_back("SEE ALSO", "agentd(8), agentctl(8)\n");
    return render(p);
}

}  // namespace agentd::man
