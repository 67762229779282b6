#include "agentd/config/config.hpp"
#include "agentd/config/files.hpp"
#include "agentd/config/load_detail.hpp"
#include "agentd/config/option_entry.hpp"
#include "agentd/config/window_forms.hpp"
#include "agentd/core/id.hpp"
#include "agentd/core/time.hpp"
#include "agentd/core/tz.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

namespace agentd::config {
namespace {

using detail::apply_table;
using detail::at;
using detail::check_pools;
using detail::config_fail;
using detail::context;
using detail::load_pool;
using detail::option_entry;
using detail::resolve_lock_types;
using detail::value;

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string suggestion(std::string_view section, std::string_view key) {
    for (const auto& e : detail::entries())
        if (e.info.section == section && edit_distance(e.info.key, key) <= 2)
            return " (did you mean '" + e.info.name() + "'?)";
    return "";
}

const option_entry* find_entry(std::string_view section, std::string_view key) {
    for (const auto& e : detail::entries())
        if (e.info.section == section && e.info.key == key) return &e;
    return nullptr;
}

result<value> convert(const context& c, const option_entry& e, const toml::node& n) {
    const std::string name = e.info.name();
    auto bad = [&](std::string_view what) { return config_fail(c, n.source(), name, what); };
    value v;
    switch (e.info.kind) {
    case option_kind::boolean:
        if (auto b = n.as_boolean()) v.b = b->get();
        else return bad("expected true or false");
        return v;
    case option_kind::integer:
        if (auto i = n.as_integer()) v.i = i->get();
        else return bad("expected an integer");
        if (v.i < e.min || v.i > e.max)
            return bad(std::to_string(v.i) + " is out of range " + e.info.bounds_text);
        return v;
    case option_kind::real:
        if (auto d = n.as_floating_point()) v.d = d->get();
        else if (auto i = n.as_integer()) v.d = static_cast<double>(i->get());
        else return bad("expected a number");
        if (!(v.d >= e.real_min && v.d <= e.real_max))
            return bad(detail::literal(e, v) + " is out of range " + e.info.bounds_text);
        return v;
    case option_kind::duration: {
        auto s = n.as_string();
        auto d = s ? parse_duration(s->get()) : std::nullopt;
        if (!d) return bad("expected a duration like " + e.info.default_text);
        v.i = d->count();
        if (v.i < e.min || v.i > e.max)
            return bad(s->get() + " is out of range " + e.info.bounds_text);
        return v;
    }
    case option_kind::size: {
        std::optional<std::uint64_t> b;
        if (auto s = n.as_string()) b = parse_size(s->get());
        else if (auto i = n.as_integer(); i && i->get() >= 0) b = static_cast<std::uint64_t>(i->get());
        if (!b) return bad("expected a size like " + e.info.default_text);
        if (*b > static_cast<std::uint64_t>(e.max) || *b < static_cast<std::uint64_t>(e.min))
            return bad(format_size(*b) + " is out of range " + e.info.bounds_text);
        v.i = static_cast<std::int64_t>(*b);
        return v;
    }
    case option_kind::mode: {
        auto s = n.as_string();
        bool ok = s && !s->get().empty() && s->get().size() <= 4;
        std::int64_t bits = 0;
        if (ok)
            for (char ch : s->get()) {
                if (ch < '0' || ch > '7') ok = false;
                bits = bits * 8 + (ch - '0');
            }
        if (!ok || bits > e.max) return bad("expected an octal mode like \"0660\"");
        v.i = bits;
        return v;
    }
    case option_kind::string:
    case option_kind::identifier:
    case option_kind::choice: {
        auto s = n.as_string();
        if (!s) return bad("expected a string");
        v.s = s->get();
        if (e.info.kind == option_kind::choice) {
            std::string_view list = e.info.choices;
            bool found = false;
            while (!list.empty()) {
                auto bar = list.find('|');
                if (list.substr(0, bar) == v.s) found = true;
                list = bar == std::string_view::npos ? std::string_view{} : list.substr(bar + 1);
            }
            if (!found) {
                std::string choices = e.info.choices;
                for (auto& ch : choices)
                    if (ch == '|') ch = ',';
                return bad("\"" + v.s + "\" is not one of " + choices);
            }
        } else if (e.info.kind == option_kind::identifier && !valid_id(v.s)) {
            return bad("\"" + v.s + "\" is not a valid name (1-128 of A-Z a-z 0-9 _ . : -)");
        } else if (static_cast<std::int64_t>(v.s.size()) < e.min) {
            return bad("must not be empty");
        } else if (static_cast<std::int64_t>(v.s.size()) > e.max) {
            return bad("is longer than " + std::to_string(e.max) + " characters");
        }
        return v;
    }
    }
    return bad("unsupported option kind");
}

void apply_defaults(std::string_view section, void* target) {
    for (const auto& e : detail::entries())
        if (e.info.section == section && e.has_default) e.set(target, e.def);
}

std::string resolve(const context& c, const std::string& path) {
    if (path.empty() || path.front() == '/' || c.base_dir.empty()) return path;
    return c.base_dir + "/" + path;
}

result<void> load_account(const context& c, const toml::table& t, account_settings& a, const std::string& client) {
    if (auto r = apply_table(c, t, "client.account", &a); !r) return r;
    const std::string owner = " (client '" + client + "' account '" + a.name + "')";
    if (a.secret_file.empty() == a.secret_credential.empty())
        return fail(errc::config_error, at(c, t.source()) + "set exactly one of 'client.account.secret_file' and "
                                                          "'client.account.secret_credential'" + owner);
    const bool from_file = !a.secret_file.empty();
    const std::string key = from_file ? "secret_file" : "secret_credential";
    const toml::node* n = t.get(key);
    std::string where = at(c, n ? n->source() : t.source()) + "option 'client.account." + key + "'" + owner;
    std::string path;
    if (from_file) {
        path = resolve(c, a.secret_file);
    } else {
        if (a.secret_credential.find('/') != std::string::npos || a.secret_credential == "." || a.secret_credential == "..")
            return fail(errc::config_error, where + ": not a credential name");
        const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
        if (!dir || !*dir)
            return fail(errc::config_error, where + ": CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the unit)");
        path = std::string(dir) + "/" + a.secret_credential;
    }
    auto s = detail::read_secret(path, where);
    if (!s) return s.error();
    a.secret = std::move(*s);
    return {};
}

result<void> load_windows(const context& c, const toml::table& t, client_settings& cl) {
    const toml::node* win = t.get("window");
    if (!win) return {};
    const toml::array* arr = win->as_array();
    if (!arr || !arr->is_array_of_tables())
        return config_fail(c, win->source(), "client.window", "expected [[client.window]] tables");
    std::set<std::string> names;
    for (const auto& n : *arr) {
        const auto& wt = *n.as_table();
        window_settings w;
        if (auto r = apply_table(c, wt, "client.window", &w); !r) return r;
        if (auto bad = detail::finish_window(w)) {
            const toml::node* at_node = wt.get(bad->first);
            return config_fail(c, at_node ? at_node->source() : wt.source(), "client.window." + bad->first,
                               bad->second + " (client '" + cl.name + "' window '" + w.name + "')");
        }
        if (!names.insert(w.name).second)
            return config_fail(c, wt.source(), "client.window.name",
                               "duplicate window '" + w.name + "' in client '" + cl.name + "'");
        cl.windows.push_back(std::move(w));
    }
    return {};
}

result<void> load_client(const context& c, const toml::table& t, client_settings& cl) {
    if (auto r = apply_table(c, t, "client", &cl, {"account", "window"}); !r) return r;
    // Checked here, not where the zone is used: the books and the windows both read it, and a
    // reload must be refused as a start is, never fall back to UTC.
    if (auto zone = time_zone::load(cl.timezone); !zone) {
        const toml::node* at_node = t.get("timezone");
        return config_fail(c, at_node ? at_node->source() : t.source(), "client.timezone",
                           zone.error().message + " (client '" + cl.name + "')");
    }
    if (auto r = load_windows(c, t, cl); !r) return r;
    const toml::source_region url_at = t["base_url"].node() ? t["base_url"].node()->source() : t.source();
    if (!cl.base_url.starts_with("https://") && !cl.base_url.starts_with("http://"))
        return config_fail(c, url_at, "client.base_url", "expected an http:// or https:// URL");
    // Plain HTTP would carry the request signatures and the end customers' details unencrypted;
    // only a deliberate setting (a simulator on the loopback) may ask for it.
    if (cl.base_url.starts_with("http://") && !cl.allow_insecure_http)
        return config_fail(c, url_at, "client.base_url",
                           "\"" + cl.base_url + "\" is plain http (client '" + cl.name +
                               "'): use https://, or set 'client.allow_insecure_http = true' for a local simulator");
    const toml::node* acc = t.get("account");
    const toml::array* arr = acc ? acc->as_array() : nullptr;
    if (acc && (!arr || !arr->is_array_of_tables()))
        return config_fail(c, acc->source(), "client.account", "expected [[client.account]] tables");
    if (!arr || arr->empty())
        return fail(errc::config_error, at(c, t.source()) + "client '" + cl.name + "': at least one [[client.account]] is required");
    std::set<std::string> names;
    for (const auto& n : *arr) {
        account_settings a;
        if (auto r = load_account(c, *n.as_table(), a, cl.name); !r) return r;
        if (!names.insert(a.name).second)
            return config_fail(c, n.source(), "client.account.name",
                               "duplicate account '" + a.name + "' in client '" + cl.name + "'");
        cl.accounts.push_back(std::move(a));
    }
    return {};
}

result<void> check_channels(const context& c, const std::vector<channel_settings>& chans,
                            const std::vector<toml::source_region>& where) {
    std::map<std::string, std::size_t> names;
    std::map<std::uint32_t, std::string> uids, gids;
    for (std::size_t i = 0; i < chans.size(); ++i) {
        const auto& ch = chans[i];
        if (!names.emplace(ch.name, i).second)
            return config_fail(c, where[i], "channel.name", "duplicate channel '" + ch.name + "'");
        if (!ch.uid && !ch.gid)
            return fail(errc::config_error, at(c, where[i]) + "channel '" + ch.name + "': set 'channel.uid' or 'channel.gid'");
        if (ch.uid && !uids.emplace(*ch.uid, ch.name).second)
            return config_fail(c, where[i], "channel.uid",
                               "uid " + std::to_string(*ch.uid) + " already identifies channel '" + uids[*ch.uid] + "'");
        if (ch.gid && !gids.emplace(*ch.gid, ch.name).second)
            return config_fail(c, where[i], "channel.gid",
                               "gid " + std::to_string(*ch.gid) + " already identifies channel '" + gids[*ch.gid] + "'");
    }
    return {};
}

// Relations between options that single-option bounds cannot express.
result<void> check_relations(const context& c, const settings& s) {
    auto rel = [&](std::string_view msg) { return fail(errc::config_error, c.file + ": " + std::string(msg)); };
    if (s.reservations.expiry_margin >= s.reservations.basket_lifetime)
        return rel("option 'reservations.expiry_margin' must be shorter than 'reservations.basket_lifetime'");
    if (!(s.sync.tier_24h <= s.sync.tier_7d && s.sync.tier_7d <= s.sync.tier_30d && s.sync.tier_30d <= s.sync.tier_later))
        return rel("options 'sync.tier_24h' <= 'sync.tier_7d' <= 'sync.tier_30d' <= 'sync.tier_later' must hold");
    if (s.api.burst < s.api.requests_per_second)
        return rel("option 'api.burst' must be at least 'api.requests_per_second'");
    // Sent in a request header and stored as the lease holder: a name, never free text.
    if (!s.daemon.node.empty() && !valid_id(s.daemon.node))
        return rel("option 'daemon.node': \"" + s.daemon.node.substr(0, 64) + "\" is not a valid name (1-128 of A-Z a-z 0-9 _ . : -)");
    return {};
}

result<settings> load(std::string_view text, const context& c) {
    toml::table root;
    try {
        root = toml::parse(text, c.file);
    } catch (const toml::parse_error& e) {
        return fail(errc::config_error, at(c, e.source()) + "invalid TOML: " + std::string(e.description()));
    }
    settings s = defaults();
    std::map<std::string, void*> fixed = {
        {"daemon", &s.daemon}, {"sync", &s.sync}, {"reservations", &s.reservations}, {"api", &s.api}};
    std::set<std::string> client_names;
    std::vector<toml::source_region> channel_where, pool_where;
    std::vector<const toml::table*> pool_tables;
    for (auto&& [k, node] : root) {
        std::string key(k.str());
        if (auto it = fixed.find(key); it != fixed.end()) {
            auto* t = node.as_table();
            if (!t) return fail(errc::config_error, at(c, node.source()) + "'" + key + "' must be a [" + key + "] table");
            if (auto r = apply_table(c, *t, key, it->second); !r) return r.error();
        } else if (key == "pool") {
            // Loaded after the loop: a pool's sizes are bounded by [reservations] max_quantity.
            auto* arr = node.as_array();
            if (!arr || !arr->is_array_of_tables())
                return fail(errc::config_error, at(c, node.source()) + "'pool' must be [[pool]] tables");
            for (const auto& n : *arr) pool_tables.push_back(n.as_table());
        } else if (key == "client" || key == "channel") {
            auto* arr = node.as_array();
            if (!arr || !arr->is_array_of_tables())
                return fail(errc::config_error, at(c, node.source()) + "'" + key + "' must be [[" + key + "]] tables");
            for (const auto& n : *arr) {
                const auto& t = *n.as_table();
                if (key == "client") {
                    client_settings cl;
                    if (auto r = load_client(c, t, cl); !r) return r.error();
                    if (!client_names.insert(cl.name).second)
                        return config_fail(c, t.source(), "client.name", "duplicate client '" + cl.name + "'");
                    s.clients.push_back(std::move(cl));
                } else {
                    channel_settings ch;
                    if (auto r = apply_table(c, t, "channel", &ch); !r) return r.error();
                    s.channels.push_back(std::move(ch));
                    channel_where.push_back(t.source());
                }
            }
        } else {
            return fail(errc::config_error, at(c, k.source()) + "unknown option '" + key + "'");
        }
    }
    if (auto r = check_channels(c, s.channels, channel_where); !r) return r.error();
    for (const auto* t : pool_tables) {
        pool_settings p;
        if (auto r = load_pool(c, *t, p, s.reservations.max_quantity); !r) return r.error();
        s.pools.push_back(std::move(p));
        pool_where.push_back(t->source());
    }
    if (auto r = check_pools(c, s, pool_where); !r) return r.error();
    resolve_lock_types(s);
    if (auto r = check_relations(c, s); !r) return r.error();
    return s;
}

}  // namespace

namespace detail {

std::string at(const context& c, const toml::source_region& where) {
    if (where.begin.line == 0) return c.file + ": ";
    return c.file + ":" + std::to_string(where.begin.line) + ": ";
}

error config_fail(const context& c, const toml::source_region& where, std::string_view option, std::string_view what) {
    return fail(errc::config_error, at(c, where) + "option '" + std::string(option) + "': " + std::string(what));
}

// Applies every key of `t` to `target`; `nested` are keys holding sub-tables handled by the
// caller (client.account, client.window).
result<void> apply_table(const context& c, const toml::table& t, std::string_view section, void* target,
                         std::initializer_list<std::string_view> nested) {
    apply_defaults(section, target);
    std::set<std::string, std::less<>> seen;
    for (auto&& [k, node] : t) {
        if (std::find(nested.begin(), nested.end(), k.str()) != nested.end()) continue;
        const option_entry* e = find_entry(section, k.str());
        if (!e) {
            std::string name = std::string(section) + "." + std::string(k.str());
            return fail(errc::config_error,
                        at(c, k.source()) + "unknown option '" + name + "'" + suggestion(section, k.str()));
        }
        auto v = convert(c, *e, node);
        if (!v) return v.error();
        e->set(target, *v);
        seen.insert(std::string(k.str()));
    }
    for (const auto& e : detail::entries())
        if (e.info.section == section && e.info.required && !seen.contains(e.info.key))
            return config_fail(c, t.source(), e.info.name(), "is required");
    return {};
}

}  // namespace detail

settings defaults() {
    settings s;
    apply_defaults("daemon", &s.daemon);
    apply_defaults("sync", &s.sync);
    apply_defaults("reservations", &s.reservations);
    apply_defaults("api", &s.api);
    return s;
}

result<settings> load_string(std::string_view text, std::string_view name) {
    return load(text, context{std::string(name), ""});
}

result<settings> load_file(const std::string& path) {
    auto text = detail::read_config_file(path);
    if (!text) return text.error();
    auto slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "" : (slash == 0 ? "/" : path.substr(0, slash));
    return load(*text, context{path, dir});
}

}  // namespace agentd::config
