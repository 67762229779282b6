#include "agentd/store/reader.hpp"
#include "agentd/store/migrations.hpp"
#include "agentd/store/pragmas.hpp"

namespace agentd::store {

result<reader> reader::open(const std::string& path, reader_options o) {
    auto c = connection::open(path, connection::open_mode::read_only);
    if (!c) return c.error();
    if (auto r = apply_pragmas(*c, connection_role::reader, {o.busy_timeout, o.cache_size_kib}); !r)
        return r.error().wrap("open reader");
    auto v = user_version(*c);
    if (!v) return v.error().wrap("open reader on " + redact_database(path));
    if (*v > binary_schema_version())
        return fail(errc::conflict, "open database " + redact_database(path) + ": schema version " + std::to_string(*v) +
                                        " is newer than this agentd supports (" + std::to_string(binary_schema_version()) + ")");
    reader r;
    r.conn_ = std::move(*c);
    r.schema_version_ = *v;
    return r;
}

}  // namespace agentd::store
