# Installs the current build into a temporary prefix, checks the installed tree, then builds
# the out-of-tree plugin project tests/sdk_consumer against that prefix only and runs a graph
# that uses its plugin with the installed graph-runner (issue 5, "proof").
#
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMER_DIR=... -DGENERATOR=... -DMAKE_PROGRAM=...
#         -DCXX=... -DCONFIG=... -DBINDIR=bin -DLIBDIR=lib -DPLUGIN_SUBDIR=lib/graph-runner/plugins
#         -DNM=... [-DEXTRA_FLAGS=...] -P sdk_consumer.cmake
#
# Everything is written under WORK_DIR (in the build tree), nothing into the source tree.
cmake_minimum_required(VERSION 3.22)

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# run(NAME command...): runs a step in WORK_DIR without GRAPH_RUNNER_PLUGIN_PATH (so only
# the folders the test names are searched); stops the test with its output when it fails.
# The step's stdout is left in ${NAME}_out, its stderr in ${NAME}_err.
macro(run name)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=GRAPH_RUNNER_PLUGIN_PATH ${ARGN}
    WORKING_DIRECTORY ${WORK_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE ${name}_out ERROR_VARIABLE ${name}_err)
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

# 1. Install.
set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run(install ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_args})
foreach(file
    ${BINDIR}/graph-runner
    ${LIBDIR}/libgraph_runner.so
    include/graph_runner/sdk.hpp
    include/graph_runner/testing.hpp
    ${LIBDIR}/cmake/GraphRunner/GraphRunnerConfig.cmake
    ${LIBDIR}/cmake/GraphRunner/GraphRunnerConfigVersion.cmake
    ${LIBDIR}/cmake/GraphRunner/GraphRunnerTargets.cmake
    ${LIBDIR}/cmake/GraphRunner/GraphRunnerPlugin.cmake
    ${PLUGIN_SUBDIR}/libgr_generate.so
    ${PLUGIN_SUBDIR}/libgr_count.so)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()

# 2. Installed binaries find libgraph_runner.so relative to themselves.
file(READ_ELF ${prefix}/${BINDIR}/graph-runner RUNPATH exe_runpath)
if(NOT exe_runpath STREQUAL "\$ORIGIN/../${LIBDIR}")
  message(FATAL_ERROR "bin/graph-runner: RUNPATH is '${exe_runpath}', expected '\$ORIGIN/../${LIBDIR}'")
endif()
file(READ_ELF ${prefix}/${PLUGIN_SUBDIR}/libgr_count.so RUNPATH plugin_runpath)
if(NOT plugin_runpath STREQUAL "\$ORIGIN/../..")
  message(FATAL_ERROR "libgr_count.so: RUNPATH is '${plugin_runpath}', expected '\$ORIGIN/../..'")
endif()

# 3. Exports: the runtime library exports the SDK (graph_runner::, with its classes' vtables
#    and typeinfo) and nothing of the engine or of the headers it uses; a plugin exports its
#    registrations only.
expect_exports(${prefix}/${LIBDIR}/libgraph_runner.so
  "(typeinfo for |typeinfo name for |vtable for )?graph_runner::" "graph_runner::engine::")
expect_exports(${prefix}/${PLUGIN_SUBDIR}/libgr_count.so "grsdk_[0-9]+_[0-9]+__count$")

# 4. The out-of-tree project, against the prefix only (no package registry, no build tree).
run(configure ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR}
  -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}"
  "-DCMAKE_MODULE_LINKER_FLAGS=${EXTRA_FLAGS}")
file(STRINGS ${consumer_build}/CMakeCache.txt found_dir REGEX "^GraphRunner_DIR:")
if(NOT found_dir STREQUAL "GraphRunner_DIR:PATH=${prefix}/${LIBDIR}/cmake/GraphRunner")
  message(FATAL_ERROR "find_package(GraphRunner) did not use the temporary prefix: ${found_dir}")
endif()
run(build ${CMAKE_COMMAND} --build ${consumer_build})
expect_exports(${consumer_build}/libevery_nth.so "grsdk_[0-9]+_[0-9]+__every_nth$")

# 5. Its unit test (the SDK's test harness, from the installed headers).
run(unit_test ${consumer_build}/every_nth_test)

# 6. The installed graph-runner finds its built-ins in its own prefix with no flags ...
set(gr ${prefix}/${BINDIR}/graph-runner)
run(plugins ${gr} plugins)
string(FIND "${plugins_out}" "${prefix}/${PLUGIN_SUBDIR}" at)
if(NOT plugins_out MATCHES "(^|\n)generate +source" OR at EQUAL -1)
  message(FATAL_ERROR "installed built-ins not found in ${prefix}/${PLUGIN_SUBDIR}:\n${plugins_out}")
endif()
# ... the new plugin in the project's build folder ...
set(total "(^|\n)total: 250 records, checksum [0-9a-f]+\n")
run(run_from_build ${gr} run ${CONSUMER_DIR}/consumer.toml --plugin-path ${consumer_build} --quiet)
if(NOT run_from_build_out MATCHES "${total}")
  message(FATAL_ERROR "run with --plugin-path: unexpected output:\n${run_from_build_out}${run_from_build_err}")
endif()
# ... and, once the project is installed into the same prefix, with no flags at all.
run(install_plugin ${CMAKE_COMMAND} --install ${consumer_build} --prefix ${prefix})
if(NOT EXISTS ${prefix}/${PLUGIN_SUBDIR}/libevery_nth.so)
  message(FATAL_ERROR "the project's plugin was not installed into ${PLUGIN_SUBDIR}")
endif()
run(run_installed ${gr} run ${CONSUMER_DIR}/consumer.toml --quiet)
if(NOT run_installed_out MATCHES "${total}")
  message(FATAL_ERROR "run of the installed plugin: unexpected output:\n${run_installed_out}${run_installed_err}")
endif()
message(STATUS "sdk_consumer: ok")
