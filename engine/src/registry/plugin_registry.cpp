#include "registry/plugin_registry.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>

#include <boost/dll/shared_library.hpp>

#include "registry/elf_symbols.hpp"
#include "registry/plugin_symbol.hpp"
#include "registry/plugin_trust.hpp"

namespace graph_runner::engine {

// Out of line so that shared_library is a complete type here. Members are destroyed in
// reverse order: the descriptor (whose std::function objects point into the library's code)
// goes before the library is released.
LoadedPlugin::~LoadedPlugin() = default;

namespace {

namespace fs = std::filesystem;
using boost::dll::shared_library;

std::string version_text(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

// nullopt when this engine can run a plugin built for `entry`'s SDK version.
std::optional<std::string> version_refusal(const PluginEntry& entry) {
  if (entry.sdk_major == sdk_version_major && entry.sdk_minor <= sdk_version_minor) return std::nullopt;
  std::string message = "plugin '" + entry.name + "' in " + entry.library_path.string() + " was built for SDK " +
                        version_text(entry.sdk_major, entry.sdk_minor) + "; this graph-runner provides SDK " +
                        version_text(sdk_version_major, sdk_version_minor);
  if (entry.sdk_major != sdk_version_major)
    return message + " (rebuild the plugin against SDK " + std::to_string(sdk_version_major) + ".x)";
  return message + " (rebuild the plugin against SDK " + version_text(sdk_version_major, sdk_version_minor) +
         ", or use a newer graph-runner)";
}

std::string unknown_plugin_message(std::string_view name, const std::vector<fs::path>& dirs) {
  std::string message = "unknown plugin '" + std::string(name) + "' (";
  if (dirs.empty()) return message + "no plugin folders)";
  message += "searched: ";
  for (std::size_t i = 0; i < dirs.size(); ++i) message += (i ? ", " : "") + dirs[i].string();
  return message + ")";
}

// Boost.DLL wraps dlerror's text as "... (dlerror system message: TEXT): <errno text>";
// TEXT is the useful part (it names the library and the missing file or symbol).
std::string loader_message(const std::exception& e) {
  const std::string what = e.what();
  constexpr std::string_view marker = "(dlerror system message: ";
  const auto begin = what.find(marker);
  const auto end = what.rfind(')');
  if (begin == std::string::npos || end == std::string::npos || end < begin + marker.size()) return what;
  return what.substr(begin + marker.size(), end - begin - marker.size());
}

// Where directories are compared: "plugins" and "./plugins/" are one folder.
fs::path dir_identity(const fs::path& dir) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(dir, ec);
  return ec ? dir.lexically_normal() : canonical;
}

// The `*.so` regular files of `dir`, in name order so that "first wins" is reproducible;
// empty when the folder is missing or unreadable.
std::vector<fs::path> libraries_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->path().extension() == ".so" && it->is_regular_file(type_ec)) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool can_create(const PluginDescriptor& d) {
  switch (d.kind) {
    case NodeKind::source: return static_cast<bool>(d.create_source);
    case NodeKind::stage: return static_cast<bool>(d.create_stage);
    case NodeKind::sink: return static_cast<bool>(d.create_sink);
  }
  return false;
}

struct Found {  // a discovered registration and the symbol that holds it
  PluginEntry entry;
  std::string symbol;
};

}  // namespace

struct PluginRegistry::Impl {
  std::mutex mutex;
  std::vector<fs::path> dir_ids;  // dir_identity() of each search dir, for duplicates
  std::size_t scanned = 0;        // search dirs [0, scanned) are in `found`
  std::map<std::string, Found, std::less<>> found;
  std::map<std::string, std::shared_ptr<const LoadedPlugin>, std::less<>> statics, loaded;
  std::map<fs::path, std::shared_ptr<shared_library>> libraries;

  // Dirs only ever get appended, and earlier dirs win, so scanning just the new ones keeps
  // the cache right.
  void scan(const std::vector<fs::path>& dirs) {
    for (; scanned < dirs.size(); ++scanned)
      for (const fs::path& file : libraries_in(dirs[scanned])) {
        const auto symbols = detail::elf_section_symbols(file, plugin_section_name);
        if (!symbols) continue;  // not a loadable ELF library: skip it, as the loader would fail
        for (const std::string& symbol : *symbols) {
          const auto parsed = parse_plugin_symbol(symbol);
          if (!parsed || found.count(parsed->name)) continue;
          found.emplace(parsed->name, Found{{parsed->name, file, parsed->sdk_major, parsed->sdk_minor}, symbol});
        }
      }
  }

