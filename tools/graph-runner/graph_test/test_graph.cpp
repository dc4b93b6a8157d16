#include "graph_test/test_graph.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "graph_test/test_plugins.hpp"

namespace graph_runner::cli::graph_test {
namespace {

using engine::ErrorPolicy;
using engine::InputRef;
using engine::NodeSpec;
using engine::SourcePos;

// Generated node names start with '~', which no graph file can write: they never collide.
std::string generated(const std::string& what, std::size_t i, std::size_t j = 0) {
  return "~" + what + "_" + std::to_string(i + 1) + (j ? "_" + std::to_string(j) : "");
}

// A node the test made: positioned at the test table that asked for it.
NodeSpec make_node(std::string name, NodeKind kind, std::string plugin, const SourcePos& pos,
                   std::vector<InputRef> inputs = {}) {
  NodeSpec n;
  n.name = std::move(name);
  n.kind = kind;
  n.pos = n.plugin_pos = n.inputs_pos = pos;
  n.plugin = std::move(plugin);
  n.inputs = std::move(inputs);
  return n;
}

// The plugin's parameters and whatever reaches outside the graph go; the name, inputs,
// batching and on_error stay (a sink's errors port is still read), so the rest of the graph
// sees the node it knows.
void replace_plugin(NodeSpec& n, const char* plugin) {
  n.plugin = plugin;
  n.params.clear();
  n.param_pos.clear();
  n.concurrency.reset();
  n.partition_by.reset();
  n.priority.reset();
  n.rate.reset();  // a test's records go at once
  n.burst.reset();
  n.blocking = false;
}

class Builder {
 public:
  Builder(const engine::GraphSpec& graph, engine::Diagnostics& diags)
      : graph_(graph), diags_(diags) {
    for (const auto& n : graph.nodes) names_.push_back(n.name);
  }

  TestGraph build(const GraphTest& test) {
    out_.spec = graph_;
    out_.spec.graph.state_dir.clear();  // no checkpoints: nothing real is read
    inject(test.inputs);
    keep_reached();
    keep_needed(test.outputs);
    for (auto& n : out_.spec.nodes)
      if (n.kind == NodeKind::sink) replace_plugin(n, capture_plugin);
    for (std::size_t i = 0; i < test.outputs.size(); ++i) out_.outputs.push_back(capture(test.outputs[i], i));
    release_lost_readers();
    return std::move(out_);
  }

 private:
  NodeSpec* find(const std::string& name) {
    auto& nodes = out_.spec.nodes;
    auto it = std::find_if(nodes.begin(), nodes.end(), [&](const NodeSpec& n) { return n.name == name; });
    return it == nodes.end() ? nullptr : &*it;
  }

  const NodeSpec* in_graph(const std::string& name, const SourcePos& pos) {
    for (const auto& n : graph_.nodes)
      if (n.name == name) return &n;
    diags_.error(pos, "unknown node '" + name + "': " + graph_.file + " has no node of that name",
                 engine::did_you_mean(name, names_));
    return nullptr;
  }

  void inject(const std::vector<TestInput>& inputs) {
    std::set<std::string> injected;
    std::map<std::string, std::vector<InputRef>> fed;  // stage -> its test inputs
    std::vector<NodeSpec> added;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const TestInput& in = inputs[i];
      const NodeSpec* node = in_graph(in.node, in.node_pos);
      if (!node) continue;
      if (node->kind == NodeKind::sink) {
        diags_.error(in.node_pos, "'" + in.node + "' is a sink: inject at a source (replacing it) or at a stage "
                                  "(replacing what feeds it)");
      } else if (node->kind == NodeKind::source) {
        if (injected.insert(in.node).second) replace_plugin(*find(in.node), input_plugin);
        out_.inputs.emplace_back(in.node, in.lines);
      } else {
        const std::string name = generated("input", i);
        added.push_back(make_node(name, NodeKind::source, input_plugin, in.pos));
        fed[in.node].push_back(InputRef{name, "out", in.node_pos});
        out_.inputs.emplace_back(name, in.lines);
      }
    }
    for (auto& [stage, refs] : fed) {
      NodeSpec& n = *find(stage);
      for (const auto& old : n.inputs) lost_readers_.insert(old.node);
      n.inputs = std::move(refs);
    }
    auto& nodes = out_.spec.nodes;
    std::erase_if(nodes, [&](const NodeSpec& n) { return n.kind == NodeKind::source && !injected.count(n.name); });
    nodes.insert(nodes.begin(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  }

  // Only what the test's inputs reach runs; inputs from removed nodes are cut.
  void keep_reached() {
    auto& nodes = out_.spec.nodes;
    std::set<std::string> reached;
    for (const auto& n : nodes)
      if (n.kind == NodeKind::source) reached.insert(n.name);
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& n : nodes) {
        if (reached.count(n.name)) continue;
        if (std::any_of(n.inputs.begin(), n.inputs.end(), [&](const InputRef& r) { return reached.count(r.node); }))
          grew = reached.insert(n.name).second;
      }
    }
    std::erase_if(nodes, [&](const NodeSpec& n) { return !reached.count(n.name); });
    for (auto& n : nodes) std::erase_if(n.inputs, [&](const InputRef& r) { return !reached.count(r.node); });
  }

