// GraphSpec -> CheckedGraph: each node against its plugin (kind, parameters, ports), then the
// graph as a whole (inputs, cycles, order). Every problem is reported before giving up, so a
// user fixes a graph file in one round.
#include "validate/validate_graph.hpp"

#include <unistd.h>

#include <algorithm>

#include "validate/check_params.hpp"
#include "validate/graph_structure.hpp"

namespace graph_runner::engine {
namespace {

using namespace validate_detail;

class GraphValidator {
 public:
  GraphValidator(PluginRegistry& registry, Diagnostics& diags)
      : registry_(registry), diags_(diags), default_bytes_(default_max_in_flight_bytes()) {}

  // Node `node` checked against its plugin; ports stay nullopt when the plugin is unusable.
  CheckedNode check_node(const NodeSpec& node, const GraphSettings& graph,
                         std::optional<std::vector<std::string>>& ports) {
    CheckedNode checked;
    checked.spec = &node;
    checked.plugin = load_plugin(node);
    if (!checked.plugin) return checked;
    const PluginDescriptor& d = checked.plugin->descriptor;
    checked.params = check_params(node, d, diags_);
    ports = output_ports(node, d, checked.params);
    checked.ports = *ports;
    // A plugin whose ports come from a parameter (route) emits only on those: its default
    // port stays in the node's list (port indexes are fixed) but reading it is an error.
    if (!d.ports_from_param.empty()) (*ports)[0] = silent_default_port;
    if (node.kind == NodeKind::source) {
      checked.concurrency = 1;  // read() is called serially
      checked.batch_size = source_setting(node, "batch_size", node.batch_size, graph.batch_size, 1);
      checked.linger_ms = source_setting(node, "linger_ms", node.linger_ms, graph.linger_ms, 0);
      checked.max_in_flight = source_setting(node, "max_in_flight", node.max_in_flight, graph.max_in_flight, 1);
      checked.max_in_flight_bytes =
          source_setting(node, "max_in_flight_bytes", node.max_in_flight_bytes,
                         graph.max_in_flight_bytes.value_or(default_bytes_), 1);
      checked.rate = node.rate.value_or(0);
      checked.burst = static_cast<std::size_t>(node.burst.value_or(0));
    } else if (d.is_single_instance) {
      checked.concurrency = 1;  // one result for the whole stream (a count): never split it
      if (node.concurrency && *node.concurrency != 1) single_instance_error(node);
    } else if (node.concurrency) {
      // Above 1 on a plugin that is not thread-safe, the engine makes that many instances.
      checked.concurrency = static_cast<std::size_t>(*node.concurrency);
      if (node.concurrency_min) check_adaptive(node, checked);
    } else {
      checked.concurrency = d.is_thread_safe ? 0 : 1;
    }
    return checked;
  }

 private:
  // An adaptive range gates calls in front of one flow node (run/adaptive_gate.hpp); the
  // shapes that spread calls over lanes or reorder them have no single entry to gate.
  void check_adaptive(const NodeSpec& node, CheckedNode& checked) {
    const char* shape = node.partition_by ? "partition_by" : node.priority ? "priority" : node.ordered ? "ordered" : nullptr;
    if (shape && *node.concurrency_min != *node.concurrency) {
      diags_.error(node.concurrency_pos.file.empty() ? node.pos : node.concurrency_pos,
                   "adaptive 'concurrency' (a { min, max } range) is not available with '" + std::string(shape) +
                       "' on " + std::string(node_kind_name(node.kind)) + " '" + node.name + "'",
                   "give a fixed concurrency, e.g. concurrency = " + std::to_string(*node.concurrency));
      return;
    }
    if (*node.concurrency_min != *node.concurrency) checked.min_concurrency = static_cast<std::size_t>(*node.concurrency_min);
  }

  void single_instance_error(const NodeSpec& node) {
    const std::string got = *node.concurrency == 0 ? "\"unlimited\"" : std::to_string(*node.concurrency);
    diags_.error(node.concurrency_pos.file.empty() ? node.pos : node.concurrency_pos,  // empty: a spec built in code
                 "'concurrency' of " + std::string(node_kind_name(node.kind)) + " '" + node.name + "' must be 1, got " +
                     got + ": plugin '" + node.plugin + "' runs as a single instance, called serially (it keeps one "
                     "result for the whole stream, which instances would split)",
                 "remove the key; to spread the work, raise the concurrency of the nodes before it");
  }

  std::shared_ptr<const LoadedPlugin> load_plugin(const NodeSpec& node) {
    const SourcePos& pos = node.plugin_pos.line ? node.plugin_pos : node.pos;
    if (node.plugin.empty()) return nullptr;  // the parser reported the missing key
    const std::string kind(node_kind_name(node.kind));
    std::string error;
    std::shared_ptr<const LoadedPlugin> plugin;
    try {
      plugin = registry_.load(node.kind, node.plugin, error);
    } catch (const std::exception& e) {  // a library that throws while loading is this node's error
      error = "plugin '" + node.plugin + "': " + e.what();
    }
    if (!plugin) {
      diags_.error(pos, error.empty() ? "unknown plugin '" + node.plugin + "'" : error, hint_for(node));
      return nullptr;
    }
    if (plugin->descriptor.name != node.plugin)  // a deprecated name, resolved to its replacement
      diags_.warning(pos,
                     kind + " plugin '" + node.plugin + "' is deprecated and goes away in the next release; it is now '" +
                         plugin->descriptor.name + "'",
                     "write plugin = \"" + plugin->descriptor.name + "\"");
    return plugin;
  }

