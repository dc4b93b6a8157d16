# The built-in plugin reference of docs/graph-language.md keeps up with the plugins: every
# plugin `graph-runner plugins` lists has a heading "#### `NAME`", and every parameter
# `plugins describe NAME` prints is named in the text under it as `param`.
#
#   cmake -DGRAPH_RUNNER=exe -DDOC=docs/graph-language.md -P docs_cover_plugins.cmake
cmake_minimum_required(VERSION 3.22)

execute_process(COMMAND ${GRAPH_RUNNER} plugins RESULT_VARIABLE rc OUTPUT_VARIABLE listing)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "graph-runner plugins exited ${rc}")
endif()
file(READ ${DOC} doc)

# Rows of the table: from the line after the header to the first empty line.
string(REGEX REPLACE "\n\n.*" "" table "${listing}")
string(REPLACE "\n" ";" rows "${table}")
list(REMOVE_AT rows 0)

set(missing)
foreach(row IN LISTS rows)
  string(REGEX MATCH "^[a-z][a-z0-9_]*" name "${row}")
  if(name STREQUAL "")
    continue()
  endif()
  # The plugin's heading (any level), then its text up to the next heading.
  string(REGEX MATCH "\n#+ `${name}`[^\n]*\n" heading "${doc}")
  if(heading STREQUAL "")
    list(APPEND missing "plugin '${name}' has no heading \"#### `${name}`\"")
    continue()
  endif()
  string(FIND "${doc}" "${heading}" at)
  string(LENGTH "${heading}" length)
  math(EXPR at "${at} + ${length}")
  string(SUBSTRING "${doc}" ${at} -1 section)
  string(REGEX REPLACE "\n#.*" "" section "${section}")

  execute_process(COMMAND ${GRAPH_RUNNER} plugins describe ${name} OUTPUT_VARIABLE described)
  string(REGEX REPLACE ".*\nParameters:\n" "" params "${described}")
  string(REGEX MATCHALL "(^|\n)  [a-z_][a-z0-9_]* +(bool|int|number|string|list of strings|table of strings)"
    lines "${params}")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "[a-z_][a-z0-9_]*" param "${line}")
    string(FIND "${section}" "`${param}`" found)
    if(found EQUAL -1)
      list(APPEND missing "plugin '${name}': parameter `${param}` is not in its section")
    endif()
  endforeach()
endforeach()

if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "${DOC} is behind the plugins:\n  ${missing}")
endif()
list(LENGTH rows count)
message(STATUS "${count} plugins documented")
