// `graph-runner test FILE...`: the unit tests of graph files ([[tests]], docs/testing-graphs.md).
// Exit 0 when every test passed, 1 when one failed, 2 when a test file is broken (or usage).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "graph_test/test_report.hpp"
#include "graph_test/test_run.hpp"
#include "signals.hpp"

namespace graph_runner::cli {
namespace {

struct TestArgs {
  std::vector<std::string> files;
  std::string junit;
  std::string filter;
  double timeout_s = 60;
  std::vector<std::string> plugin_dirs;
};

int test(const TestArgs& args) {
  graph_test::TestOptions options;
  options.filter = args.filter;
  options.timeout_s = args.timeout_s;
  for (const auto& dir : args.plugin_dirs) options.plugin_dirs.emplace_back(dir);
  options.stop_flag = &stop_flag();
  options.cancel_flag = &cancel_flag();
  options.on_result = [](const graph_test::TestResult& r) { graph_test::print_result(std::cout, r); };

  std::vector<graph_test::FileResult> results;
  int code = exit_ok;
  for (const auto& file : args.files) {
    std::cout << file << '\n' << std::flush;
    results.push_back(graph_test::run_test_file(file, options));
    const auto& r = results.back();
    if (!r.broken.empty()) {
      std::cout << std::flush;
      print_errors(r.broken);
      code = exit_bad_graph;
    }
    for (const auto& t : r.tests)
      if (!t.passed && code == exit_ok) code = exit_run_failed;
    if (r.interrupted) break;
  }
  std::cout << graph_test::totals_line(results) << '\n';
  if (!args.junit.empty()) {
    std::ofstream out(args.junit, std::ios::trunc);
    out << graph_test::junit_xml(results);
    out.close();
    if (!out) {
      std::cerr << "graph-runner: cannot write --junit file '" << args.junit << "': " << std::strerror(errno) << '\n';
      return exit_bad_graph;
    }
  }
  if (const int sig = received_signal()) {  // stopped: no verdict
    std::cerr << "graph-runner: interrupted by " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopped\n";
    return exit_signal_base + sig;
  }
  return code;
}

}  // namespace

Subcommand add_test_command(CLI::App& parent) {
  auto args = std::make_shared<TestArgs>();
  CLI::App* app = parent.add_subcommand(
      "test", "Run the [[tests]] of graph files: records in, expected records out, no real input or output");
  app->add_option("FILE", args->files,
                  "A graph file with [[tests]], or a test file naming its graph (graph = \"PATH\")")
      ->required()
      ->check(CLI::ExistingFile);
  app->add_option("--junit", args->junit, "Also write the results as JUnit XML to FILE (for CI systems)")
      ->type_name("FILE");
  app->add_option("--filter", args->filter, "Run only the tests whose name contains TEXT")->type_name("TEXT");
  app->add_option("--timeout", args->timeout_s, "Fail a test whose run takes longer than SECONDS (default 60)")
      ->type_name("SECONDS")
      ->check(non_negative_seconds);
  add_plugin_path_option(*app, args->plugin_dirs);
  app->footer(
      "Each test runs its own copy of the graph: the sources it injects replaced by its records, the others "
      "removed, only the nodes between its inputs and the outputs it checks kept, sinks replaced by captures. "
      "Prints PASS or FAIL per test, with the differences.\n"
      "Exit codes: 0 all passed, 1 a test failed, 2 a broken test file (FILE:LINE:COL errors) or usage.\n\n"
      "Examples:\n"
      "  graph-runner test graphs/quickstart.toml\n"
      "  graph-runner test graphs/*.toml --junit results.xml\n"
      "  graph-runner test pipeline.test.toml --filter 'big values'");
  return {app, [args] { return test(*args); }};
}

}  // namespace graph_runner::cli
