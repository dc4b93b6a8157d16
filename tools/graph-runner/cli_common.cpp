#include "cli_common.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>

#include "graph_runner/version.hpp"

namespace graph_runner::cli {

const CLI::Validator non_negative_integer(
    [](std::string& s) -> std::string {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size() || v < 0) return "expected an integer >= 0, got '" + s + "'";
      return {};
    },
    "");

const CLI::Validator non_negative_seconds(
    [](std::string& s) -> std::string {
      char* end = nullptr;
      const double v = std::strtod(s.c_str(), &end);
      if (s.empty() || *end != '\0' || !(v >= 0) || !std::isfinite(v))
        return "expected a number of seconds >= 0, got '" + s + "'";
      return {};
    },
    "");

void add_plugin_path_option(CLI::App& app, std::vector<std::string>& dirs) {
  // allow_extra_args(false): each --plugin-path takes one folder, so it never swallows GRAPH.
  app.add_option("--plugin-path", dirs, "Search this folder for plugins first (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);
}

void add_graph_args(CLI::App& app, GraphArgs& args) {
  app.add_option("GRAPH", args.graph, "Graph file (TOML)")->required()->type_name("FILE");
  app.add_option("--set", args.sets, "Override a value of the graph file, e.g. sources.numbers.count=10 (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);  // the engine checks KEY=VALUE and reports it like a graph error
  add_plugin_path_option(app, args.plugin_dirs);
}

std::unique_ptr<engine::CheckedGraph> load_checked_graph(const GraphArgs& args, engine::PluginRegistry& registry) {
  engine::LoadOptions options;
  for (const auto& s : args.sets) options.overrides.push_back(engine::Override{s});
  for (const auto& d : args.plugin_dirs) options.plugin_dirs.emplace_back(d);
  engine::Diagnostics diags;
  auto graph = engine::load_graph(args.graph, options, registry, diags);
  if (!graph || !diags.empty()) {
    print_errors(diags);
    return nullptr;
  }
  std::cerr << diags.format_warnings();  // e.g. a deprecated plugin name: the graph still runs
  return graph;
}

int print_errors(const engine::Diagnostics& diags) {
  std::cerr << diags.format() << diags.size() << " error(s)\n";
  return exit_bad_graph;
}

int print_errors(const std::string& formatted) {
  std::size_t count = 0;
  for (std::size_t at = formatted.find(": error: "); at != std::string::npos;
       at = formatted.find(": error: ", at + 1))
    ++count;
  std::cerr << formatted;
  if (!formatted.empty() && formatted.back() != '\n') std::cerr << '\n';
  std::cerr << (count ? count : 1) << " error(s)\n";
  return exit_bad_graph;
}

std::string version_line() {
  return std::string("graph-runner ") + GRAPH_RUNNER_VERSION_STRING + " (SDK " + std::to_string(sdk_version_major) +
         "." + std::to_string(sdk_version_minor) + ")";
}

}  // namespace graph_runner::cli
