#include "run/instantiate_graph.hpp"

#include <iostream>
#include <variant>

#include "run/node_runtime.hpp"
#include "run/run_state.hpp"
#include "validate/check_fields.hpp"

namespace graph_runner::engine {
namespace {

// The parameter (as written in the file) that `message` is about, or nullptr when none or
// several could be.
const SourcePos* named_param(const CheckedNode& node, const std::string& message) {
  const SourcePos* found = nullptr;
  for (const auto& [name, pos] : node.spec->param_pos) {
    bool named = message.find('`' + name + '`') != std::string::npos;
    if (const ParamValue* value = node.params.find(name)) {
      const auto* text = std::get_if<std::string>(value);
      if (text && !text->empty() && message.find('\'' + *text + '\'') != std::string::npos) named = true;
    }
    if (!named) continue;
    if (found) return nullptr;  // ambiguous: the node is the honest answer
    found = &pos;
  }
  return found;
}

}  // namespace

Diagnostic construction_error(const CheckedNode& node, const std::exception& error) {
  const std::string what = error.what();
  const SourcePos* pos = nullptr;
  if (const auto* p = dynamic_cast<const ParamError*>(&error)) {
    auto it = node.spec->param_pos.find(p->param());
    if (it != node.spec->param_pos.end()) pos = &it->second;
  }
  if (!pos) pos = named_param(node, what);
  return Diagnostic{pos ? *pos : node.spec->pos,
                    "node '" + node.spec->name + "' (plugin '" + node.spec->plugin + "'): " + what, {}};
}

Diagnostics instantiate_graph(const CheckedGraph& graph, const RunOptions& options) {
  auto log = options.log ? options.log : [](const LogEvent& event) { std::cerr << format_log_line(event) << '\n'; };
  RunState run(log, options.log_level, options.observers);
  Diagnostics diags;
  std::vector<std::optional<FieldSchema>> declared(graph.nodes.size());
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    // One worker: a non-thread-safe plugin with unlimited concurrency gets one instance.
    NodeRuntime node(graph, i, run, 1);
    try {
      node.create_instances(/*open_sinks=*/false);
      declared[i] = node.declared_fields();
    } catch (const std::exception& e) {
      Diagnostic d = construction_error(graph.nodes[i], e);
      diags.error(std::move(d.pos), std::move(d.message));
    } catch (...) {
      diags.error(graph.nodes[i].spec->pos, "node '" + graph.nodes[i].spec->name + "' (plugin '" +
                                                graph.nodes[i].spec->plugin +
                                                "'): an exception not derived from std::exception");
    }
  }
  if (diags.empty()) diags = check_fields(graph, declared);  // a node not constructed declared nothing
  return diags;
}

}  // namespace graph_runner::engine
