#include "run/node_context.hpp"

#include <cctype>
#include <filesystem>
#include <stdexcept>

namespace graph_runner::engine {

Port NodeContext::port(std::string_view name) const {
  for (std::size_t i = 0; i < node_.ports.size(); ++i)
    if (node_.ports[i] == name) return Port{i};
  std::string known;
  for (const auto& p : node_.ports) known += (known.empty() ? "" : ", ") + p;
  throw std::invalid_argument("node '" + node_.spec->name + "' has no port '" + std::string(name) +
                              "' (ports: " + known + ")");
}

void NodeContext::log(LogLevel level, std::string_view message) const { run_.log(level, node_.spec->name, message); }

void NodeContext::reject_input(std::string_view input, std::string_view error) {
  if (node_.spec->on_error == ErrorPolicy::fail) throw std::runtime_error(std::string(error));
  std::lock_guard lock(rejected_mutex_);
  rejected_.push_back({std::string(input), std::string(error)});
}

std::vector<NodeContext::RejectedInput> NodeContext::take_rejected_inputs() {
  std::lock_guard lock(rejected_mutex_);
  return std::exchange(rejected_, {});
}

void NodeContext::set_gauge(std::string_view name, double value) {
  // The name becomes a Prometheus label value and a JSON key: keep it an identifier.
  const bool ok = !name.empty() && name.size() <= 64 && name[0] >= 'a' && name[0] <= 'z' &&
                  name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos;
  if (!ok)
    throw std::invalid_argument("node '" + node_.spec->name + "': gauge name '" + std::string(name) +
                                "' is not [a-z][a-z0-9_]* (at most 64 characters)");
  std::lock_guard lock(gauges_mutex_);
  auto it = gauges_.find(name);
  if (it == gauges_.end()) gauges_.emplace(std::string(name), value);
  else it->second = value;
}

std::map<std::string, double, std::less<>> NodeContext::gauges() const {
  std::lock_guard lock(gauges_mutex_);
  return gauges_;
}

namespace {
// A name safe in a file name: [A-Za-z0-9._-] kept, anything else '_'.
std::string file_safe(std::string_view name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  return out;
}
}  // namespace

// Keyed by graph and node, so two sources of a graph, or two graphs sharing a state_dir,
// never share a file. A graph without a name is known by its file's name.
CheckpointSettings NodeContext::checkpoint_for(const GraphSpec& graph, const NodeSpec& node) {
  CheckpointSettings c;
  if (node.kind != NodeKind::source || graph.graph.state_dir.empty()) return c;
  const std::string graph_name =
      !graph.graph.name.empty() ? graph.graph.name : std::filesystem::path(graph.file).stem().string();
  c.file = (std::filesystem::path(graph.graph.state_dir) / (file_safe(graph_name) + "." + node.name + ".state")).string();
  c.key = graph_name + "/" + node.name;
  c.from_start = graph.graph.from_start;
  c.interval = std::chrono::milliseconds(graph.graph.checkpoint_ms);
  return c;
}

}  // namespace graph_runner::engine
