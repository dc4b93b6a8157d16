// Fuzz target: graph file text -> parse (toml++, ${VAR} expansion) -> validate against the
// real plugins' schemas. Any input must end in diagnostics or a checked graph: never a
// crash, a hang, a leak or undefined behaviour.
//
// The registry is built once per process and searches only the build tree's plugin folder;
// the input's own `plugin_path` is not followed (validate_graph is called directly, not
// load_graph), so the fuzzer never scans or loads arbitrary folders.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "validate/validate_graph.hpp"

namespace ge = graph_runner::engine;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ge::PluginRegistry& registry = [] () -> ge::PluginRegistry& {
    static ge::PluginRegistry r;
    r.add_search_dir(GRAPH_RUNNER_FUZZ_PLUGIN_DIR);
    return r;
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ge::Diagnostics diags;
  ge::GraphSpec spec = ge::parse_graph_text(text, "fuzz.toml", {}, diags);
  if (diags.empty()) {
    auto checked = ge::validate_graph(std::move(spec), registry, diags);
    // Every failure is reported: a null graph with no diagnostic would be a silent error.
    if (!checked && diags.empty()) __builtin_trap();
  }
  (void)diags.format();  // formatting every diagnostic must work too
  return 0;
}
