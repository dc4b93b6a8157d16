#pragma once
// Helpers of the reshaping stages' tests (select, drop, rename, parse_json, parse_regex):
// their describe functions, and records as the JSON writers print them, to compare whole
// records (nesting, field order, absent fields) at once.
#include <string>
#include <vector>

#include "format.hpp"
#include "graph_runner/testing.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_select();
PluginDescriptor describe_drop();
PluginDescriptor describe_rename();
PluginDescriptor describe_parse_json();
PluginDescriptor describe_parse_regex();
}  // namespace graph_runner::plugins

namespace plugin_tests {

// Every record of `batches` as one JSON line, as the jsonl sink writes it.
inline std::vector<std::string> json_lines(const std::vector<graph_runner::BatchPtr>& batches) {
  std::vector<std::string> lines;
  graph_runner::plugins::JsonLayout layout;
  for (const auto& b : batches) {
    graph_runner::plugins::json_layout(*b, layout);
    for (std::size_t i = 0; i < b->size(); ++i) {
      std::string line;
      graph_runner::plugins::append_json_record(line, *b, i, layout);
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

using Lines = std::vector<std::string>;

}  // namespace plugin_tests
