// How a breach of the Emitter contract is worded, by the engine and the test harness alike.
#include "graph_runner/detail/emitter_rules.hpp"

namespace graph_runner::detail {

std::string node_prefix(std::string_view node, std::string_view plugin) {
  return "node '" + std::string(node) + "' (plugin '" + std::string(plugin) + "'): ";
}

std::string emitted_on_missing_port(std::size_t port, std::string_view node) {
  return "emitted on port #" + std::to_string(port) + ", which node '" + std::string(node) + "' does not have";
}

std::string rejected_past_end(std::size_t row, std::size_t size) {
  return "rejected record " + std::to_string(row) + " of a batch of " + std::to_string(size) + " record(s)";
}

std::string emitter_used_outside_call(std::string_view what) {
  return "called Emitter::" + std::string(what) +
         " outside a process(), finish() or tick() call (after the call returned, or from another thread); an "
         "Emitter may be used only during the call it was given to, on that call's thread";
}

}  // namespace graph_runner::detail
