// store/libpq_loader: libpq is loaded (dlopen of libpq.so.5) the first time a PostgreSQL database
// is opened, not linked into every process. Linked, it and what it pulls in (Kerberos, LDAP,
// GnuTLS, SASL) are mapped and initialised at every start, ~3.5 MiB resident in a daemon that
// runs on SQLite. libpq_loader.cpp defines the libpq functions store/ calls as forwarders to
// the loaded library, so the code that speaks to PostgreSQL calls them as declared in libpq-fe.h.
// Threading: any thread; the load happens once.
#pragma once

#include "agentd/core/error.hpp"

namespace agentd::store {

// Loads libpq once; a clear error (naming the package to install) when it cannot be loaded.
// Every path that opens a PostgreSQL connection calls this before any libpq function.
result<void> load_libpq();

}  // namespace agentd::store
