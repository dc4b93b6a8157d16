// The plain rendering of a log message, used when nobody installed a logger.
#include "run/run_graph.hpp"

namespace graph_runner::engine {

std::string format_log_line(const LogEvent& event) {
  static constexpr const char* names[] = {"debug", "info", "warn", "error"};
  std::string line;
  if (!event.node.empty()) line.append("[").append(event.node).append("] ");
  line.append(names[static_cast<int>(event.level)]).append(": ").append(event.message);
  return line;
}

}  // namespace graph_runner::engine
