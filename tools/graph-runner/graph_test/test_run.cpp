#include "graph_test/test_run.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <sstream>

#include "graph_test/test_expect.hpp"
#include "graph_test/test_graph.hpp"
#include "graph_test/test_plugins.hpp"
#include "graph_test/test_spec.hpp"
#include "parse/parse_graph.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::cli::graph_test {
namespace {

struct PreparedTest {
  const GraphTest* test;
  TestGraph graph;
  std::unique_ptr<engine::CheckedGraph> checked;
};

std::string run_error(const engine::RunResult& result, double timeout_s) {
  switch (result.status) {
    case engine::RunStatus::failed: return "  the run failed: " + result.error + "\n";
    case engine::RunStatus::timed_out:
      return "  the run took longer than " + std::to_string(static_cast<int>(timeout_s)) + " s (--timeout)\n";
    case engine::RunStatus::interrupted: return "  interrupted by a signal\n";
    default: return {};
  }
}

// `broken` gets the diagnostics when a plugin refused its parameters (a broken test, like a bad graph).
TestResult run_one(PreparedTest& t, TestStore& store, const TestOptions& options, std::string& broken) {
  TestResult r;
  r.name = t.test->name;
  store.clear();
  for (const auto& [node, lines] : t.graph.inputs) store.set_input(node, lines);
  std::mutex log_mutex;
  std::string log;
  engine::RunOptions run;
  run.timeout_s = options.timeout_s;
  run.stop_flag = options.stop_flag;
  run.cancel_flag = options.cancel_flag;
  run.log = [&](const engine::LogEvent& e) {
    std::lock_guard lock(log_mutex);
    log += "    " + engine::format_log_line(e) + "\n";
  };
  const auto started = std::chrono::steady_clock::now();
  const engine::RunResult result = t.checked ? engine::run_graph(*t.checked, run) : engine::RunResult{};
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (result.status == engine::RunStatus::invalid) {
    broken = result.error;
    for (const auto& [check, condition] : t.graph.checks) {  // the user wrote a condition, not this node
      const std::string node = "node '" + check + "' (plugin 'filter')", said = "condition '" + condition + "'";
      for (auto at = broken.find(node); at != std::string::npos; at = broken.find(node, at + said.size()))
        broken.replace(at, node.size(), said);
    }
  }
  r.failure = run_error(result, options.timeout_s);
  if (result.status == engine::RunStatus::completed)
    for (std::size_t i = 0; i < t.test->outputs.size(); ++i)
      r.failure += check_output(t.test->outputs[i], t.graph.outputs[i], store);
  if (!r.failure.empty() && !log.empty()) r.failure += "  the graph logged:\n" + log;
  r.passed = r.failure.empty();
  return r;
}

}  // namespace

FileResult run_test_file(const std::string& path, const TestOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  FileResult out;
  out.path = path;
  engine::Diagnostics diags;
  const TestFile file = read_test_file(path, diags);
  // The graph is read even after errors in the tests, so that the tests' node names are
  // checked too: all errors at once.
  engine::Diagnostics graph_diags;
  const engine::GraphSpec graph = engine::parse_graph_file(file.graph_path, {}, graph_diags);
  for (const auto& d : graph_diags.all()) diags.error(d.pos, d.message, d.hint);
  if (!graph_diags.empty()) {
    out.broken = diags.format();
    return out;
  }

  TestStore store;  // declared before the registry: the plugins it registers point to it
  engine::PluginRegistry registry;
  register_test_plugins(registry, store);
  for (const auto& dir : options.plugin_dirs) registry.add_search_dir(dir);
  for (const auto& dir : graph.graph.plugin_path) registry.add_search_dir(dir);
  for (const auto& dir : engine::default_plugin_dirs()) registry.add_search_dir(dir);

  // Every test's graph is built and checked before any runs: a broken file runs nothing.
  std::vector<PreparedTest> prepared;
  for (const auto& test : file.tests)
    if (test.name.find(options.filter) != std::string::npos)
      prepared.push_back({&test, build_test_graph(graph, test, diags), nullptr});
  if (diags.empty())
    for (auto& t : prepared)  // no node left: none of the test's inputs reaches an output it checks
      if (!t.graph.spec.nodes.empty()) t.checked = engine::validate_graph(t.graph.spec, registry, diags);
  if (!diags.empty()) {
    out.broken = diags.format();
    return out;
  }
  for (auto& t : prepared) {
    if (options.stop_flag && options.stop_flag->load()) {
      out.interrupted = true;
      break;
    }
    TestResult r = run_one(t, store, options, out.broken);
    if (!out.broken.empty()) return out;
    if (options.on_result) options.on_result(r);
    out.tests.push_back(std::move(r));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace graph_runner::cli::graph_test
