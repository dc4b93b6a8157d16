// `graph-runner plugins` (a table of every plugin in the search path; --json: every
// plugin's full description; --names: names only, for shell completion) and
// `graph-runner plugins describe NAME [--json]` (its schema, gst-inspect style).
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
  bool json = false;
  bool names = false;
};

std::string sdk_text(const engine::PluginEntry& entry) {
  return std::to_string(entry.sdk_major) + "." + std::to_string(entry.sdk_minor);
}

// The search order of DESIGN.md section 3, minus a graph's own plugin_path (no graph here).
void set_search_path(engine::PluginRegistry& registry, const PluginsArgs& args) {
  for (const auto& d : args.plugin_dirs) registry.add_search_dir(d);
  for (const auto& d : engine::default_plugin_dirs()) registry.add_search_dir(d);
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Every plugin's description as one JSON array; one that cannot be loaded is an object
// with its name, library and the reason.
int list_plugins_json(engine::PluginRegistry& registry) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& entry : registry.discover()) {
    std::string error;
    if (auto plugin = registry.load(entry.name, error))
      all.push_back(describe_plugin_json(*plugin, sdk_text(entry)));
    else
      all.push_back({{"name", entry.name}, {"library", entry.library_path.string()}, {"error", error}});
  }
  std::cout << all.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  return exit_ok;
}

int list_plugins(const PluginsArgs& args) {
  engine::PluginRegistry registry;
  set_search_path(registry, args);
  if (args.names) {  // read from the libraries' symbols: no plugin code runs
    for (const auto& entry : registry.discover()) std::cout << entry.name << '\n';
    return exit_ok;
  }
  if (args.json) return list_plugins_json(registry);
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
    if (entry.name == args.name && entry.library_path == plugin->library_path) sdk = sdk_text(entry);
  if (args.json)
    std::cout << describe_plugin_json(*plugin, sdk).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  else
    std::cout << describe_plugin(*plugin, sdk);
  return exit_ok;
}

}  // namespace

std::vector<Subcommand> add_plugins_commands(CLI::App& parent) {
  auto args = std::make_shared<PluginsArgs>();
  CLI::App* plugins = parent.add_subcommand("plugins", "List the plugins in the search path");
  add_plugin_path_option(*plugins, args->plugin_dirs);
  plugins->add_flag("--json", args->json, "Print every plugin's full description as a JSON array");
  plugins->add_flag("--names", args->names, "Print only the plugin names, one a line (loads no library)");
  plugins->require_subcommand(0, 1);
  plugins->footer(
      "Search order: --plugin-path folders, GRAPH_RUNNER_PLUGIN_PATH (':'-separated), the built-in folder.\n\n"
      "Examples:\n"
      "  graph-runner plugins\n"
      "  graph-runner plugins --plugin-path ./my-plugins\n"
      "  graph-runner plugins --json > plugins.json\n"
      "  graph-runner plugins describe filter");

  CLI::App* describe_app =
      plugins->add_subcommand("describe", "Show a plugin's kind, concurrency, ports and parameters");
  describe_app->add_option("NAME", args->name, "Plugin name, as `graph-runner plugins` lists it")->required();
  describe_app->add_flag("--json", args->json,
                         "Print the description as JSON: kind, library, SDK version, thread safety, ports, "
                         "parameters (type, default, range, choices, description)");
  describe_app->fallthrough();  // `plugins describe NAME --plugin-path DIR` works too
  describe_app->footer(
      "Examples:\n"
      "  graph-runner plugins describe filter\n"
      "  graph-runner plugins describe read_csv --json\n"
      "  graph-runner plugins describe my_stage --plugin-path ./my-plugins");
  return {{describe_app, [args] { return describe(*args); }}, {plugins, [args] { return list_plugins(*args); }}};
}

}  // namespace graph_runner::cli
