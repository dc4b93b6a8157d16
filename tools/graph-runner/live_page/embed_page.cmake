# Writes a C++ source defining graph_runner::cli::live_page_html() (live_page.hpp) with the
# bytes of the page. Every byte is a \x escape, so the page may contain any text without a
# raw-string delimiter to collide with.
#
#   cmake -DINPUT=.../live_page.html -DOUTPUT=.../live_page_html.cpp -P embed_page.cmake
cmake_minimum_required(VERSION 3.25)

include(${CMAKE_CURRENT_LIST_DIR}/../../../cmake/CxxBytes.cmake)
cxx_bytes_literal(${INPUT} bytes)
file(WRITE ${OUTPUT} "// Generated from tools/graph-runner/live_page/live_page.html by embed_page.cmake: do not edit.
#include \"live_page/live_page.hpp\"

namespace graph_runner::cli {
namespace {
constexpr char page[] =${bytes};
}  // namespace

std::string_view live_page_html() { return {page, sizeof page - 1}; }

}  // namespace graph_runner::cli
")
