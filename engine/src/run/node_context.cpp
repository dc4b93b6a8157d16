#include "run/node_context.hpp"

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

void NodeContext::log(LogLevel level, std::string_view message) const {
  static constexpr const char* names[] = {"debug", "info", "warn", "error"};
  run_.log(std::string("[") + node_.spec->name + "] " + names[static_cast<int>(level)] + ": " + std::string(message));
}

}  // namespace graph_runner::engine
