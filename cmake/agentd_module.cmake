# agentd_module(NAME <name> DEPS <targets...>)
# Builds agentd/<name>/*.cpp into a static library agentd_<name> (alias agentd::<name>).
# Sources are globbed so that adding a file never needs an edit here; the dependency edges
# are the module table of docs/architecture.md (tests/tree/module_includes.cmake checks them).
function(agentd_module)
  cmake_parse_arguments(M "" "NAME" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(agentd_${M_NAME} STATIC ${srcs})
  add_library(agentd::${M_NAME} ALIAS agentd_${M_NAME})
  target_include_directories(agentd_${M_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(agentd_${M_NAME} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()

# agentd_test(NAME <name> DEPS <targets...> [LABELS ...])
# One doctest executable per test folder, registered with CTest as a single test so that
# ctest's output stays readable; doctest prints each failing assertion.
function(agentd_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "DEPS;LABELS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_executable(test_${T_NAME} ${srcs})
  set_target_properties(test_${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(test_${T_NAME} PRIVATE agentd_test_main ${T_DEPS})
  add_test(NAME ${T_NAME} COMMAND test_${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "AGENTD_BIN_DIR=${CMAKE_BINARY_DIR}/bin;AGENTD_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
  # One build target per tier (tests_unit, tests_integration, tests_e2e), so a build directory
  # that only runs some tiers (the sanitizer build in scripts/test) compiles only those.
  string(REGEX MATCH "^[a-z0-9]+" tier ${T_NAME})
  if(NOT TARGET tests_${tier})
    add_custom_target(tests_${tier})
  endif()
  add_dependencies(tests_${tier} test_${T_NAME})
endfunction()
