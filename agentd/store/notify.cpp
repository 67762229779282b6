#include "agentd/store/notify.hpp"
#include "agentd/store/database.hpp"
#include "agentd/store/libpq_loader.hpp"
#include "agentd/store/sqlite.hpp"

#include <libpq-fe.h>

#include <cctype>

namespace agentd::store {
namespace {

bool plain_identifier(std::string_view s) {
    if (s.empty() || s.size() > 63 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

}  // namespace

result<void> notify(write_txn& t, std::string_view channel, std::string_view payload) {
    if (!plain_identifier(channel)) return fail(errc::invalid_argument, "notify: channel must be a plain identifier");
    if (!t.conn().is_postgresql()) return {};
    auto st = t.prepare("notify", "SELECT pg_notify(?1, ?2)");
    if (!st) return st.error();
    st->bind(1, channel).bind(2, payload);
    if (auto r = st->run(); !r) return r.error().wrap("notify " + std::string(channel));
    return {};
}

struct listener::impl {
    PGconn* conn = nullptr;
    std::string display;
    std::vector<std::string> channels;

    ~impl() {
        if (conn) PQfinish(conn);
    }

    result<void> listen_all() {
        for (const auto& ch : channels) {
            const std::string sql = "LISTEN " + ch;
            PGresult* r = PQexec(conn, sql.c_str());
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            std::string msg = ok ? std::string() : std::string(PQerrorMessage(conn));
            PQclear(r);
            if (!ok) return fail(errc::unavailable, "listen on " + display + ": " + msg);
        }
        return {};
    }
};

result<listener> listener::open(const std::string& database, const std::vector<std::string>& channels) {
    listener l;
    if (!is_postgresql_url(database)) return l;
    for (const auto& ch : channels)
        if (!plain_identifier(ch)) return fail(errc::invalid_argument, "listen: channel '" + ch + "' is not a plain identifier");
    auto i = std::make_unique<impl>();
    i->display = redact_database(database);
    i->channels = channels;
    // As store/postgres.cpp's connections: defaults the URL may override.
    const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                          "tcp_user_timeout", "fallback_application_name", "dbname", nullptr};
    const char* values[] = {"10", "5", "5", "3", "20000", "agentd", database.c_str(), nullptr};
    if (auto l = load_libpq(); !l) return l.error().wrap("listen on " + i->display);
    i->conn = PQconnectdbParams(keys, values, 1);
    if (!i->conn || PQstatus(i->conn) != CONNECTION_OK)
        return fail(errc::unavailable, "listen on " + i->display + ": " + (i->conn ? PQerrorMessage(i->conn) : "out of memory"));
    if (auto r = i->listen_all(); !r) return r.error();
    l.impl_ = std::move(i);
    return l;
}

listener::listener(listener&&) noexcept = default;
listener& listener::operator=(listener&&) noexcept = default;
listener::~listener() = default;

int listener::fd() const noexcept { return impl_ ? PQsocket(impl_->conn) : -1; }

result<std::vector<notification>> listener::drain() {
    std::vector<notification> out;
    if (!impl_) return out;
    if (PQconsumeInput(impl_->conn) == 0 || PQstatus(impl_->conn) != CONNECTION_OK) {
        PQreset(impl_->conn);
        if (PQstatus(impl_->conn) != CONNECTION_OK)
            return fail(errc::unavailable, "listen on " + impl_->display + ": " + PQerrorMessage(impl_->conn));
        if (auto r = impl_->listen_all(); !r) return r.error();
        return fail(errc::unavailable, "listen on " + impl_->display + ": reconnected; notifications may have been missed");
    }
    while (PGnotify* n = PQnotifies(impl_->conn)) {
        out.push_back({n->relname ? n->relname : "", n->extra ? n->extra : ""});
        PQfreemem(n);
    }
    return out;
}

}  // namespace agentd::store
