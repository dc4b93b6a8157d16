# The CMake package installed beside the SDK (lib/cmake/GraphRunner), so an out-of-tree
# plugin is find_package(GraphRunner) plus one graph_runner_add_plugin(...) call.
# The SDK library itself is installed (into the GraphRunnerTargets export set) by
# engine/CMakeLists.txt, graph-runner by tools/, the built-in plugins by
# graph_runner_add_plugin.
include(CMakePackageConfigHelpers)

set(GRAPH_RUNNER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/GraphRunner)
set(GRAPH_RUNNER_BOOST_VERSION 1.74)  # keep in step with find_package(Boost) at the top
# The ABI version plugins are built for, read from the header that defines it.
file(STRINGS ${PROJECT_SOURCE_DIR}/engine/include/graph_runner/version.hpp sdk_version_lines
  REGEX "#define GRAPH_RUNNER_SDK_VERSION_(MAJOR|MINOR) ")
foreach(part MAJOR MINOR)
  string(REGEX REPLACE ".*GRAPH_RUNNER_SDK_VERSION_${part} ([0-9]+).*" "\\1"
    GRAPH_RUNNER_SDK_VERSION_${part} "${sdk_version_lines}")
endforeach()

# GraphRunner::sdk, not GraphRunner::graph_runner_sdk.
set_target_properties(graph_runner_sdk PROPERTIES EXPORT_NAME sdk)
install(EXPORT GraphRunnerTargets NAMESPACE GraphRunner:: DESTINATION ${GRAPH_RUNNER_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/GraphRunnerConfig.cmake.in
  ${PROJECT_BINARY_DIR}/GraphRunnerConfig.cmake INSTALL_DESTINATION ${GRAPH_RUNNER_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/GraphRunnerConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/GraphRunnerConfig.cmake
  ${PROJECT_BINARY_DIR}/GraphRunnerConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/GraphRunnerPlugin.cmake
  ${CMAKE_CURRENT_LIST_DIR}/GraphRunnerPluginExports.map
  DESTINATION ${GRAPH_RUNNER_CMAKE_DIR})
