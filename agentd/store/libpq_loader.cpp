#include "agentd/store/libpq_loader.hpp"

#include <libpq-fe.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <string>

namespace agentd::store {
namespace {

struct library {
    void* handle = nullptr;
    std::string error;
};

const library& libpq() {
    static const library lib = [] {
        library l;
        // RTLD_LOCAL: its symbols stay its own and never stand in for anyone else's.
        l.handle = ::dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
        if (!l.handle) {
            const char* e = ::dlerror();
            l.error = e ? e : "unknown dlopen error";
        }
        return l;
    }();
    return lib;
}

// The function named `name` in the loaded libpq. Reached only after load_libpq() succeeded
// (every connection is opened through it), and libpq 5 has exported all of these since
// PostgreSQL 9; a miss is a broken installation, not an input, so the process stops saying so.
template <class F>
F symbol(const char* name) {
    void* p = libpq().handle ? ::dlsym(libpq().handle, name) : nullptr;
    if (!p) {
        std::fprintf(stderr, "agentd: libpq.so.5 has no %s (%s); the PostgreSQL client library is broken\n", name,
                     libpq().error.c_str());
        std::abort();
    }
    return std::bit_cast<F>(p);
}

}  // namespace

result<void> load_libpq() {
    if (libpq().handle) return {};
    return fail(errc::config_error, "PostgreSQL databases need the PostgreSQL client library (libpq.so.5, Debian package "
                                    "libpq5), which could not be loaded: " + libpq().error);
}

}  // namespace agentd::store

// The libpq functions store/ uses, each resolved once on first call. Defining them with the
// declarations of libpq-fe.h in scope makes the compiler check every signature against it.
using agentd::store::symbol;
#define AGENTD_LIBPQ(name) static const auto f = symbol<decltype(&::name)>(#name)

extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values, int expand_dbname) {
    AGENTD_LIBPQ(PQconnectdbParams);
    return f(keywords, values, expand_dbname);
}
void PQfinish(PGconn* conn) {
    AGENTD_LIBPQ(PQfinish);
    f(conn);
}
void PQreset(PGconn* conn) {
    AGENTD_LIBPQ(PQreset);
    f(conn);
}
ConnStatusType PQstatus(const PGconn* conn) {
    AGENTD_LIBPQ(PQstatus);
    return f(conn);
}
PGTransactionStatusType PQtransactionStatus(const PGconn* conn) {
    AGENTD_LIBPQ(PQtransactionStatus);
    return f(conn);
}
char* PQerrorMessage(const PGconn* conn) {
    AGENTD_LIBPQ(PQerrorMessage);
    return f(conn);
}
PGresult* PQexec(PGconn* conn, const char* query) {
    AGENTD_LIBPQ(PQexec);
    return f(conn, query);
}
PGresult* PQprepare(PGconn* conn, const char* stmtName, const char* query, int nParams, const Oid* paramTypes) {
    AGENTD_LIBPQ(PQprepare);
    return f(conn, stmtName, query, nParams, paramTypes);
}
PGresult* PQexecPrepared(PGconn* conn, const char* stmtName, int nParams, const char* const* paramValues,
                         const int* paramLengths, const int* paramFormats, int resultFormat) {
    AGENTD_LIBPQ(PQexecPrepared);
    return f(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat);
}
ExecStatusType PQresultStatus(const PGresult* res) {
    AGENTD_LIBPQ(PQresultStatus);
    return f(res);
}
char* PQresultErrorMessage(const PGresult* res) {
    AGENTD_LIBPQ(PQresultErrorMessage);
    return f(res);
}
char* PQresultErrorField(const PGresult* res, int fieldcode) {
    AGENTD_LIBPQ(PQresultErrorField);
    return f(res, fieldcode);
}
int PQntuples(const PGresult* res) {
    AGENTD_LIBPQ(PQntuples);
    return f(res);
}
int PQnfields(const PGresult* res) {
    AGENTD_LIBPQ(PQnfields);
    return f(res);
}
char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
    AGENTD_LIBPQ(PQgetvalue);
    return f(res, tup_num, field_num);
}
int PQgetlength(const PGresult* res, int tup_num, int field_num) {
    AGENTD_LIBPQ(PQgetlength);
    return f(res, tup_num, field_num);
}
int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
    AGENTD_LIBPQ(PQgetisnull);
    return f(res, tup_num, field_num);
}
char* PQcmdStatus(PGresult* res) {
    AGENTD_LIBPQ(PQcmdStatus);
    return f(res);
}
char* PQcmdTuples(PGresult* res) {
    AGENTD_LIBPQ(PQcmdTuples);
    return f(res);
}
void PQclear(PGresult* res) {
    AGENTD_LIBPQ(PQclear);
    f(res);
}
void PQfreemem(void* ptr) {
    AGENTD_LIBPQ(PQfreemem);
    f(ptr);
}
unsigned char* PQunescapeBytea(const unsigned char* strtext, size_t* retbuflen) {
    AGENTD_LIBPQ(PQunescapeBytea);
    return f(strtext, retbuflen);
}

}  // extern "C"

#undef AGENTD_LIBPQ
