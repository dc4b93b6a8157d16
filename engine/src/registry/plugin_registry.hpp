#pragma once
// Step 2: find plugins by kind and name in the plugin path (Boost.DLL). Discovery reads the
// exported symbols of each library's `grplugin` section without loading it; a library is
// loaded only when one of its plugins is used, and stays loaded while anything from it
// lives (LoadedPlugin holds the shared_library).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/plugin.hpp"

namespace boost::dll { class shared_library; }

namespace graph_runner::engine {

struct LoadedPlugin {
  std::shared_ptr<boost::dll::shared_library> library;  // declared first: destroyed last
  std::filesystem::path library_path;
  PluginDescriptor descriptor;
  // The SDK minor version the library was built with: the engine calls no virtual function
  // a newer minor added (Stage::tick) on objects of an older plugin, whose vtables lack it.
  int sdk_minor = sdk_version_minor;
  ~LoadedPlugin();
};

struct PluginEntry {  // discovered without loading
  std::string name;
  std::optional<NodeKind> kind;  // nullopt: an SDK 1.0-1.2 registration, kind known once loaded
  std::filesystem::path library_path;
  int sdk_major = 0, sdk_minor = 0;
};

// Names kept for one release after a plugin was renamed: `read_jsonl` is the source `jsonl`.
// In the engine, not in the descriptor: a 1.x PluginDescriptor cannot grow a field.
struct DeprecatedName {
  NodeKind kind;
  std::string_view name, replacement;
};
const std::vector<DeprecatedName>& deprecated_names();
// The name that replaces (kind, name), if it is a deprecated one.
std::optional<std::string_view> replacement_name(NodeKind kind, std::string_view name);

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  // Folders are searched in the order added; the first folder providing a (kind, name)
  // wins. Two libraries of one folder providing the same (kind, name) are an error.
  void add_search_dir(const std::filesystem::path& dir);
  const std::vector<std::filesystem::path>& search_dirs() const noexcept { return dirs_; }

  // Registers a plugin compiled into this process (tests, embedding). It is found before
  // any library in the search path.
  void add_static(PluginDescriptor descriptor);

  // All plugins in the search path, first occurrence of each (kind, name), sorted by name
  // then kind. Deprecated names are not listed (see deprecated_names()).
  std::vector<PluginEntry> discover();
  // Loads (once) and returns the `kind` plugin `name`, or nullptr with `error` set: unknown
  // name (with the folders searched), a name that exists only for other kinds (naming
  // them), two libraries of a folder providing it, SDK version mismatch (with both
  // versions), or load failure. A deprecated name gives its replacement's plugin, whose
  // descriptor.name differs from `name`.
  std::shared_ptr<const LoadedPlugin> load(NodeKind kind, std::string_view name, std::string& error);
  // The same for any kind, when there is one; a name of several kinds is an error naming them.
  std::shared_ptr<const LoadedPlugin> load(std::string_view name, std::string& error);
  // The kinds `name` exists as (deprecated names included), in source, stage, sink order.
  // Loads a library only for a registration without kind (SDK 1.0-1.2).
  std::vector<NodeKind> kinds_of(std::string_view name);
  // Exactly the registration `entry` (from discover()), e.g. to list it.
  std::shared_ptr<const LoadedPlugin> load(const PluginEntry& entry, std::string& error);

 private:
  struct Impl;
  std::vector<std::filesystem::path> dirs_;
  std::unique_ptr<Impl> impl_;
};

// The default search path (docs/architecture.md#plugins-and-the-registry), after --plugin-path and the graph's
// plugin_path: GRAPH_RUNNER_PLUGIN_PATH (':'-separated), then the built-in plugin folder
// (next to the executable in the build tree, or <prefix>/lib/graph-runner/plugins).
std::vector<std::filesystem::path> default_plugin_dirs();

}  // namespace graph_runner::engine