  std::shared_ptr<shared_library> library(const fs::path& path) {
    auto& slot = libraries[path];
    // RTLD_NOW: a plugin with an unresolved symbol is refused here with dlerror's message,
    // instead of killing the process at its first call.
    if (!slot) slot = std::make_shared<shared_library>(path, boost::dll::load_mode::rtld_now |
                                                                   boost::dll::load_mode::rtld_local);
    return slot;
  }

  std::shared_ptr<const LoadedPlugin> load(const Found& f, std::string& error) {
    const PluginEntry& e = f.entry;
    const std::string where = "plugin '" + e.name + "' in " + e.library_path.string();
    // Checked right before the library is mapped (discovery runs none of its code).
    if (!libraries.count(e.library_path))
      if (auto reason = untrusted_plugin_location(e.library_path)) {
        error = "refusing to load " + where + ": " + *reason;
        return nullptr;
      }
    std::shared_ptr<shared_library> lib;
    try {
      lib = library(e.library_path);
    } catch (const std::exception& ex) {
      libraries.erase(e.library_path);
      error = "cannot load " + where + ": " + loader_message(ex);
      return nullptr;
    }
    PluginDescriptor descriptor;  // destroyed before `lib`, which is declared first
    try {
      descriptor = lib->get_alias<DescribeFunction>(f.symbol)();
    } catch (const std::exception& ex) {
      error = "cannot load " + where + ": " + loader_message(ex);
      return nullptr;
    } catch (...) {
      error = "cannot load " + where + ": its describe function threw an unknown exception";
      return nullptr;
    }
    if (descriptor.name != e.name) {
      error = where + " describes itself as '" + descriptor.name + "' (the registration and the descriptor disagree)";
      return nullptr;
    }
    if (!can_create(descriptor)) {
      error = where + " is a " + std::string(node_kind_name(descriptor.kind)) + " without a create function";
      return nullptr;
    }
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->library = std::move(lib);
    plugin->library_path = e.library_path;
    plugin->descriptor = std::move(descriptor);
    plugin->sdk_minor = e.sdk_minor;
    return plugin;
  }
};

PluginRegistry::PluginRegistry() : impl_(std::make_unique<Impl>()) {}
PluginRegistry::~PluginRegistry() = default;

void PluginRegistry::add_search_dir(const fs::path& dir) {
  if (dir.empty()) return;
  std::lock_guard lock(impl_->mutex);
  fs::path id = dir_identity(dir);
  if (std::find(impl_->dir_ids.begin(), impl_->dir_ids.end(), id) != impl_->dir_ids.end()) return;
  impl_->dir_ids.push_back(std::move(id));
  dirs_.push_back(dir);
}

void PluginRegistry::add_static(PluginDescriptor descriptor) {
  std::lock_guard lock(impl_->mutex);
  if (impl_->statics.count(descriptor.name)) return;  // first registration wins, as in the search path
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->descriptor = std::move(descriptor);
  std::string name = plugin->descriptor.name;
  impl_->statics.emplace(std::move(name), std::move(plugin));
}

std::vector<PluginEntry> PluginRegistry::discover() {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  std::vector<PluginEntry> entries;
  for (const auto& [name, plugin] : impl_->statics)
    entries.push_back(PluginEntry{name, {}, sdk_version_major, sdk_version_minor});
  for (const auto& [name, f] : impl_->found)
    if (!impl_->statics.count(name)) entries.push_back(f.entry);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

std::shared_ptr<const LoadedPlugin> PluginRegistry::load(std::string_view name, std::string& error) {
  std::lock_guard lock(impl_->mutex);
  if (auto it = impl_->statics.find(name); it != impl_->statics.end()) return it->second;
  if (auto it = impl_->loaded.find(name); it != impl_->loaded.end()) return it->second;
  impl_->scan(dirs_);
  const auto it = impl_->found.find(name);
  if (it == impl_->found.end()) {
    error = unknown_plugin_message(name, dirs_);
    return nullptr;
  }
  if (auto refusal = version_refusal(it->second.entry)) {
    error = std::move(*refusal);
    return nullptr;
  }
  auto plugin = impl_->load(it->second, error);
  if (plugin) impl_->loaded.emplace(std::string(name), plugin);
  return plugin;
}

}  // namespace graph_runner::engine
