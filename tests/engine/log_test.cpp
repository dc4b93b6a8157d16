// The logging seam: plugin messages (Context::log) and the engine's own reach
// RunOptions::log as events naming their node, filtered by RunOptions::log_level.
#include <mutex>
#include <vector>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;

// Says something at every level: when created, on its first batch, and at the end.
class Chatty : public Stage {
 public:
  explicit Chatty(Context& c) : ctx_(c) { ctx_.log(LogLevel::debug, "created"); }
  void process(BatchPtr in, Emitter& out) override {
    if (!said_) ctx_.log(LogLevel::info, "first batch");
    said_ = true;
    out.emit(in);
  }
  void finish(Emitter&) override {
    ctx_.log(LogLevel::warn, "finishing");
    ctx_.log(LogLevel::error, "an error, for the test");
  }

 private:
  Context& ctx_;
  bool said_ = false;
};

struct Logged {
  LogLevel level;
  std::string node, message;
};

std::vector<Logged> run_logged(LogLevel level) {
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(R"(
[sources.numbers]
plugin = "generate"
count = 50
[stages.talk]
plugin = "chatty"
inputs = ["numbers"]
[sinks.total]
plugin = "count"
inputs = ["talk"]
)",
                                    "log.toml", {}, diags);
  PluginRegistry registry;
  registry.add_static(PluginDescriptor::stage<Chatty>("chatty", "logs at every level"));
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);
  auto graph = validate_graph(std::move(spec), registry, diags);
  INFO(diags.format());
  REQUIRE(graph);
  std::mutex mutex;
  std::vector<Logged> logged;
  RunOptions options;
  options.log_level = level;
  options.log = [&](const LogEvent& e) {
    std::lock_guard lock(mutex);
    logged.push_back({e.level, std::string(e.node), std::string(e.message)});
  };
  const RunResult r = run_graph(*graph, options);
  REQUIRE(r.status == RunStatus::completed);
  return logged;
}

bool has(const std::vector<Logged>& logged, LogLevel level, const std::string& node, const std::string& message) {
  for (const auto& l : logged)
    if (l.level == level && l.node == node && l.message == message) return true;
  return false;
}

}  // namespace

TEST_CASE("plugin log messages reach RunOptions::log with their node and level", "[log]") {
  const auto logged = run_logged(LogLevel::debug);
  CHECK(has(logged, LogLevel::debug, "talk", "created"));
  CHECK(has(logged, LogLevel::info, "talk", "first batch"));
  CHECK(has(logged, LogLevel::warn, "talk", "finishing"));
  CHECK(has(logged, LogLevel::error, "talk", "an error, for the test"));
  // the engine's own messages name their node too
  for (const char* node : {"numbers", "talk", "total"}) {
    INFO(node);
    CHECK(std::any_of(logged.begin(), logged.end(), [&](const Logged& l) {
      return l.node == node && l.level == LogLevel::debug && l.message.rfind("created (plugin '", 0) == 0;
    }));
  }
}

TEST_CASE("log messages below RunOptions::log_level are not delivered", "[log]") {
  const auto logged = run_logged(LogLevel::warn);
  CHECK(has(logged, LogLevel::warn, "talk", "finishing"));
  CHECK(has(logged, LogLevel::error, "talk", "an error, for the test"));
  for (const auto& l : logged) {
    INFO(l.node << ": " << l.message);
    CHECK(l.level >= LogLevel::warn);
  }
}

TEST_CASE("the default log line names the node", "[log]") {
  CHECK(format_log_line(LogEvent{LogLevel::warn, "valid", "bad value"}) == "[valid] warn: bad value");
  CHECK(format_log_line(LogEvent{LogLevel::error, "", "grace period expired"}) == "error: grace period expired");
}
