# scaffold.usage_errors: `graph-runner new-plugin` refuses what it cannot build, with exit
# code 2, a message that says why, and nothing written; a second run into the same folder
# is refused. Uses the build tree's graph-runner (no install needed), which also shows the
# note about building against an installed graph-runner.
#
#   cmake -DGR=.../graph-runner -DWORK_DIR=... -P usage_errors.cmake
cmake_minimum_required(VERSION 3.25)

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/taken ${WORK_DIR}/empty)
file(WRITE ${WORK_DIR}/taken/notes.txt "someone's work\n")
file(WRITE ${WORK_DIR}/a_file "not a folder\n")

set(failures "")
# expect(EXIT STDERR_REGEX args...): runs `graph-runner args...` in WORK_DIR.
function(expect exit_code stderr_regex)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=GRAPH_RUNNER_PLUGIN_PATH ${GR} ${ARGN}
    WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${exit_code}" OR NOT err MATCHES "${stderr_regex}")
    set(failures "${failures}\n`graph-runner ${ARGN}`: exit ${rc} (expected ${exit_code}), stderr (expected a match of '${stderr_regex}'):\n${err}"
      PARENT_SCOPE)
  endif()
endfunction()

set(prefix "graph-runner: new-plugin: error: ")
expect(2 "${prefix}plugin name 'Scale' must start with a lowercase letter" new-plugin Scale --kind stage)
expect(2 "${prefix}plugin name 'my-plugin' may only contain a-z, 0-9 and _" new-plugin my-plugin --kind stage)
expect(2 "${prefix}plugin name 'a__b' must not contain '__'" new-plugin a__b --kind stage)
expect(2 "${prefix}plugin name 'test' is reserved by CMake" new-plugin test --kind sink)
expect(2 "${prefix}a sink plugin named 'count' already exists \\([^)]*libgr_count\\.so\\)" new-plugin count --kind sink)
expect(2 "--kind: filter not in {source,stage,sink}" new-plugin fine --kind filter)
expect(2 "--kind is required" new-plugin fine)
expect(2 "${prefix}folder '[^']*taken' already exists and is not empty; choose another --dir"
  new-plugin fine --kind stage --dir taken)
expect(2 "${prefix}'a_file' exists and is not a folder" new-plugin fine --kind stage --dir a_file)

# Nothing was written by the refused runs: the work folder holds what this script made.
file(GLOB_RECURSE left RELATIVE ${WORK_DIR} LIST_DIRECTORIES true ${WORK_DIR}/*)
list(SORT left)
if(NOT left STREQUAL "a_file;empty;taken;taken/notes.txt")
  string(APPEND failures "\nrefused runs wrote files: ${left}")
endif()
file(READ ${WORK_DIR}/taken/notes.txt notes)
if(NOT notes STREQUAL "someone's work\n")
  string(APPEND failures "\ntaken/notes.txt was changed")
endif()

# An existing empty folder is fine; running again into it is refused. The build tree's
# graph-runner has no CMake package beside it: it says so, and the README leaves the
# prefix for the user to fill in.
expect(0 "note: this graph-runner is not an installed one" new-plugin fine --kind source --dir empty)
if(NOT EXISTS ${WORK_DIR}/empty/fine.cpp)
  string(APPEND failures "\nnew-plugin --dir empty: no empty/fine.cpp")
else()
  file(READ ${WORK_DIR}/empty/README.md readme)
  if(NOT readme MATCHES "-DCMAKE_PREFIX_PATH=<graph-runner prefix> ")
    string(APPEND failures "\nempty/README.md does not leave the prefix to the user:\n${readme}")
  endif()
endif()
expect(2 "${prefix}folder 'empty' already exists and is not empty" new-plugin fine --kind source --dir empty)

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "scaffold.usage_errors: ok")
