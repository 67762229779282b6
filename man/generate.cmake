# Included by the top-level CMakeLists.txt once agentd, agentctl and agentd-sim are defined: runs
# their hidden --man / --bash-completion to write the pages into <build>/man/ (plain, for
# tests/unit/man, and gzip -9n, as Debian ships them), built by default with the binaries.
set(AGENTD_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(agentd_man_outputs)
function(agentd_generated file tool args gzip)
  if(NOT TARGET ${tool})
    return()
  endif()
  set(outputs ${AGENTD_MAN_DIR}/${file})
  if(gzip)
    list(APPEND outputs ${AGENTD_MAN_DIR}/${file}.gz)
  endif()
  add_custom_command(OUTPUT ${outputs}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${AGENTD_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:${tool}> "-DARGS=${args}" -DOUT=${AGENTD_MAN_DIR}/${file}
            -DGZIP=${gzip} -P ${PROJECT_SOURCE_DIR}/man/run_to_file.cmake
    DEPENDS ${tool} ${PROJECT_SOURCE_DIR}/man/run_to_file.cmake
    COMMENT "Generating ${file}"
    VERBATIM)
  set(agentd_man_outputs ${agentd_man_outputs} ${outputs} PARENT_SCOPE)
endfunction()
agentd_generated(agentd.8 agentd "--man" ON)
agentd_generated(agentctl.8 agentctl "--man" ON)
agentd_generated(agentd.toml.5 agentctl "--man|agentd.toml" ON)
agentd_generated(agentd-sim.1 agentd-sim "--man" ON)
agentd_generated(agentctl.bash-completion agentctl "--bash-completion" OFF)
add_custom_target(man ALL DEPENDS ${agentd_man_outputs})
