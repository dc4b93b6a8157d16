# Helpers of the scripts that work with an installed graph-runner (install_prefix.cmake,
# sdk_consumer.cmake, tests/scaffold/scaffold_project.cmake). Each script sets WORK_DIR.

# run(NAME command...): runs a step in WORK_DIR without GRAPH_RUNNER_PLUGIN_PATH (so only
# the folders the test names are searched); stops the test with its output when it fails.
# The step's stdout is left in ${NAME}_out, its stderr in ${NAME}_err. RUN_DIR, when set,
# replaces WORK_DIR as the working folder; LIBRARY_PATH, when set, is the LD_LIBRARY_PATH
# (a package extracted into a scratch root, whose binaries carry no RUNPATH).
macro(run name)
  if(DEFINED RUN_DIR)
    set(run_dir ${RUN_DIR})
  else()
    set(run_dir ${WORK_DIR})
  endif()
  set(run_env --unset=GRAPH_RUNNER_PLUGIN_PATH)
  if(DEFINED LIBRARY_PATH)
    list(APPEND run_env LD_LIBRARY_PATH=${LIBRARY_PATH})
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ${run_env} ${ARGN}
    WORKING_DIRECTORY ${run_dir} RESULT_VARIABLE rc OUTPUT_VARIABLE ${name}_out ERROR_VARIABLE ${name}_err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step '${name}' failed (${rc}): ${ARGN}\n"
      "--- stdout ---\n${${name}_out}--- stderr ---\n${${name}_err}")
  endif()
endmacro()

# expect_exports(LIBRARY ALLOWED [FORBIDDEN]): LIBRARY defines dynamic symbols, and each of
# them (demangled) starts with a match of ALLOWED and contains no match of FORBIDDEN.
function(expect_exports library allowed)
  run(nm ${NM} -D --defined-only -C ${library})
  string(REPLACE ";" "," nm_out "${nm_out}")  # one list element per line
  string(REPLACE "\n" ";" symbols "${nm_out}")
  list(FILTER symbols INCLUDE REGEX ".")
  if(NOT symbols)
    message(FATAL_ERROR "${library} exports nothing")
  endif()
  set(foreign)
  foreach(line IN LISTS symbols)
    if(NOT line MATCHES "^[0-9a-f]+ [A-Za-z] (${allowed})" OR (ARGC GREATER 2 AND line MATCHES "${ARGV2}"))
      list(APPEND foreign "${line}")
    endif()
  endforeach()
  if(foreign)
    list(JOIN foreign "\n  " foreign)
    message(FATAL_ERROR "${library} exports more than it should:\n  ${foreign}")
  endif()
endfunction()

# expect_match(WHAT TEXT REGEX): TEXT matches REGEX, or the test stops showing both.
function(expect_match what text regex)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: expected a match of\n  ${regex}\n--- actual ---\n${text}")
  endif()
endfunction()
