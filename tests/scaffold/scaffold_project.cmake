# scaffold.<kind>: `graph-runner new-plugin` of the graph-runner installed in PREFIX (the
# install.prefix fixture) writes a project; the three commands of its README.md, run as a
# user pastes them, build it against PREFIX alone, pass its unit test and run its sample
# graph; then the output of that graph is checked (issue 5, "scaffold").
#
#   cmake -DPREFIX=... -DKIND=source|stage|sink -DWORK_DIR=... -DGENERATOR=... -DCXX=...
#         -DMAKE_PROGRAM=... -DBINDIR=bin -DLIBDIR=lib -DNM=... [-DLAUNCHER=ccache]
#         [-DEXTRA_FLAGS=...] -P scaffold_project.cmake
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../install/common.cmake)

set(name my_${KIND})
set(project ${WORK_DIR}/${name})
set(gr ${PREFIX}/${BINDIR}/graph-runner)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
if(NOT EXISTS ${gr})
  message(FATAL_ERROR "no graph-runner installed in ${PREFIX}: run the install.prefix test first")
endif()

# 1. Scaffold, with the default folder (./NAME).
run(new_plugin ${gr} new-plugin ${name} --kind ${KIND})
expect_match("new-plugin stdout" "${new_plugin_out}" "Created the ${KIND} plugin project '${name}' in ${name}:\n")
foreach(file CMakeLists.txt ${name}.cpp ${name}_test.cpp ${name}.toml README.md .gitignore)
  if(NOT EXISTS ${project}/${file})
    message(FATAL_ERROR "new-plugin did not write ${name}/${file}:\n${new_plugin_out}")
  endif()
endforeach()

# 2. The README's commands, one step each, as a user runs them from the project folder:
#    the compiler, generator and flags of this build come in through the environment
#    variables CMake reads, so that the commands themselves are the README's, verbatim.
file(READ ${project}/README.md readme)
string(REGEX MATCH "```sh\n([^`]*)```" block "${readme}")
string(REGEX REPLACE "\n$" "" commands "${CMAKE_MATCH_1}")
string(REPLACE "\n" ";" commands "${commands}")
list(LENGTH commands count)
if(NOT count EQUAL 3)
  message(FATAL_ERROR "README.md: expected 3 commands in its sh block, found ${count}:\n${block}")
endif()
expect_match("README.md" "${readme}" "-DCMAKE_PREFIX_PATH=${PREFIX} ")
cmake_path(GET CMAKE_COMMAND PARENT_PATH cmake_bin)     # ctest beside this cmake
cmake_path(GET MAKE_PROGRAM PARENT_PATH make_bin)
set(env --unset=CMAKE_PREFIX_PATH "PATH=${cmake_bin}:${make_bin}:$ENV{PATH}" "CMAKE_GENERATOR=${GENERATOR}"
  "CXX=${CXX}" "CXXFLAGS=${EXTRA_FLAGS}" "LDFLAGS=${EXTRA_FLAGS}")
if(LAUNCHER)
  list(APPEND env "CMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
endif()
set(RUN_DIR ${project})
set(step 0)
foreach(command IN LISTS commands)
  math(EXPR step "${step} + 1")
  message(STATUS "README step ${step}: ${command}")
  run(readme_${step} ${env} sh -c "${command}")
endforeach()

# 3. Built against PREFIX only; the plugin exports its registration and nothing else; its
#    unit test ran and passed.
file(STRINGS ${project}/build/CMakeCache.txt found_dir REGEX "^GraphRunner_DIR:")
if(NOT found_dir STREQUAL "GraphRunner_DIR:PATH=${PREFIX}/${LIBDIR}/cmake/GraphRunner")
  message(FATAL_ERROR "find_package(GraphRunner) did not use the temporary prefix: ${found_dir}")
endif()
expect_exports(${project}/build/lib${name}.so "grsdk_[0-9]+_[0-9]+_${KIND}__${name}$")
expect_match("ctest of the project" "${readme_2_out}" "100% tests passed, 0 tests failed out of 1")

# 4. What the sample graph did (step 3 ran it with the installed graph-runner).
if(KIND STREQUAL "source")
  # 1000 records of the plugin, counted by the built-in count sink.
  expect_match("sample graph stdout" "${readme_3_out}" "(^|\n)total: 1000 records, checksum [0-9a-f]+\n")
elseif(KIND STREQUAL "stage")
  # Five records printed by the stdout sink, and the factor applied: on `id`, the
  # multiplied values are predictable (0, 10, 20, 30, 40).
  string(REPEAT "{id: [0-9]+, value: [^\n]+\n" 5 five_records)  # CMake regexes have no {5}
  expect_match("sample graph stdout" "${readme_3_out}" "^${five_records}$")
  run(run_on_id ${gr} run ${name}.toml --quiet --set stages.scaled.field=id)
  expect_match("sample graph with field = id" "${run_on_id_out}"
    "^{id: 0(\\.0)?, [^\n]+\n{id: 10(\\.0)?, [^\n]+\n{id: 20(\\.0)?, [^\n]+\n{id: 30(\\.0)?, [^\n]+\n{id: 40(\\.0)?, [^\n]+\n$")
else()
  # 100 generated records, one line each, in the file the graph names.
  file(STRINGS ${project}/${name}-out.txt lines)
  list(LENGTH lines count)
  if(NOT count EQUAL 100)
    message(FATAL_ERROR "${name}-out.txt: ${count} lines, expected 100")
  endif()
  list(GET lines 0 first)
  expect_match("${name}-out.txt, line 1" "${first}" "^id=0 value=-?[0-9.e+-]+ source=numbers ts=1700000000000000000$")
endif()
message(STATUS "scaffold.${KIND}: ok")
