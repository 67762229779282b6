#include "agentd/cli/args.hpp"

#include <charconv>
#include <cmath>

namespace agentd::cli {

std::optional<std::string> parsed_args::get(std::string_view name) const {
    auto it = options.find(std::string(name));
    if (it == options.end()) return std::nullopt;
    return it->second;
}

bool is_flag(std::string_view name) noexcept {
    return name == "json" || name == "help" || name == "version" || name == "not-sold" || name == "csv" ||
           name == "names" || name == "ids" || name == "once";
}

result<parsed_args> parse_args(const std::vector<std::string>& argv) {
    parsed_args out;
    bool only_words = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (only_words || a == "-" || a.size() < 2 || a[0] != '-') {
            out.words.push_back(a);
            continue;
        }
        if (a == "--") {
            only_words = true;
            continue;
        }
        if (a == "-h") {
            out.options["help"] = "";
            continue;
        }
        if (a[1] != '-') return fail(errc::invalid_argument, "unknown option " + a + " (options are spelled --name)");
        std::string name = a.substr(2), value;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
            has_value = true;
        }
        if (name.empty()) return fail(errc::invalid_argument, "bad option " + a);
        if (is_flag(name)) {
            if (has_value) return fail(errc::invalid_argument, "option --" + name + " takes no value");
        } else if (!has_value) {
            if (i + 1 >= argv.size()) return fail(errc::invalid_argument, "option --" + name + " needs a value");
            value = argv[++i];
            has_value = true;
        }
        if (out.options.count(name) && !is_flag(name)) return fail(errc::invalid_argument, "option --" + name + " given twice");
        out.options[name] = value;
    }
    return out;
}

result<double> parse_seconds(std::string_view text) {
    double scale = 1;
    std::string_view num = text;
    if (num.ends_with("ms")) {
        scale = 0.001;
        num.remove_suffix(2);
    } else if (num.ends_with("s")) {
        num.remove_suffix(1);
    } else if (num.ends_with("m")) {
        scale = 60;
        num.remove_suffix(1);
    }
    double v = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (num.empty() || ec != std::errc() || p != num.data() + num.size() || !std::isfinite(v) || v < 0 || v * scale > 86400)
        return fail(errc::invalid_argument, "bad duration '" + std::string(text) + "' (seconds, e.g. 5, 2.5, 1500ms, 2m)");
    return v * scale;
}

}  // namespace agentd::cli
