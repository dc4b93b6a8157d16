# `graph-runner new-plugin` (included by tools/graph-runner/CMakeLists.txt, after the
# graph-runner target): the project writer as a small library, and its templates embedded
# at build time. Editing a template rebuilds graph-runner; adding one needs no CMake edit.
file(GLOB_RECURSE scaffold_templates CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/templates/*.in)
set(scaffold_embedded ${CMAKE_CURRENT_BINARY_DIR}/scaffold_templates.cpp)
add_custom_command(OUTPUT ${scaffold_embedded}
  COMMAND ${CMAKE_COMMAND} -DTEMPLATE_DIR=${CMAKE_CURRENT_LIST_DIR}/templates -DOUTPUT=${scaffold_embedded}
    -P ${CMAKE_CURRENT_LIST_DIR}/embed_templates.cmake
  DEPENDS ${scaffold_templates} ${CMAKE_CURRENT_LIST_DIR}/embed_templates.cmake ${PROJECT_SOURCE_DIR}/cmake/CxxBytes.cmake
  COMMENT "Embedding the new-plugin templates")

add_library(graph_runner_scaffold STATIC ${CMAKE_CURRENT_LIST_DIR}/scaffold.cpp ${scaffold_embedded})
target_include_directories(graph_runner_scaffold PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_compile_features(graph_runner_scaffold PUBLIC cxx_std_20)
target_link_libraries(graph_runner_scaffold PRIVATE graph_runner_warnings)

target_link_libraries(graph-runner PRIVATE graph_runner_scaffold)
# What the generated CMakeLists.txt asks for (find_package(GraphRunner MAJOR.MINOR)), and
# where an installed graph-runner's package is, relative to its prefix.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/../new_plugin_command.cpp PROPERTIES COMPILE_DEFINITIONS
  "GRAPH_RUNNER_PACKAGE_VERSION=\"${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}\";GRAPH_RUNNER_PACKAGE_SUBDIR=\"${CMAKE_INSTALL_LIBDIR}/cmake/GraphRunner\"")
