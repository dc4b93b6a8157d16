#include "validate/graph_structure.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace graph_runner::engine::validate_detail {
namespace {

std::string at(const SourcePos& pos) { return std::to_string(pos.line) + ":" + std::to_string(pos.column); }

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words)
    if (!w.empty()) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string input_text(const InputRef& ref) { return ref.port == "out" ? ref.node : ref.node + "." + ref.port; }

class ShapeChecker {
 public:
  ShapeChecker(const std::vector<NodeSpec>& nodes, const std::vector<std::optional<std::vector<std::string>>>& ports,
               Diagnostics& diags)
      : nodes_(nodes), ports_(ports), diags_(diags), active_(nodes.size(), true) {}

  GraphShape run() {
    check_names();
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (active_[i]) check_inputs(i);
    index_edges();
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      if (active_[i]) {
        check_errors_consumed(i);
        check_ports_read(i);
      }
    order();
    return std::move(shape_);
  }

 private:
  struct Edge {
    CheckedEdge edge;
    const SourcePos* pos;  // the input string that made it
  };

  // Names are unique across kinds: inputs name nodes without saying their kind.
  void check_names() {
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      auto [it, inserted] = index_.emplace(nodes_[i].name, i);
      if (inserted) {
        names_.push_back(nodes_[i].name);
        continue;
      }
      const NodeSpec& first = nodes_[it->second];
      diags_.error(nodes_[i].pos,
                   "duplicate node name '" + nodes_[i].name + "': already the " +
                       std::string(node_kind_name(first.kind)) + " at " + at(first.pos),
                   "node names are unique across sources, stages and sinks");
      active_[i] = false;  // left out of the graph: its inputs would only add confusion
    }
  }

  void check_inputs(std::size_t i) {
    const NodeSpec& node = nodes_[i];
    const std::string kind(node_kind_name(node.kind));
    if (node.kind == NodeKind::source) {
      if (!node.inputs.empty())
        diags_.error(node.inputs_pos.line ? node.inputs_pos : node.pos, "source '" + node.name + "' has inputs",
                     "a source reads from outside the graph; only stages and sinks have inputs");
      return;
    }
    if (node.inputs.empty())
      diags_.error(node.pos, kind + " '" + node.name + "' is fed by nothing",
                   "give it inputs = [\"NODE\"] or [\"NODE.PORT\"]");
    std::set<std::pair<std::size_t, std::size_t>> seen;
    for (const InputRef& ref : node.inputs) {
      auto from = resolve(ref);
      if (!from) {  // reported; the node it names (or any node, for an unknown name) is not read as meant
        if (auto it = index_.find(ref.node); it != index_.end()) misread_.insert(it->second);
        else unknown_input_ = true;
        continue;
      }
      if (!seen.insert({from->from, from->port}).second) {
        diags_.error(ref.pos, "input '" + input_text(ref) + "' is listed twice");
        continue;
      }
      edges_.push_back({{from->from, from->port, i}, &ref.pos});
    }
  }

  // Edge indexes by producer and by consumer, so every later step is linear in the edges
  // (scanning all edges per node made validate quadratic: 10^5 nodes took 11 s).
  void index_edges() {
    out_edges_.assign(nodes_.size(), {});
    in_edges_.assign(nodes_.size(), {});
    for (const Edge& e : edges_) {
      out_edges_[e.edge.from].push_back(&e);
      in_edges_[e.edge.to].push_back(&e);
    }
  }

  // on_error = "route" sends failed records to NODE.errors: with nothing reading that port
  // they would vanish, which is what "route" is chosen to avoid.
  void check_errors_consumed(std::size_t i) {
    const NodeSpec& node = nodes_[i];
    if (node.on_error != ErrorPolicy::route || !ports_[i]) return;
    const auto& ports = *ports_[i];
    const auto port = static_cast<std::size_t>(std::find(ports.begin(), ports.end(), "errors") - ports.begin());
    if (port == ports.size()) return;
    for (const Edge* e : out_edges_[i])
      if (e->edge.port == port) return;
    diags_.error(node.on_error_pos.line ? node.on_error_pos : node.pos,
                 "on_error = \"route\" on '" + node.name + "', but nothing reads '" + node.name + ".errors'",
                 "add a node with inputs = [\"" + node.name + ".errors\"] (e.g. a jsonl sink), or choose on_error = "
                 "\"drop\" or \"fail\"");
  }

  // Records sent to a port that no node reads would vanish uncounted: each such port must be
  // read, or the node says unread = "drop" (the engine then counts them as dropped). Port
  // `errors` is check_errors_consumed's; a route-only node's default port gets nothing.
  void check_ports_read(std::size_t i) {
    const NodeSpec& node = nodes_[i];
    // After a wrong input, the error is that input's: the fix there may read these ports.
    if (node.kind == NodeKind::sink || node.drop_unread || !ports_[i] || misread_.count(i) || unknown_input_) return;
    const auto& ports = *ports_[i];
    std::vector<bool> read(ports.size(), false);
    for (const Edge* e : out_edges_[i]) read[e->edge.port] = true;
    std::vector<std::string> unread;
    for (std::size_t p = 0; p < ports.size(); ++p) {
      if (ports[p] == silent_default_port || ports[p] == "errors") continue;
      if (!read[p]) unread.push_back("'" + (p == 0 ? node.name : node.name + "." + ports[p]) + "'");
    }
    if (unread.empty()) return;
    const std::string example = unread.front().substr(1, unread.front().size() - 2);
    diags_.error(node.pos,
                 std::string(node_kind_name(node.kind)) + " '" + node.name + "' sends records to " +
                     (unread.size() == 1 ? "port " : "ports ") + join(unread) + " that no node reads",
                 std::string(unread.size() == 1 ? "read it" : "read them") + " (e.g. inputs = [\"" + example +
                     "\"]), or set unread = \"drop\" on '" + node.name +
                     "' to drop what reaches unread ports on purpose (counted as dropped)");
  }

  // The producing node and port of one input, or nullopt after reporting why not.
  std::optional<CheckedEdge> resolve(const InputRef& ref) {
    auto it = index_.find(ref.node);
    if (it == index_.end()) {
      // A hint compares with every name: for the first few unknown inputs only, or a file full
      // of them would take time quadratic in nodes (20,000 took 75 s).
      std::string hint = hints_left_ > 0 ? did_you_mean(ref.node, names_) : std::string{};
      if (hints_left_ > 0) --hints_left_;
      diags_.error(ref.pos, "unknown input '" + ref.node + "': no node has that name", std::move(hint));
      return std::nullopt;
    }
    const std::size_t from = it->second;
    const NodeSpec& producer = nodes_[from];
    // A sink's one output is port `errors`, for the batches it failed under on_error = "route".
    if (producer.kind == NodeKind::sink && ref.port != "errors") {
      diags_.error(ref.pos, "input '" + input_text(ref) + "' is a sink, which has no outputs",
                   "only sources and stages feed other nodes (and a sink with on_error = \"route\" its port "
                   "'errors': inputs = [\"" + ref.node + ".errors\"])");
      return std::nullopt;
    }
    if (!ports_[from]) return CheckedEdge{from, 0, 0};  // its plugin failed: already reported
    const auto& ports = *ports_[from];
    auto port = std::find(ports.begin(), ports.end(), ref.port);
    if (port == ports.end() && ref.port == "out" && ports.front() == silent_default_port) {
      std::vector<std::string> named(ports.begin() + 1, ports.end());
      named.erase(std::remove(named.begin(), named.end(), "errors"), named.end());
      diags_.error(ref.pos, "node '" + producer.name + "' (plugin '" + producer.plugin +
                                "') sends records only to its named ports (" + join(named) + "): '" + ref.node +
                                "' alone would read nothing",
                   named.empty() ? "" : "read one of them, e.g. inputs = [\"" + ref.node + "." + named.front() + "\"]");
      return std::nullopt;
    }
    if (port == ports.end()) {
      std::string hint = ref.port == "errors" && producer.on_error != ErrorPolicy::route
                             ? "set on_error = \"route\" on '" + producer.name + "' to send its failed records there"
                             : did_you_mean(ref.port, ports);
      diags_.error(ref.pos, "node '" + producer.name + "' has no port '" + ref.port + "' (ports: " + join(ports) + ")",
                   hint);
      return std::nullopt;
    }
    return CheckedEdge{from, static_cast<std::size_t>(port - ports.begin()), 0};
  }

  // Kahn's algorithm, always taking the earliest ready node in file order, so the order is
  // stable and matches the file wherever the edges allow.
  void order() {
    const std::size_t n = nodes_.size();
    std::vector<std::size_t> pending(n, 0);
    for (const auto& e : edges_) ++pending[e.edge.to];
    std::set<std::size_t> ready;
    for (std::size_t i = 0; i < n; ++i)
      if (active_[i] && pending[i] == 0) ready.insert(i);
    std::vector<bool> placed(n, false);
    while (!ready.empty()) {
      std::size_t i = *ready.begin();
      ready.erase(ready.begin());
      placed[i] = true;
      shape_.order.push_back(i);
      for (const Edge* e : out_edges_[i])
        if (--pending[e->edge.to] == 0) ready.insert(e->edge.to);
    }
    for (const auto& e : edges_) shape_.edges.push_back(e.edge);
    report_cycles(placed);
  }

  // Nodes Kahn could not place are on a cycle or downstream of one. Each cycle is reported
  // once, at its first node in file order, on the input that closes it.
  void report_cycles(const std::vector<bool>& placed) {
    std::vector<bool> reported(nodes_.size(), false);
    for (std::size_t v = 0; v < nodes_.size(); ++v) {
      if (!active_[v] || placed[v] || reported[v]) continue;
      std::vector<const Edge*> cycle = shortest_cycle(v, placed);
      if (cycle.empty()) continue;  // downstream of a cycle, not on one
      auto forward = reachable(v, placed, true), backward = reachable(v, placed, false);
      for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (forward[i] && backward[i]) reported[i] = true;  // the rest of this knot
      std::string path = nodes_[v].name;
      for (const Edge* e : cycle) path += " -> " + nodes_[e->edge.to].name;
      diags_.error(*cycle.back()->pos, "cycle: " + path, "a graph must not feed its own output back into itself");
    }
  }

  // Edges of the shortest path v -> ... -> v through unplaced nodes (breadth first), or empty.
  std::vector<const Edge*> shortest_cycle(std::size_t v, const std::vector<bool>& placed) const {
    std::map<std::size_t, const Edge*> via;  // node -> edge that reached it first
    std::deque<std::size_t> queue{v};
    while (!queue.empty()) {
      std::size_t u = queue.front();
      queue.pop_front();
      for (const Edge* e : out_edges_[u]) {
        if (placed[e->edge.to] || via.count(e->edge.to)) continue;
        via[e->edge.to] = e;
        if (e->edge.to == v) {
          std::vector<const Edge*> cycle;
          for (std::size_t w = v;;) {
            cycle.push_back(via.at(w));
            w = via.at(w)->edge.from;
            if (w == v) break;
          }
          std::reverse(cycle.begin(), cycle.end());
          return cycle;
        }
        queue.push_back(e->edge.to);
      }
    }
    return {};
  }

  std::vector<bool> reachable(std::size_t v, const std::vector<bool>& placed, bool downstream) const {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<std::size_t> stack{v};
    seen[v] = true;
    while (!stack.empty()) {
      std::size_t u = stack.back();
      stack.pop_back();
      for (const Edge* e : downstream ? out_edges_[u] : in_edges_[u]) {
        const std::size_t to = downstream ? e->edge.to : e->edge.from;
        if (!placed[to] && !seen[to]) {
          seen[to] = true;
          stack.push_back(to);
        }
      }
    }
    return seen;
  }

  const std::vector<NodeSpec>& nodes_;
  const std::vector<std::optional<std::vector<std::string>>>& ports_;
  Diagnostics& diags_;
  std::vector<bool> active_;  // false for a duplicate name
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> names_;
  std::vector<Edge> edges_;  // complete before index_edges(), which points into it
  std::vector<std::vector<const Edge*>> out_edges_, in_edges_;  // by producing / consuming node
  std::set<std::size_t> misread_;  // nodes named by an input that could not be resolved
  bool unknown_input_ = false;     // an input names no node
  std::size_t hints_left_ = 20;    // "did you mean" for unknown inputs
  GraphShape shape_;
};

}  // namespace

GraphShape check_graph_shape(const std::vector<NodeSpec>& nodes,
                             const std::vector<std::optional<std::vector<std::string>>>& ports, Diagnostics& diags) {
  return ShapeChecker(nodes, ports, diags).run();
}

}  // namespace graph_runner::engine::validate_detail
