# `make package`: a Debian package (CPack's DEB generator) of what `cmake --install` installs,
# under /usr: /usr/bin/graph-runner, the SDK library and the built-in plugins in
# /usr/lib/<arch> (CMAKE_INSTALL_LIBDIR, see the top-level CMakeLists.txt), the SDK headers in
# /usr/include, the CMake package, bash completion, the man page, /usr/share/doc/graph-runner.
# From any configured tree: `cpack --config <build>/CPackConfig.cmake` (tests/install does).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME graph-runner)  # the project is graph_runner: "_" is not allowed in Debian names
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "graph-runner maintainers <maintainers@users.noreply.h-seed-48fcc35f.example>"
  CACHE STRING "The Maintainer field of the .deb")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "dataflow graphs of C++ plugins, described in TOML")
# The long description (CPack puts the summary above it).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "graph-runner runs pipelines of sources, stages and sinks described in a
TOML file. Each node is a plugin, a shared library found by name; the engine
turns the file into a oneTBB flow graph that moves batches of records through
the nodes in parallel, with a memory bound per source.
.
This package holds the graph-runner program, its built-in plugins, and the
SDK to build more plugins: headers, the runtime library and the CMake package
(find_package(GraphRunner)).")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # graph-runner_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Depends: what the binaries link, as dpkg-shlibdeps finds it (libtbb12, libtomlplusplus3, ...).
# The SDK library is in this package; shlibdeps finds it through the staging folder.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS usr/${CMAKE_INSTALL_LIBDIR})
# A shlibs file, so packages built against libgraph_runner.so.<SDK major> depend on this version or
# later: written here rather than by CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS, which warns about
# every plugin (a module has no soname). The ldconfig trigger is what Debian expects of a
# package with a shared library (lintian: lacks-ldconfig-trigger); CPack 3.25 also adds
# postinst/postrm scripts calling ldconfig, which do no harm.
file(WRITE ${PROJECT_BINARY_DIR}/debian/shlibs
  "libgraph_runner ${GRAPH_RUNNER_SDK_VERSION_MAJOR} graph-runner (>= ${PROJECT_VERSION})\n")
file(WRITE ${PROJECT_BINARY_DIR}/debian/triggers "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/shlibs ${PROJECT_BINARY_DIR}/debian/triggers)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Building a plugin needs a compiler, CMake and Boost's headers (GraphRunnerConfig.cmake finds
# Boost); running graphs does not. `dot -Tsvg` is Graphviz's.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "g++ (>= 4:12), cmake (>= 3.22), libboost-dev (>= 1.74)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "graphviz")
set(CPACK_STRIP_FILES ON)
# Debian installs no RUNPATH: the library is in a folder ld.so searches (after staging).
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/package_remove_runpath.cmake)
set(CPACK_GRAPH_RUNNER_LIBDIR ${CMAKE_INSTALL_LIBDIR})  # for that script
include(CPack)
