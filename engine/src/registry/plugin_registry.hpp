#pragma once
// Step 2: find plugins by name in the plugin path (Boost.DLL). Discovery reads the
// exported symbols of each library's `grplugin` section without loading it; a library is
// loaded only when one of its plugins is used, and stays loaded while anything from it
// lives (LoadedPlugin holds the shared_library).
#include <filesystem>
#include <memory>
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
  std::filesystem::path library_path;
  int sdk_major = 0, sdk_minor = 0;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  // Folders are searched in the order added; the first library providing a name wins.
  void add_search_dir(const std::filesystem::path& dir);
  const std::vector<std::filesystem::path>& search_dirs() const noexcept { return dirs_; }

  // Registers a plugin compiled into this process (tests, embedding). It is found before
  // any library in the search path.
  void add_static(PluginDescriptor descriptor);

  // All plugins in the search path, first occurrence of each name, sorted by name.
  std::vector<PluginEntry> discover();
  // Loads (once) and returns the plugin, or nullptr with `error` set: unknown name (with
  // the folders searched), SDK version mismatch (with both versions), or load failure.
  std::shared_ptr<const LoadedPlugin> load(std::string_view name, std::string& error);

 private:
  struct Impl;
  std::vector<std::filesystem::path> dirs_;
  std::unique_ptr<Impl> impl_;
};

// The default search path of DESIGN.md section 3, after --plugin-path and the graph's
// plugin_path: GRAPH_RUNNER_PLUGIN_PATH (':'-separated), then the built-in plugin folder
// (next to the executable in the build tree, or <prefix>/lib/graph-runner/plugins).
std::vector<std::filesystem::path> default_plugin_dirs();

}  // namespace graph_runner::engine
