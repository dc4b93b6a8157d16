# Writes a C++ source holding every file under TEMPLATE_DIR as a byte array (see
# templates.hpp). Every byte is a \x escape, so a template may contain any text (quotes,
# backslashes, `)"`, UTF-8) without a raw-string delimiter to collide with.
#
#   cmake -DTEMPLATE_DIR=.../templates -DOUTPUT=.../scaffold_templates.cpp -P embed_templates.cmake
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/CxxBytes.cmake)

file(GLOB_RECURSE templates RELATIVE ${TEMPLATE_DIR} ${TEMPLATE_DIR}/*.in)
list(SORT templates)
if(NOT templates)
  message(FATAL_ERROR "no templates (*.in) under ${TEMPLATE_DIR}")
endif()

set(arrays "")
set(entries "")
set(index 0)
foreach(template IN LISTS templates)
  cxx_bytes_literal(${TEMPLATE_DIR}/${template} bytes)
  string(APPEND arrays "// ${template}\nconstexpr char t${index}[] =${bytes};\n")
  string(APPEND entries "    {\"${template}\", {t${index}, sizeof t${index} - 1}},\n")
  math(EXPR index "${index} + 1")
endforeach()

file(WRITE ${OUTPUT} "// Generated from tools/graph-runner/scaffold/templates by embed_templates.cmake: do not edit.
#include \"scaffold/templates.hpp\"

namespace graph_runner::cli::scaffold {
namespace {

${arrays}
constexpr EmbeddedTemplate all[] = {
${entries}};

}  // namespace

std::span<const EmbeddedTemplate> embedded_templates() { return all; }

}  // namespace graph_runner::cli::scaffold
")
