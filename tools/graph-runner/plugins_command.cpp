// `graph-runner plugins` (a table of every plugin in the search path) and
// `graph-runner plugins describe NAME` (its schema, gst-inspect style).
#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "plugin_describe.hpp"

namespace graph_runner::cli {
namespace {

struct PluginsArgs {
  std::vector<std::string> plugin_dirs;
  std::string name;  // describe
};

// The search order of DESIGN.md section 3, minus a graph's own plugin_path (no graph here).
void set_search_path(engine::PluginRegistry& registry, const PluginsArgs& args) {
  for (const auto& d : args.plugin_dirs) registry.add_search_dir(d);
  for (const auto& d : engine::default_plugin_dirs()) registry.add_search_dir(d);
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

int list_plugins(const PluginsArgs& args) {
  engine::PluginRegistry registry;
  set_search_path(registry, args);
  struct Row {
    std::string name, kind, library, summary;
  };
  std::vector<Row> rows{{"NAME", "KIND", "LIBRARY", "SUMMARY"}};
  // Kind and summary live in the descriptor, so each library is loaded: listing runs
  // the registration functions, nothing else.
  for (const auto& entry : registry.discover()) {
    Row row{entry.name, "?", entry.library_path.filename().string(), ""};
    std::string error;
    if (auto plugin = registry.load(entry.name, error)) {
      row.kind = std::string(node_kind_name(plugin->descriptor.kind));
      row.summary = plugin->descriptor.summary;
    } else {
      row.summary = "(cannot load: " + error + ")";
    }
    rows.push_back(std::move(row));
  }
  std::size_t name_w = 0, kind_w = 0, lib_w = 0;
  for (const auto& r : rows) {
    name_w = std::max(name_w, r.name.size());
    kind_w = std::max(kind_w, r.kind.size());
    lib_w = std::max(lib_w, r.library.size());
  }
  for (const auto& r : rows)
    std::cout << pad(r.name, name_w + 2) << pad(r.kind, kind_w + 2) << pad(r.library, lib_w + 2) << r.summary << '\n';

  std::cout << '\n' << rows.size() - 1 << " plugin(s); folders searched, in order:\n";
  for (const auto& d : registry.search_dirs()) std::cout << "  " << d.string() << '\n';
  return exit_ok;
}

int describe(const PluginsArgs& args) {
  engine::PluginRegistry registry;
  set_search_path(registry, args);
  std::string error;
  auto plugin = registry.load(args.name, error);
  if (!plugin) {
    std::vector<std::string> names;
    for (const auto& entry : registry.discover()) names.push_back(entry.name);
    std::cerr << "graph-runner: " << error << '\n';
    if (std::string hint = engine::did_you_mean(args.name, names); !hint.empty()) std::cerr << "  hint: " << hint << '\n';
    return exit_bad_graph;
  }
  std::string sdk;
  for (const auto& entry : registry.discover())
    if (entry.name == args.name && entry.library_path == plugin->library_path)
      sdk = std::to_string(entry.sdk_major) + "." + std::to_string(entry.sdk_minor);
  std::cout << describe_plugin(*plugin, sdk);
  return exit_ok;
}

}  // namespace

std::vector<Subcommand> add_plugins_commands(CLI::App& parent) {
  auto args = std::make_shared<PluginsArgs>();
  CLI::App* plugins = parent.add_subcommand("plugins", "List the plugins in the search path");
  add_plugin_path_option(*plugins, args->plugin_dirs);
  plugins->require_subcommand(0, 1);
  plugins->footer(
      "Search order: --plugin-path folders, GRAPH_RUNNER_PLUGIN_PATH (':'-separated), the built-in folder.");

  CLI::App* describe_app =
      plugins->add_subcommand("describe", "Show a plugin's kind, concurrency, ports and parameters");
  describe_app->add_option("NAME", args->name, "Plugin name, as `graph-runner plugins` lists it")->required();
  describe_app->fallthrough();  // `plugins describe NAME --plugin-path DIR` works too
  return {{describe_app, [args] { return describe(*args); }}, {plugins, [args] { return list_plugins(*args); }}};
}

}  // namespace graph_runner::cli
