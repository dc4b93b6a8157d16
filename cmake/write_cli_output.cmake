# Build step (see GraphRunnerInstall.cmake): writes what the built graph-runner prints for a
# command generated from its own command line (`completion bash`, `man`), gzipped with
# GZIP (gzip -9n: no name or time stamp, so the file is the same at every build) when given.
#   cmake -DGRAPH_RUNNER=path/to/graph-runner "-DARGS=completion;bash" -DOUTPUT=file [-DGZIP=gzip] -P write_cli_output.cmake
execute_process(COMMAND ${GRAPH_RUNNER} ${ARGS} OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "`${GRAPH_RUNNER} ${ARGS}` failed: ${rc}")
endif()
if(GZIP)
  execute_process(COMMAND ${GZIP} -9n -c ${OUTPUT}.tmp OUTPUT_FILE ${OUTPUT}.gz.tmp RESULT_VARIABLE rc)
  file(REMOVE ${OUTPUT}.tmp)
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUTPUT}.gz.tmp)
    message(FATAL_ERROR "`${GZIP} -9n` failed: ${rc}")
  endif()
  file(RENAME ${OUTPUT}.gz.tmp ${OUTPUT})
else()
  file(RENAME ${OUTPUT}.tmp ${OUTPUT})
endif()
