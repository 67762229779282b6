# Generates a C++ source embedding every migrations/NNNN_name.sql, in version order, each with
# its PostgreSQL text migrations/postgresql/NNNN_name.sql when that file exists (else empty:
# the SQLite text is used, rewritten mechanically; see store/migrations.hpp).
# Run by the build (see CMakeLists.txt) with -DDIR=<migrations dir> -DOUT=<generated .cpp>.
file(GLOB files ${DIR}/*.sql)
list(SORT files)
set(body "")
set(expected 1)
foreach(f ${files})
  get_filename_component(base ${f} NAME)
  if(NOT base MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration ${base}: name must be NNNN_lowercase_words.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration ${base}: expected version ${expected} (versions must be 1, 2, 3... without gaps)")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ ${f} sql)
  string(FIND "${sql}" ")agentd_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration ${base}: contains the raw-string delimiter")
  endif()
  string(REGEX REPLACE "\\.sql$" "" stem ${base})
  set(pg_sql "")
  if(EXISTS ${DIR}/postgresql/${base})
    file(READ ${DIR}/postgresql/${base} pg_sql)
    string(FIND "${pg_sql}" ")agentd_sql\"" clash)
    if(NOT clash EQUAL -1)
      message(FATAL_ERROR "migration postgresql/${base}: contains the raw-string delimiter")
    endif()
  endif()
  string(APPEND body "    {${version}, \"${stem}\", R\"agentd_sql(${sql})agentd_sql\", R\"agentd_sql(${pg_sql})agentd_sql\"},\n")
endforeach()
file(GLOB pg_files ${DIR}/postgresql/*.sql)
foreach(f ${pg_files})
  get_filename_component(base ${f} NAME)
  if(NOT EXISTS ${DIR}/${base})
    message(FATAL_ERROR "migration postgresql/${base}: no migrations/${base} of the same name")
  endif()
endforeach()
if(body STREQUAL "")
  message(FATAL_ERROR "no migrations found in ${DIR}")
endif()
set(text "// Generated from migrations/*.sql by agentd/store/embed_migrations.cmake; do not edit.
#include \"agentd/store/migrations.hpp\"

namespace agentd::store::detail {

const migration k_migrations[] = {
${body}};
const std::size_t k_migration_count = sizeof(k_migrations) / sizeof(k_migrations[0]);

}  // namespace agentd::store::detail
")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${text}")
  file(WRITE ${OUT} "${text}")
endif()
