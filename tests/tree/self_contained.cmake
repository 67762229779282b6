# tree_self_contained: fails when a file of the tree points outside the tree — at a reference
# document a clone does not have (section-sign references, the old reference files' names), at a
# sibling folder next to the checkout, at the development machine's work folder, or at a home
# directory. A clone must explain itself: docs/architecture.md and docs/upstream-contract.md are
# where such references go (docs/testing.md, "Tree checks").
#
#   cmake -DSOURCE_DIR=<checkout> -P tests/tree/self_contained.cmake
#
# Files: `git ls-files` (tracked, and new files not ignored) when SOURCE_DIR is a git checkout,
# else a glob of the source folders.
# The patterns are assembled from pieces so that this script does not match itself.
cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

set(files)
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} ls-files --cached --others --exclude-standard
    OUTPUT_VARIABLE listed RESULT_VARIABLE git_rc ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(git_rc EQUAL 0 AND listed)
    string(REPLACE "\n" ";" files "${listed}")
  endif()
endif()
if(NOT files)
  file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}
    ${SOURCE_DIR}/*.md ${SOURCE_DIR}/CMakeLists.txt
    ${SOURCE_DIR}/agentd/* ${SOURCE_DIR}/sim/* ${SOURCE_DIR}/tests/* ${SOURCE_DIR}/bench/*
    ${SOURCE_DIR}/fuzz/* ${SOURCE_DIR}/cmake/* ${SOURCE_DIR}/conf/* ${SOURCE_DIR}/docs/*
    ${SOURCE_DIR}/scripts/* ${SOURCE_DIR}/systemd/* ${SOURCE_DIR}/migrations/* ${SOURCE_DIR}/schema/*)
endif()
list(LENGTH files n_files)
if(n_files EQUAL 0)
  message(FATAL_ERROR "tree_self_contained: no files found under ${SOURCE_DIR}")
endif()

string(ASCII 194 167 section_sign)  # U+00A7 in UTF-8
string(CONCAT p_shared "[.][.]/shar" "ed")
string(CONCAT p_work "/wo" "rk/")
string(CONCAT p_root "(^|[^A-Za-z0-9_.])/ro" "ot/")
set(patterns
  "${section_sign}"          # a section of a document outside the tree
  "DESIGN[.]md"              # the design file that is not part of the tree
  "(STYLE|MEASURED)[.]md"    # the other reference notes that are not part of the tree
  "agency-api[.]md"          # the reference the upstream contract was distilled from
  "${p_shared}"              # a sibling folder next to the checkout
  "${p_work}"                # the development machine's work folder
  "/home/[A-Za-z0-9_.-]+"    # anyone's home directory
  "${p_root}")               # root's home directory

set(found 0)
foreach(rel IN LISTS files)
  set(path ${SOURCE_DIR}/${rel})
  if(IS_DIRECTORY ${path} OR NOT EXISTS ${path})
    continue()
  endif()
  # Fuzz seeds and other binary inputs are data, not prose.
  if(rel MATCHES "^fuzz/corpus/")
    continue()
  endif()
  file(READ ${path} text)
  set(hit FALSE)
  foreach(p IN LISTS patterns)
    if(text MATCHES "${p}")
      set(hit TRUE)
      break()
    endif()
  endforeach()
  if(NOT hit)
    continue()
  endif()
  # Report each offending line once, with its number. Square brackets, semicolons and
  # backslashes would change how CMake splits the list: neutralise them.
  string(REPLACE "\\" "|" text_lines "${text}")
  string(REPLACE ";" "," text_lines "${text_lines}")
  string(REPLACE "[" "(" text_lines "${text_lines}")
  string(REPLACE "]" ")" text_lines "${text_lines}")
  string(REPLACE "\n" ";" text_lines "${text_lines}")
  set(line_no 0)
  foreach(line IN LISTS text_lines)
    math(EXPR line_no "${line_no} + 1")
    foreach(p IN LISTS patterns)
      if(line MATCHES "${p}")
        string(STRIP "${line}" shown)
        message("${rel}:${line_no}: ${shown}")
        math(EXPR found "${found} + 1")
        break()
      endif()
    endforeach()
  endforeach()
endforeach()

if(found GREATER 0)
  message(FATAL_ERROR "tree_self_contained: ${found} line(s) point outside the tree; "
    "refer to docs/architecture.md or docs/upstream-contract.md instead")
endif()
message(STATUS "tree_self_contained: ${n_files} files checked, none points outside the tree")
