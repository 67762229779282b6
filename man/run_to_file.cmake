# cmake -DTOOL=<binary> -DARGS=<a|b> -DOUT=<file> [-DGZIP=ON] -P run_to_file.cmake
# Writes the tool's standard output to OUT (and OUT.gz, gzip -9n: no name or time stamp, so the
# package is reproducible); fails when the tool does.
string(REPLACE "|" ";" ARGS "${ARGS}")  # "|" separates arguments: a ";" would not survive the command line
execute_process(COMMAND ${TOOL} ${ARGS} OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT})
  message(FATAL_ERROR "${TOOL} ${ARGS} failed: ${rc}")
endif()
if(GZIP)
  execute_process(COMMAND gzip -9nc ${OUT} OUTPUT_FILE ${OUT}.gz RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${OUT} failed: ${rc}")
  endif()
endif()
