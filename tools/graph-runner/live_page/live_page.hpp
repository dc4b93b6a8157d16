#pragma once
// The live page of `run --ui` (live_page.html), embedded into the program when it is built
// (embed_page.cmake): the page stays an ordinary file to read and edit, and works offline.
#include <string_view>

namespace graph_runner::cli {

std::string_view live_page_html();

}  // namespace graph_runner::cli