  // Only what feeds an expected output runs: a test never reaches a node past what it checks
  // (an HTTP call downstream of the stage under test). Producers that lose a reader here send
  // to ports nobody reads any more: release_lost_readers() drops those records on purpose.
  void keep_needed(const std::vector<TestOutput>& outputs) {
    auto& nodes = out_.spec.nodes;
    std::set<std::string> needed;
    std::vector<std::string> todo;
    for (const auto& o : outputs) todo.push_back(o.node);
    while (!todo.empty()) {
      const std::string name = std::move(todo.back());
      todo.pop_back();
      const NodeSpec* n = find(name);
      if (!n || !needed.insert(name).second) continue;
      for (const auto& r : n->inputs) todo.push_back(r.node);
    }
    for (const auto& n : nodes)
      if (!needed.count(n.name))
        for (const auto& r : n.inputs) lost_readers_.insert(r.node);
    std::erase_if(nodes, [&](const NodeSpec& n) { return !needed.count(n.name); });
  }

  OutputCaptures capture(const TestOutput& o, std::size_t i) {
    OutputCaptures caps;
    const NodeSpec* original = in_graph(o.node, o.node_pos);
    const NodeSpec* node = find(o.node);
    if (!original || !node) return caps;  // unknown (reported), or not reached: nothing arrives there
    std::vector<InputRef> feed{InputRef{o.node, o.port, o.node_pos}};
    if (node->kind == NodeKind::sink) {  // a sink emits nothing: its output is what it receives
      if (o.port != "out")
        diags_.error(o.node_pos, "'" + o.node + "' is a sink, which has no ports",
                     "node = \"" + o.node + "\" captures what the sink receives");
      caps.records = o.node;
      feed = node->inputs;
    } else {
      caps.records = generated("output", i);
      added_.push_back(make_node(caps.records, NodeKind::sink, capture_plugin, o.node_pos, feed));
    }
    for (std::size_t j = 0; j < o.conditions.size(); ++j) {
      const auto& [condition, pos] = o.conditions[j];
      NodeSpec check = make_node(generated("check", i, j + 1), NodeKind::stage, "filter", pos, feed);
      check.params["where"] = "!(" + condition + ")";  // the filter keeps what violates it
      check.param_pos["where"] = pos;
      check.on_error = ErrorPolicy::route;  // a record the condition cannot judge is a violation too
      check.on_error_pos = pos;
      out_.checks.emplace_back(check.name, condition);
      caps.violations.push_back(generated("violation", i, j + 1));
      caps.unevaluated.push_back(generated("unevaluated", i, j + 1));
      added_.push_back(make_node(caps.violations.back(), NodeKind::sink, capture_plugin, pos, {{check.name, "out", pos}}));
      added_.push_back(make_node(caps.unevaluated.back(), NodeKind::sink, capture_plugin, pos, {{check.name, "errors", pos}}));
      added_.push_back(std::move(check));
    }
    return caps;
  }

  // A node whose reader a test input replaced may now send to a port nobody reads: those
  // records are dropped on purpose (the test does not look there).
  void release_lost_readers() {
    auto& nodes = out_.spec.nodes;
    nodes.insert(nodes.end(), std::make_move_iterator(added_.begin()), std::make_move_iterator(added_.end()));
    for (const auto& name : lost_readers_) {
      NodeSpec* n = find(name);
      if (!n) continue;
      n->drop_unread = true;
      const bool errors_read = std::any_of(nodes.begin(), nodes.end(), [&](const NodeSpec& m) {
        return std::any_of(m.inputs.begin(), m.inputs.end(),
                           [&](const InputRef& r) { return r.node == name && r.port == "errors"; });
      });
      if (n->on_error == ErrorPolicy::route && !errors_read) n->on_error = ErrorPolicy::drop;
    }
  }

  const engine::GraphSpec& graph_;
  engine::Diagnostics& diags_;
  std::vector<std::string> names_;
  TestGraph out_;
  std::vector<NodeSpec> added_;
  std::set<std::string> lost_readers_;
};

}  // namespace

TestGraph build_test_graph(const engine::GraphSpec& graph, const GraphTest& test, engine::Diagnostics& diags) {
  return Builder(graph, diags).build(test);
}

}  // namespace graph_runner::cli::graph_test
