# tree_module_includes: every module includes only itself and the modules its CMakeLists.txt
# links directly, and third-party headers stay where docs/architecture.md puts them.
#
#   cmake -DSOURCE_DIR=<checkout> -P tests/tree/module_includes.cmake
#
# A module is a folder agentd/<m>/ (subfolders belong to it). Its allowed modules are every
# `agentd::<n>` named in an agentd_module(...) or target_link_libraries(...) call of
# agentd/<m>/CMakeLists.txt (DEPS and PRIVATE_DEPS alike: both are direct edges). Folders are
# globbed, so a new module (agentd/mirror/) is checked as soon as it exists; a folder without a
# CMakeLists.txt may use no other module. sim/, bench/, tests/ and fuzz/ are outside the check.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

# Third-party confinement: header pattern, the modules allowed to include it (empty: see below).
set(beast_modules net upstream control app cli)
set(third_party_domain_ban "^(boost|openssl|rapidjson|toml[+][+])/|^sqlite3[.]h$|^libpq-fe[.]h$")

file(GLOB module_dirs LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR}/agentd ${SOURCE_DIR}/agentd/*)
set(modules)
foreach(m IN LISTS module_dirs)
  if(IS_DIRECTORY ${SOURCE_DIR}/agentd/${m})
    list(APPEND modules ${m})
  endif()
endforeach()
if(NOT modules)
  message(FATAL_ERROR "tree_module_includes: no module folders under ${SOURCE_DIR}/agentd")
endif()

# The module table, as the CMake files declare it.
foreach(m IN LISTS modules)
  set(deps_${m})
  set(cm ${SOURCE_DIR}/agentd/${m}/CMakeLists.txt)
  if(NOT EXISTS ${cm})
    continue()
  endif()
  file(READ ${cm} text)
  string(REGEX REPLACE "#[^\n]*" "" text "${text}")  # comments
  string(REGEX MATCHALL "(agentd_module|target_link_libraries)[ \t]*[(][^)]*[)]" calls "${text}")
  foreach(call IN LISTS calls)
    string(REGEX MATCHALL "agentd::[a-z_0-9]+" named "${call}")
    foreach(n IN LISTS named)
      string(REPLACE "agentd::" "" n ${n})
      list(APPEND deps_${m} ${n})
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES deps_${m})
  list(JOIN deps_${m} ", " shown)
  message(STATUS "module ${m}: may use ${shown}")
endforeach()

set(violations 0)
macro(violation text)
  message("${text}")
  math(EXPR violations "${violations} + 1")
endmacro()

foreach(m IN LISTS modules)
  file(GLOB_RECURSE sources RELATIVE ${SOURCE_DIR}
    ${SOURCE_DIR}/agentd/${m}/*.cpp ${SOURCE_DIR}/agentd/${m}/*.hpp)
  foreach(rel IN LISTS sources)
    file(STRINGS ${SOURCE_DIR}/${rel} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      if(NOT line MATCHES "include[ \t]*[<\"]([^>\"]+)[>\"]")
        continue()
      endif()
      set(header ${CMAKE_MATCH_1})
      if(header MATCHES "_detail[.]hpp$" AND (NOT rel MATCHES "[.]cpp$" OR NOT header MATCHES "^agentd/${m}/"))
        violation("${rel}: includes ${header}, which is private to its module's .cpp files")
      endif()
      if(header MATCHES "^agentd/([a-z_0-9]+)/")
        set(n ${CMAKE_MATCH_1})
        if(NOT n STREQUAL m AND NOT n IN_LIST deps_${m})
          violation("${rel}: includes ${header}, but agentd/${m}/CMakeLists.txt does not link agentd::${n}")
        endif()
        continue()
      endif()
      if(header STREQUAL "sqlite3.h" AND NOT m STREQUAL "store")
        violation("${rel}: includes sqlite3.h; only store/ may")
      endif()
      if(header STREQUAL "libpq-fe.h" AND (NOT m STREQUAL "store" OR NOT rel MATCHES "[.]cpp$"))
        violation("${rel}: includes libpq-fe.h; only store/ .cpp files may")
      endif()
      # A module-private header (`*_detail.hpp`) may carry RapidJSON to the module's own codec
      # files; the loop below proves only .cpp files of that module include it.
      if(header MATCHES "^rapidjson/" AND NOT rel MATCHES "[.]cpp$" AND NOT rel MATCHES "_detail[.]hpp$")
        violation("${rel}: includes ${header} in a header; RapidJSON stays in .cpp files")
      endif()
      if(header MATCHES "^boost/beast" AND NOT m IN_LIST beast_modules)
        list(JOIN beast_modules ", " shown)
        violation("${rel}: includes ${header}; Beast stays in ${shown}")
      endif()
      if(m STREQUAL "domain" AND header MATCHES "${third_party_domain_ban}")
        violation("${rel}: includes ${header}; domain/ is pure (std and agentd/core only)")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "tree_module_includes: ${violations} include(s) break the module table")
endif()
list(LENGTH modules n_modules)
message(STATUS "tree_module_includes: ${n_modules} modules, every include within its row")
