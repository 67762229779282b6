// config check, db stats, db check: no daemon needed.
#include "agentd/api/json.hpp"
#include "agentd/cli/commands.hpp"
#include "agentd/cli/exit_codes.hpp"
#include "agentd/cli/format.hpp"
#include "agentd/config/config.hpp"
#include "agentd/store/admin.hpp"
#include "agentd/store/sqlite.hpp"

#include <ostream>

namespace agentd::cli {

int cmd_config_check(context& ctx, const positionals& a) {
    auto file = a.empty() ? ctx.args().get("config") : std::optional(a[0]);
    if (!file) return ctx.report(exit_usage, "config check: which file? give FILE or --config FILE");
    auto s = config::load_file(*file);
    if (!s) {
        if (ctx.json()) {
            api::config_check_report rep;
            rep.file = *file;
            rep.error = s.error().message;
            ctx.out() << api::to_json(rep) << "\n";
        }
        return ctx.report(exit_config, "config " + *file + " is invalid: " + s.error().message);
    }
    auto text = config::to_string(*s);  // secrets appear as [redacted]
    if (ctx.json()) {
        api::config_check_report rep;
        rep.file = *file;
        rep.ok = true;
        rep.clients = static_cast<std::int64_t>(s->clients.size());
        rep.channels = static_cast<std::int64_t>(s->channels.size());
        rep.effective = text;
        ctx.out() << api::to_json(rep) << "\n";
        return exit_ok;
    }
    ctx.out() << text;
    if (!text.empty() && text.back() != '\n') ctx.out() << "\n";
    ctx.out() << "\nconfig " << *file << " is valid: " << s->clients.size() << " client(s), " << s->channels.size()
              << " channel(s)\n";
    return exit_ok;
}

int cmd_db_stats(context& ctx, const positionals&) {
    auto path = ctx.database_path();
    if (!path) return ctx.code();
    const std::string shown = store::redact_database(*path);  // a PostgreSQL URL without its password
    auto st = store::stats(*path);
    if (!st) return ctx.report(exit_db, "db stats " + shown + ": " + st.error().message);
    if (ctx.json()) {
        api::db_stats_report rep{shown,           st->user_version,   st->binary_version, st->page_size,
                                 st->page_count,  st->freelist_count, st->file_bytes,     st->wal_bytes,
                                 st->tables};
        ctx.out() << api::to_json(rep) << "\n";
        return exit_ok;
    }
    auto& o = ctx.out();
    o << "database " << shown << "\n";
    o << "  schema version  " << st->user_version << " (this agentctl knows " << st->binary_version << ")\n";
    if (store::is_postgresql_url(*path)) {
        o << "  size            " << st->file_bytes << " bytes (PostgreSQL database)\n\n";
    } else {
        o << "  file            " << st->file_bytes << " bytes (" << st->page_count << " pages of " << st->page_size << ", "
          << st->freelist_count << " free)\n";
        o << "  wal             " << st->wal_bytes << " bytes\n\n";
    }
    table t({"TABLE", "ROWS"});
    for (auto& [name, n] : st->tables) t.add({name, std::to_string(n)});
    o << t.render();
    if (st->user_version != st->binary_version)
        o << "\nnote: schema version differs from this build's; agentd migrates forward on start\n";
    return exit_ok;
}

int cmd_db_check(context& ctx, const positionals&) {
    auto path = ctx.database_path();
    if (!path) return ctx.code();
    const std::string shown = store::redact_database(*path);
    auto rep = store::integrity_check(*path);
    if (!rep) return ctx.report(exit_db, "db check " + shown + ": " + rep.error().message);
    if (ctx.json()) {
        ctx.out() << api::to_json(api::db_check_report{shown, rep->ok, rep->problems}) << "\n";
    } else if (rep->ok) {
        ctx.out() << "database " << shown << ": integrity ok\n";
    } else {
        ctx.out() << "database " << shown << ": " << rep->problems.size() << " problem(s)\n";
        for (auto& p : rep->problems) ctx.out() << "  " << p << "\n";
    }
    if (!rep->ok) {
        return ctx.report(exit_db, "db check " + shown + ": integrity check failed");
    }
    return exit_ok;
}

}  // namespace agentd::cli
