# Build step (see GraphRunnerInstall.cmake): writes the bash completion script that the
# built graph-runner generates from its own command line.
#   cmake -DGRAPH_RUNNER=path/to/graph-runner -DOUTPUT=file -P write_completion.cmake
execute_process(COMMAND ${GRAPH_RUNNER} completion bash OUTPUT_FILE ${OUTPUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "`${GRAPH_RUNNER} completion bash` failed: ${rc}")
endif()
file(RENAME ${OUTPUT}.tmp ${OUTPUT})
