#pragma once
// Private to parse/: --set overrides, applied to the parsed document before it is converted,
// so an overridden value is checked exactly like one written in the file.
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.hpp"
#include "parse/parse_graph.hpp"

namespace graph_runner::engine::parse_detail {

// "graph.KEY=VALUE" or "KIND.NODE.KEY[.SUBKEY...]=VALUE" (KIND: sources, stages, sinks).
// VALUE is a TOML value when it parses as one (8, true, "x", [..], {..}), else a plain
// string. Missing keys are created; a node that does not exist is an error, reported at
// "<command line>".
void apply_overrides(toml::table& root, const std::vector<Override>& overrides, Diagnostics& diags);

}  // namespace graph_runner::engine::parse_detail
