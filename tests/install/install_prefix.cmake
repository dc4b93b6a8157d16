# The fixture of the tests that need an installed graph-runner (install.sdk_consumer, the
# scaffold.* tests): `cmake --install` of the current build into PREFIX, a temporary folder
# of the build tree, then checks of the installed tree (issue 5, "install").
#
#   cmake -DBUILD_DIR=... -DPREFIX=... -DCONFIG=... -DBINDIR=bin -DLIBDIR=lib
#         -DPLUGIN_SUBDIR=lib/<arch>/graph-runner/plugins -DNM=... -DREADELF=... -DSDK_MAJOR=N
#         -P install_prefix.cmake
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

set(WORK_DIR ${PREFIX})
file(REMOVE_RECURSE ${PREFIX})
file(MAKE_DIRECTORY ${PREFIX})

# 1. Install.
set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
run(install ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX} ${config_args})
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
    ${PLUGIN_SUBDIR}/libgr_count.so
    share/bash-completion/completions/graph-runner)
  if(NOT EXISTS ${PREFIX}/${file})
    message(FATAL_ERROR "not installed: ${file}")
  endif()
endforeach()

# 2. The runtime library's soname is the SDK's major version (version.hpp), not the
#    project's: libgraph_runner.so.<SDK major>, a file the linker's symlink points to.
set(soname libgraph_runner.so.${SDK_MAJOR})
if(NOT EXISTS ${PREFIX}/${LIBDIR}/${soname})
  message(FATAL_ERROR "not installed: ${LIBDIR}/${soname} (SDK major ${SDK_MAJOR})")
endif()
run(dynamic ${READELF} --dynamic ${PREFIX}/${LIBDIR}/libgraph_runner.so)
expect_match("${LIBDIR}/libgraph_runner.so: its SONAME" "${dynamic_out}"
  "\\(SONAME\\) +Library soname: \\[${soname}\\]")

# 3. Installed binaries find libgraph_runner.so relative to themselves.
file(READ_ELF ${PREFIX}/${BINDIR}/graph-runner RUNPATH exe_runpath)
if(NOT exe_runpath STREQUAL "\$ORIGIN/../${LIBDIR}")
  message(FATAL_ERROR "bin/graph-runner: RUNPATH is '${exe_runpath}', expected '\$ORIGIN/../${LIBDIR}'")
endif()
file(READ_ELF ${PREFIX}/${PLUGIN_SUBDIR}/libgr_count.so RUNPATH plugin_runpath)
if(NOT plugin_runpath STREQUAL "\$ORIGIN/../..")
  message(FATAL_ERROR "libgr_count.so: RUNPATH is '${plugin_runpath}', expected '\$ORIGIN/../..'")
endif()

# 4. Exports: the runtime library exports the SDK (graph_runner::, with its classes' vtables
#    and typeinfo) and nothing of the engine or of the headers it uses; every built-in plugin
#    exports its registrations only.
expect_exports(${PREFIX}/${LIBDIR}/libgraph_runner.so
  "(typeinfo for |typeinfo name for |vtable for )?graph_runner::" "graph_runner::engine::")
file(GLOB plugins ${PREFIX}/${PLUGIN_SUBDIR}/*.so)
foreach(plugin IN LISTS plugins)
  expect_exports(${plugin} "grsdk_[0-9]+_[0-9]+_(source|stage|sink)__[a-z][a-z0-9_]*$")
endforeach()

# 5. The installed graph-runner finds its built-ins in its own prefix with no flags.
run(plugins ${PREFIX}/${BINDIR}/graph-runner plugins)
string(FIND "${plugins_out}" "${PREFIX}/${PLUGIN_SUBDIR}" at)
if(NOT plugins_out MATCHES "(^|\n)generate +source" OR at EQUAL -1)
  message(FATAL_ERROR "installed built-ins not found in ${PREFIX}/${PLUGIN_SUBDIR}:\n${plugins_out}")
endif()
message(STATUS "installed into ${PREFIX}: ok")
