# Runs one command and checks what a user would see: exit code, stdout, stderr.
#
#   cmake -DEXPECT_EXIT=2 "-DSTDERR_MATCH=re1;re2" [-DSTDOUT_MATCH=...] [-DSTDOUT_EXACT=text]
#         [-DSTDOUT_BASELINE=file] [-DNORMALIZE_LIBRARIES=ON] [-DFILE=path "-DFILE_MATCH=re..."]
#         [-DNO_FILE=path] -P check.cmake -- COMMAND [ARGS...]
#
# Every regex of a *_MATCH list must match (FILE_MATCH: in the file the command wrote). A baseline is compared byte for byte; on a
# mismatch the actual output is written to <baseline name>.actual in the working folder (in
# the build tree), so approving a change is a review of the diff and one `cp`. Or, after
# reviewing, approve every changed baseline at once:
#   GRAPH_RUNNER_APPROVE=1 ctest --test-dir BUILD -R 'golden|describe'   (then review git diff)
# NO_FILE: the command must not have created that path (e.g. validate writes no output).
# STDERR_BASELINE compares stderr the same way, after MASK: every match of each MASK regex is
# replaced with " ~" (a regex takes the spaces before a figure too: its width varies), so figures that change from run to run (times, percentages, rates) are
# masked and the rest of a table is compared exactly.
# NORMALIZE_LIBRARIES replaces the folder of every lib*.so path with <plugin-dir>, so a
# baseline does not depend on where the build tree is.
cmake_minimum_required(VERSION 3.25)

set(command)
set(in_command FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE 0 ${last})
  if(in_command)
    list(APPEND command "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(in_command TRUE)
  endif()
endforeach()
if(NOT command)
  message(FATAL_ERROR "check.cmake: no command after --")
endif()
if(NOT DEFINED EXPECT_EXIT)
  set(EXPECT_EXIT 0)
endif()

if(DEFINED FILE)
  file(REMOVE "${FILE}")  # from an earlier run: it must be this run's
endif()
if(DEFINED NO_FILE)
  file(REMOVE_RECURSE "${NO_FILE}")
endif()
execute_process(COMMAND ${command}
  RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)

set(failures)
if(NOT exit_code STREQUAL "${EXPECT_EXIT}")
  list(APPEND failures "exit code ${exit_code}, expected ${EXPECT_EXIT}")
endif()

if(NORMALIZE_LIBRARIES)
  string(REGEX REPLACE "[^ \n\"]*/(lib[A-Za-z0-9_]+\\.so)" "<plugin-dir>/\\1" out "${out}")
endif()

foreach(stream out err)
  string(TOUPPER "STD${stream}" name)
  foreach(re IN LISTS ${name}_MATCH)
    if(NOT "${${stream}}" MATCHES "${re}")
      list(APPEND failures "${name} does not match '${re}'")
    endif()
  endforeach()
endforeach()

if(DEFINED FILE)
  if(NOT EXISTS "${FILE}")
    list(APPEND failures "the command did not write ${FILE}")
  else()
    file(READ "${FILE}" written)
    foreach(re IN LISTS FILE_MATCH)
      if(NOT written MATCHES "${re}")
        list(APPEND failures "${FILE} does not match '${re}'")
      endif()
    endforeach()
  endif()
endif()

if(DEFINED STDOUT_EXACT AND NOT out STREQUAL "${STDOUT_EXACT}\n")
  list(APPEND failures "STDOUT is not exactly '${STDOUT_EXACT}'")
endif()

if(DEFINED NO_FILE AND EXISTS "${NO_FILE}")
  list(APPEND failures "the command created ${NO_FILE}, which it must not")
endif()

if(DEFINED STDOUT_BASELINE)
  set(expected "<no approved file yet>")
  if(EXISTS "${STDOUT_BASELINE}")
    file(READ "${STDOUT_BASELINE}" expected)
  endif()
  if(NOT out STREQUAL expected AND "$ENV{GRAPH_RUNNER_APPROVE}" STREQUAL "1")
    file(WRITE "${STDOUT_BASELINE}" "${out}")
    message(STATUS "approved: ${STDOUT_BASELINE} now holds this output")
  elseif(NOT out STREQUAL expected)
    get_filename_component(base "${STDOUT_BASELINE}" NAME)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/${base}.actual" "${out}")
    list(APPEND failures
      "STDOUT differs from ${STDOUT_BASELINE}\n  actual output: ${CMAKE_CURRENT_BINARY_DIR}/${base}.actual (diff, then cp to approve)")
  endif()
endif()

if(DEFINED STDERR_BASELINE)
  set(masked "${err}")
  foreach(re IN LISTS MASK)
    string(REGEX REPLACE "${re}" " ~" masked "${masked}")
  endforeach()
  set(expected "<no approved file yet>")
  if(EXISTS "${STDERR_BASELINE}")
    file(READ "${STDERR_BASELINE}" expected)
  endif()
  if(NOT masked STREQUAL expected AND "$ENV{GRAPH_RUNNER_APPROVE}" STREQUAL "1")
    file(WRITE "${STDERR_BASELINE}" "${masked}")
    message(STATUS "approved: ${STDERR_BASELINE} now holds this output")
  elseif(NOT masked STREQUAL expected)
    get_filename_component(base "${STDERR_BASELINE}" NAME)
    file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/${base}.actual" "${masked}")
    list(APPEND failures
      "STDERR differs from ${STDERR_BASELINE}\n  actual (masked): ${CMAKE_CURRENT_BINARY_DIR}/${base}.actual (diff, then cp to approve)")
  endif()
endif()

if(failures)
  string(REPLACE ";" "\n  " failures "${failures}")
  message(FATAL_ERROR "command: ${command}\n  ${failures}\n--- stdout ---\n${out}--- stderr ---\n${err}")
endif()
