# Builds the out-of-tree plugin project tests/sdk_consumer against the graph-runner
# installed in PREFIX (the install.prefix fixture) and runs a graph that uses its plugin
# with the installed graph-runner (issue 5, "proof").
#
#   cmake -DPREFIX=... -DWORK_DIR=... -DCONSUMER_DIR=... -DGENERATOR=... -DMAKE_PROGRAM=...
#         -DCXX=... -DBINDIR=bin -DLIBDIR=lib/<arch> -DPLUGIN_SUBDIR=lib/<arch>/graph-runner/plugins
#         -DNM=... [-DEXTRA_FLAGS=...] [-DLIBRARY_PATH=...] -P sdk_consumer.cmake
# LIBRARY_PATH: for a prefix whose binaries have no RUNPATH (the .deb's scratch root).
#
# Everything is written under WORK_DIR (in the build tree) and PREFIX, nothing into the
# source tree.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
if(NOT EXISTS ${PREFIX}/${BINDIR}/graph-runner)
  message(FATAL_ERROR "no graph-runner installed in ${PREFIX}: run the install.prefix test first")
endif()

# 1. The out-of-tree project, against the prefix only (no package registry, no build tree).
run(configure ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR}
  -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}"
  "-DCMAKE_MODULE_LINKER_FLAGS=${EXTRA_FLAGS}")
file(STRINGS ${consumer_build}/CMakeCache.txt found_dir REGEX "^GraphRunner_DIR:")
if(NOT found_dir STREQUAL "GraphRunner_DIR:PATH=${PREFIX}/${LIBDIR}/cmake/GraphRunner")
  message(FATAL_ERROR "find_package(GraphRunner) did not use the temporary prefix: ${found_dir}")
endif()
run(build ${CMAKE_COMMAND} --build ${consumer_build})
expect_exports(${consumer_build}/libevery_nth.so "grsdk_[0-9]+_[0-9]+_stage__every_nth$")

# 2. Its unit test (the SDK's test harness, from the installed headers).
run(unit_test ${consumer_build}/every_nth_test)

# 3. The installed graph-runner runs the new plugin from the project's build folder ...
set(gr ${PREFIX}/${BINDIR}/graph-runner)
set(total "(^|\n)total: 250 records, checksum [0-9a-f]+\n")
run(run_from_build ${gr} run ${CONSUMER_DIR}/consumer.toml --plugin-path ${consumer_build} --quiet)
if(NOT run_from_build_out MATCHES "${total}")
  message(FATAL_ERROR "run with --plugin-path: unexpected output:\n${run_from_build_out}${run_from_build_err}")
endif()
# ... and, once the project is installed into the same prefix, with no flags at all.
run(install_plugin ${CMAKE_COMMAND} --install ${consumer_build} --prefix ${PREFIX})
if(NOT EXISTS ${PREFIX}/${PLUGIN_SUBDIR}/libevery_nth.so)
  message(FATAL_ERROR "the project's plugin was not installed into ${PLUGIN_SUBDIR}")
endif()
run(run_installed ${gr} run ${CONSUMER_DIR}/consumer.toml --quiet)
if(NOT run_installed_out MATCHES "${total}")
  message(FATAL_ERROR "run of the installed plugin: unexpected output:\n${run_installed_out}${run_installed_err}")
endif()
message(STATUS "sdk_consumer: ok")
