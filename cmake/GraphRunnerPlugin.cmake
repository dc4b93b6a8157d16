# graph_runner_add_plugin(NAME SOURCES file.cpp... [LIBRARIES lib...])
# Builds a plugin library: a MODULE linked to the SDK, with hidden symbols (only the
# registrations are exported), placed in the plugin folder of the build and install trees.
function(graph_runner_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "graph_runner_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET GraphRunner::sdk)
    target_link_libraries(${name} PRIVATE GraphRunner::sdk ${ARG_LIBRARIES})
  endif()
  if(TARGET graph_runner_warnings)
    target_link_libraries(${name} PRIVATE graph_runner_warnings)
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX "lib" CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON)
  set_property(GLOBAL APPEND PROPERTY GRAPH_RUNNER_PLUGIN_TARGETS ${name})
  if(DEFINED GRAPH_RUNNER_PLUGIN_SUBDIR)  # in-tree: build and install beside graph-runner
    set_target_properties(${name} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/${GRAPH_RUNNER_PLUGIN_SUBDIR})
    install(TARGETS ${name} LIBRARY DESTINATION ${GRAPH_RUNNER_PLUGIN_SUBDIR})
  endif()
endfunction()
