# graph_runner_add_plugin(NAME SOURCES file.cpp... [LIBRARIES lib...])
# Builds a plugin library: a MODULE linked to the SDK, with hidden symbols (only the
# registrations are exported). The same file serves two callers:
# - in tree (the top-level CMakeLists sets GRAPH_RUNNER_PLUGIN_SUBDIR): the plugin is built
#   into the build tree's plugin folder, beside graph-runner, and installed with it;
# - out of tree (included by GraphRunnerConfig.cmake after find_package(GraphRunner)): the
#   plugin is built into the project's own build folder (`graph-runner run --plugin-path
#   <build dir>`), and `cmake --install` puts it in <prefix>/<libdir>/graph-runner/plugins, where
#   a graph-runner installed in the same prefix finds it with no flags.
function(graph_runner_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "graph_runner_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT TARGET GraphRunner::sdk)
    message(FATAL_ERROR "graph_runner_add_plugin(${name}): no target GraphRunner::sdk; "
      "call find_package(GraphRunner REQUIRED) first")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GraphRunner::sdk ${ARG_LIBRARIES})
  if(TARGET graph_runner_warnings)
    target_link_libraries(${name} PRIVATE graph_runner_warnings)
  endif()
  # Plugins live in <libdir>/graph-runner/plugins: the SDK library is two folders up.
  # (graph-runner has it loaded already; this serves other hosts, e.g. ldd and tests.)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON
    INSTALL_RPATH "$ORIGIN/../..")
  if(UNIX AND NOT APPLE)  # export the registrations only (see the map file)
    set(exports ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/GraphRunnerPluginExports.map)
    target_link_options(${name} PRIVATE -Wl,--version-script=${exports})
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${exports})
  endif()
  set_property(GLOBAL APPEND PROPERTY GRAPH_RUNNER_PLUGIN_TARGETS ${name})
  if(DEFINED GRAPH_RUNNER_PLUGIN_SUBDIR)  # in-tree: build and install beside graph-runner
    set_target_properties(${name} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/${GRAPH_RUNNER_PLUGIN_SUBDIR})
    install(TARGETS ${name} LIBRARY DESTINATION ${GRAPH_RUNNER_PLUGIN_SUBDIR})
  else()  # out of tree: one folder for all of the project's plugins, whatever subdirectory
    if(NOT CMAKE_LIBRARY_OUTPUT_DIRECTORY)
      set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
    endif()
    get_property(plugin_dir GLOBAL PROPERTY GRAPH_RUNNER_PLUGIN_INSTALL_DIR)  # set by the package
    if(plugin_dir)
      install(TARGETS ${name} LIBRARY DESTINATION ${plugin_dir})
    endif()
  endif()
endfunction()