  // For a name that exists as another kind: where the node belongs. Else "did you mean",
  // among the plugins of the node's kind.
  std::string hint_for(const NodeSpec& node) {
    std::vector<NodeKind> kinds;
    std::vector<std::string> names;
    try {
      for (const auto& entry : plugin_entries()) {
        if (entry.name == node.plugin && entry.kind) kinds.push_back(*entry.kind);
        if (!entry.kind || *entry.kind == node.kind) names.push_back(entry.name);
      }
    } catch (const std::exception&) {
      // a broken folder must not hide the real error
    }
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), node.kind) == kinds.end())
      return "declare the node under [" + std::string(node_kind_name(kinds.front())) + "s." + node.name +
             "], or use a " + std::string(node_kind_name(node.kind)) + " plugin (graph-runner plugins lists them)";
    for (const auto& old : deprecated_names())  // `read_jsonl` under [sinks]: the sink `jsonl`
      if (old.name == node.plugin && std::find(names.begin(), names.end(), old.replacement) != names.end())
        return "did you mean '" + std::string(old.replacement) + "'?";
    return did_you_mean(node.plugin, names);
  }

  // Graph defaults were range-checked by the parser; a node's own value was too, but a
  // GraphSpec built in code skips the parser, so the effective value is checked once more.
  std::size_t source_setting(const NodeSpec& node, const std::string& key, const std::optional<std::int64_t>& own,
                             std::int64_t graph_default, std::int64_t min) {
    std::int64_t v = own.value_or(graph_default);
    if (v < min) {
      diags_.error(node.pos, "'" + key + "' of source '" + node.name + "' must be >= " + std::to_string(min) +
                                 ", got " + std::to_string(v));
      return static_cast<std::size_t>(min);
    }
    return static_cast<std::size_t>(v);
  }

  // Discovery scans the plugin folders, so it runs once, and only when a plugin is missing.
  const std::vector<PluginEntry>& plugin_entries() {
    if (!entries_) {
      entries_.emplace();
      try {
        *entries_ = registry_.discover();
      } catch (const std::exception&) {
        // a broken folder must not hide the real error
      }
    }
    return *entries_;
  }

  PluginRegistry& registry_;
  Diagnostics& diags_;
  std::optional<std::vector<PluginEntry>> entries_;
  const std::int64_t default_bytes_;  // once: it asks the kernel (sysinfo) each time
};

}  // namespace

std::int64_t default_max_in_flight_bytes() {
  constexpr std::int64_t mib = 1 << 20;
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  const std::int64_t memory = pages > 0 && page > 0 ? static_cast<std::int64_t>(pages) * page : 4096 * mib;
  return std::clamp<std::int64_t>(memory / 16, 64 * mib, 1024 * mib);
}

std::unique_ptr<CheckedGraph> validate_graph(GraphSpec spec, PluginRegistry& registry, Diagnostics& diags) {
  const std::size_t errors_before = diags.size();
  auto graph = std::make_unique<CheckedGraph>();
  graph->spec = std::move(spec);  // first: CheckedNode::spec points into it
  const std::vector<NodeSpec>& nodes = graph->spec.nodes;

  GraphValidator validator(registry, diags);
  std::vector<CheckedNode> checked;
  std::vector<std::optional<std::vector<std::string>>> ports(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i)
    checked.push_back(validator.check_node(nodes[i], graph->spec.graph, ports[i]));
  if (nodes.empty()) diags.error(SourcePos{graph->spec.file, 0, 0}, "the graph has no nodes");

  GraphShape shape = check_graph_shape(nodes, ports, diags);
  if (diags.size() != errors_before) return nullptr;

  std::vector<std::size_t> position(nodes.size());
  for (std::size_t k = 0; k < shape.order.size(); ++k) {
    position[shape.order[k]] = k;
    graph->nodes.push_back(std::move(checked[shape.order[k]]));
  }
  // Edges grouped by consumer in the new order, each consumer's in `inputs` order (bucketed:
  // a scan of all edges per node was quadratic).
  std::vector<std::vector<const CheckedEdge*>> by_consumer(nodes.size());
  for (const CheckedEdge& e : shape.edges) by_consumer[e.to].push_back(&e);
  for (std::size_t k = 0; k < shape.order.size(); ++k)
    for (const CheckedEdge* e : by_consumer[shape.order[k]]) graph->edges.push_back({position[e->from], e->port, k});
  return graph;
}

}  // namespace graph_runner::engine
