// `graph-runner plugins` (a table of every plugin in the search path; --json: every
// plugin's full description; --names: names only, for shell completion) and
// `graph-runner plugins describe NAME [--json]` (its schema, gst-inspect style).
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "plugin_describe.hpp"

namespace graph_runner::cli {
namespace {

struct PluginsArgs {
  std::vector<std::string> plugin_dirs;
  std::string name;  // describe
  std::string kind;  // describe --kind: empty = every kind the name exists as
  bool json = false;
  bool names = false;
};

std::string sdk_text(const engine::PluginEntry& entry) {
  return std::to_string(entry.sdk_major) + "." + std::to_string(entry.sdk_minor);
}

// The search order of docs/architecture.md#plugins-and-the-registry, minus a graph's own plugin_path (no graph here).
void set_search_path(engine::PluginRegistry& registry, const PluginsArgs& args) {
  for (const auto& d : args.plugin_dirs) registry.add_search_dir(d);
  for (const auto& d : engine::default_plugin_dirs()) registry.add_search_dir(d);
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Every discovered plugin, loaded, once per (kind, name): a registration without kind
// (SDK 1.0-1.2) is listed under the kind it turns out to have. `error` set when it cannot load.
struct Listed {
  engine::PluginEntry entry;
  std::shared_ptr<const engine::LoadedPlugin> plugin;
  std::string error;
};

std::vector<Listed> load_all(engine::PluginRegistry& registry) {
  std::vector<Listed> all;
  for (const auto& entry : registry.discover()) {
    Listed item{entry, nullptr, {}};
    item.plugin = registry.load(entry, item.error);
    if (item.plugin) item.entry.kind = item.plugin->descriptor.kind;
    const bool seen = item.entry.kind && std::any_of(all.begin(), all.end(), [&](const Listed& l) {
      return l.entry.name == item.entry.name && l.entry.kind == item.entry.kind;
    });
    if (!seen) all.push_back(std::move(item));
  }
  return all;
}

// Every plugin's description as one JSON array; one that cannot be loaded is an object
// with its name, library and the reason.
int list_plugins_json(engine::PluginRegistry& registry) {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& [entry, plugin, error] : load_all(registry)) {
    if (plugin)
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
    std::string last;
    for (const auto& entry : registry.discover())
      if (entry.name != last) std::cout << (last = entry.name) << '\n';  // a source and a sink may share one
    return exit_ok;
  }
  if (args.json) return list_plugins_json(registry);
  struct Row {
    std::string name, kind, library, summary;
  };
  std::vector<Row> rows;
  // Kind and summary live in the descriptor, so each library is loaded: listing runs
  // the registration functions, nothing else.
  for (const auto& [entry, plugin, error] : load_all(registry)) {
    Row row{entry.name, "?", entry.library_path.filename().string(), ""};
    if (plugin) {
      row.kind = std::string(node_kind_name(plugin->descriptor.kind));
      row.summary = plugin->descriptor.summary;
      for (const auto& old : engine::deprecated_names())
        if (old.kind == plugin->descriptor.kind && old.replacement == entry.name)
          rows.push_back({std::string(old.name), row.kind, row.library,
                          "deprecated name of '" + entry.name + "' (goes away in the next release)"});
    } else {
      row.summary = "(cannot load: " + error + ")";
    }
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.name < b.name; });
  rows.insert(rows.begin(), Row{"NAME", "KIND", "LIBRARY", "SUMMARY"});
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

std::optional<NodeKind> parse_kind(const std::string& text) {
  for (NodeKind k : {NodeKind::source, NodeKind::stage, NodeKind::sink})
    if (node_kind_name(k) == text) return k;
  return std::nullopt;
}

int describe_error(engine::PluginRegistry& registry, const PluginsArgs& args, const std::string& error) {
  std::vector<std::string> names;
  for (const auto& entry : registry.discover()) names.push_back(entry.name);
  std::cerr << "graph-runner: " << error << '\n';
  if (std::string hint = engine::did_you_mean(args.name, names); !hint.empty()) std::cerr << "  hint: " << hint << '\n';
  return exit_bad_graph;
}

// A name that exists as several kinds (the source and the sink `csv`) is described once
// per kind; --kind picks one (and --json needs it then, so that it prints one object).
int describe(const PluginsArgs& args) {
  engine::PluginRegistry registry;
  set_search_path(registry, args);
  std::vector<NodeKind> kinds;
  if (!args.kind.empty()) {
    kinds.push_back(*parse_kind(args.kind));  // CLI11 checked it
  } else {
    kinds = registry.kinds_of(args.name);
    if (kinds.empty()) kinds.push_back(NodeKind::stage);  // for the "unknown plugin" message
  }
  if (args.json && kinds.size() > 1) {
    std::string listed;
    for (NodeKind k : kinds) listed += std::string(listed.empty() ? "" : " or ") + "--kind " + std::string(node_kind_name(k));
    std::cerr << "graph-runner: '" << args.name << "' names plugins of " << kinds.size()
              << " kinds; --json describes one: add " << listed << '\n';
    return exit_bad_graph;
  }
  std::string text;
  for (NodeKind kind : kinds) {
    std::string error;
    auto plugin = registry.load(kind, args.name, error);
    if (!plugin) return describe_error(registry, args, error);
    const PluginDescriptor& d = plugin->descriptor;
    if (d.name != args.name)
      std::cerr << "graph-runner: warning: " << node_kind_name(kind) << " plugin '" << args.name
                << "' is deprecated and goes away in the next release; it is now '" << d.name << "'\n";
    std::string sdk;
    for (const auto& entry : registry.discover())
      if (entry.name == d.name && (!entry.kind || entry.kind == d.kind) && entry.library_path == plugin->library_path)
        sdk = sdk_text(entry);
    if (args.json) {
      std::cout << describe_plugin_json(*plugin, sdk).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << '\n';
      return exit_ok;
    }
    text += (text.empty() ? "" : "\n") + describe_plugin(*plugin, sdk);
  }
  std::cout << text;
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
  describe_app->add_option("--kind", args->kind, "Describe only the plugin of this kind (a source and a sink may share a name)")
      ->check(CLI::IsMember({"source", "stage", "sink"}));
  describe_app->add_flag("--json", args->json,
                         "Print the description as JSON: kind, library, SDK version, thread safety, ports, "
                         "parameters (type, default, range, choices, description)");
  describe_app->fallthrough();  // `plugins describe NAME --plugin-path DIR` works too
  describe_app->footer(
      "Examples:\n"
      "  graph-runner plugins describe filter\n"
      "  graph-runner plugins describe csv                 # the source and the sink\n"
      "  graph-runner plugins describe csv --kind source --json\n"
      "  graph-runner plugins describe my_stage --plugin-path ./my-plugins");
  return {{describe_app, [args] { return describe(*args); }}, {plugins, [args] { return list_plugins(*args); }}};
}

}  // namespace graph_runner::cli
