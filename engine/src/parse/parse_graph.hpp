#pragma once
// Step 1 of the way: graph file text -> GraphSpec (toml++), with ${VAR} expansion inside
// string values and --set overrides applied. Problems go to `diags`, all of them.
#include <string>
#include <string_view>
#include <vector>

#include "diagnostics.hpp"
#include "parse/graph_spec.hpp"

namespace graph_runner::engine {

// "stages.valid.concurrency=8" from --set; the value is parsed as a TOML value when it is
// one (8, true, "x", [..]) and as a plain string otherwise.
struct Override {
  std::string assignment;
};

GraphSpec parse_graph_file(const std::string& path, const std::vector<Override>& overrides, Diagnostics& diags);
GraphSpec parse_graph_text(std::string_view text, const std::string& path,
                           const std::vector<Override>& overrides, Diagnostics& diags);

}  // namespace graph_runner::engine
