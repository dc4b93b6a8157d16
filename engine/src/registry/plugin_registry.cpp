#include "registry/plugin_registry.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

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
  std::size_t dir = 0;  // index of its search folder
};

std::string kind_list(const std::vector<NodeKind>& kinds) {  // "a source", "a stage and a sink"
  std::string text;
  for (std::size_t i = 0; i < kinds.size(); ++i)
    text += std::string(i == 0 ? "" : i + 1 == kinds.size() ? " and " : ", ") + "a " + std::string(node_kind_name(kinds[i]));
  return text;
}

}  // namespace

const std::vector<DeprecatedName>& deprecated_names() {
  static const std::vector<DeprecatedName> names{{NodeKind::source, "read_csv", "csv"},
                                                 {NodeKind::source, "read_jsonl", "jsonl"}};
  return names;
}

std::optional<std::string_view> replacement_name(NodeKind kind, std::string_view name) {
  for (const auto& d : deprecated_names())
    if (d.kind == kind && d.name == name) return d.replacement;
  return std::nullopt;
}

struct PluginRegistry::Impl {
  std::mutex mutex;
  std::vector<fs::path> dir_ids;  // dir_identity() of each search dir, for duplicates
  std::size_t scanned = 0;        // search dirs [0, scanned) are in `found`
  std::vector<Found> found;       // search order: folder, library file name, symbol
  std::vector<std::shared_ptr<const LoadedPlugin>> statics;
  std::map<std::size_t, std::shared_ptr<const LoadedPlugin>> loaded;  // by index into `found`
  std::map<fs::path, std::shared_ptr<shared_library>> libraries;

  // Dirs only ever get appended, and earlier dirs win, so scanning just the new ones keeps
  // the cache right.
  void scan(const std::vector<fs::path>& dirs) {
    for (; scanned < dirs.size(); ++scanned)
      for (const fs::path& file : libraries_in(dirs[scanned])) {
        const auto symbols = detail::elf_section_symbols(file, plugin_section_name);
        if (!symbols) continue;  // not a loadable ELF library: skip it, as the loader would fail
        for (const std::string& symbol : *symbols)
          if (auto parsed = parse_plugin_symbol(symbol))
            found.push_back(
                {{parsed->name, parsed->kind, file, parsed->sdk_major, parsed->sdk_minor}, symbol, scanned});
      }
  }

  std::shared_ptr<const LoadedPlugin> find_static(std::optional<NodeKind> kind, std::string_view name) const {
    for (const auto& p : statics)
      if (p->descriptor.name == name && (!kind || p->descriptor.kind == *kind)) return p;
    return nullptr;
  }

  std::shared_ptr<const LoadedPlugin> load_found(std::size_t i, std::string& error) {
    if (auto it = loaded.find(i); it != loaded.end()) return it->second;
    if (auto refusal = version_refusal(found[i].entry)) {
      error = std::move(*refusal);
      return nullptr;
    }
    auto plugin = load(found[i], error);
    if (plugin) loaded.emplace(i, plugin);
    return plugin;
  }

  // From the symbol; a registration without kind (SDK 1.0-1.2) is loaded to learn it.
  std::optional<NodeKind> kind_of(std::size_t i, std::string& error) {
    if (found[i].entry.kind) return found[i].entry.kind;
    auto plugin = load_found(i, error);
    return plugin ? std::optional(plugin->descriptor.kind) : std::nullopt;
  }

  // Every kind `name` exists as, deprecated names included, in source, stage, sink order.
  std::vector<NodeKind> kinds_named(std::string_view name) {
    std::vector<NodeKind> kinds;
    auto add = [&](NodeKind k) {
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
    };
    for (const auto& p : statics)
      if (p->descriptor.name == name) add(p->descriptor.kind);
    // A registration without kind is loaded to learn it, unless a plugin compiled into the
    // process has the name: that one is found first, as before names had kinds.
    const bool static_name = !kinds.empty();
    for (std::size_t i = 0; i < found.size(); ++i) {
      std::string ignored;
      if (found[i].entry.name != name || (static_name && !found[i].entry.kind)) continue;
      if (auto k = kind_of(i, ignored)) add(*k);
    }
    for (const auto& d : deprecated_names())
      if (d.name == name) add(d.kind);
    std::sort(kinds.begin(), kinds.end());
    return kinds;
  }

  std::shared_ptr<const LoadedPlugin> find(NodeKind kind, std::string_view name, const std::vector<fs::path>& dirs,
                                           std::string& error) {
    if (auto p = find_static(kind, name)) return p;
    std::optional<std::size_t> match;
    for (std::size_t i = 0; i < found.size(); ++i) {
      if (found[i].entry.name != name) continue;
      if (match && found[i].dir != found[*match].dir) break;  // a later folder: shadowed
      std::string kind_error;
      const auto k = kind_of(i, kind_error);
      if (!k && !match) {  // refused or broken before its kind was known: it may be the one
        error = std::move(kind_error);
        return nullptr;
      }
      if (k != kind) continue;
      if (match) {
        error = std::string(node_kind_name(kind)) + " plugin '" + std::string(name) + "' is provided by two libraries in " +
                dirs[found[i].dir].string() + ": " + found[*match].entry.library_path.filename().string() + " and " +
                found[i].entry.library_path.filename().string() + " (remove one, or move it to a later plugin folder)";
        return nullptr;
      }
      match = i;
    }
    if (match) return load_found(*match, error);
    if (auto replacement = replacement_name(kind, name)) return find(kind, *replacement, dirs, error);
    const auto kinds = kinds_named(name);
    if (kinds.empty()) {
      error = unknown_plugin_message(name, dirs);
      return nullptr;
    }
    error = "there is no " + std::string(node_kind_name(kind)) + " plugin '" + std::string(name) + "'; '" +
            std::string(name) + "' is " + kind_list(kinds);
    return nullptr;
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
    if (e.kind && descriptor.kind != *e.kind) {
      error = where + " is registered as a " + std::string(node_kind_name(*e.kind)) + " but describes a " +
              std::string(node_kind_name(descriptor.kind));
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
  // First registration wins, as in the search path.
  if (impl_->find_static(descriptor.kind, descriptor.name)) return;
  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->descriptor = std::move(descriptor);
  impl_->statics.push_back(std::move(plugin));
}

std::vector<PluginEntry> PluginRegistry::discover() {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  std::vector<PluginEntry> entries;
  for (const auto& p : impl_->statics)
    entries.push_back(PluginEntry{p->descriptor.name, p->descriptor.kind, {}, sdk_version_major, sdk_version_minor});
  const std::size_t statics = entries.size();
  for (const auto& f : impl_->found) {
    bool seen = false;
    for (std::size_t i = 0; i < entries.size() && !seen; ++i)  // a registration without kind is
      seen = entries[i].name == f.entry.name &&                  // shadowed by a compiled-in plugin
             (entries[i].kind == f.entry.kind || (!f.entry.kind && i < statics));
    if (!seen) entries.push_back(f.entry);
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return std::tie(a.name, a.kind) < std::tie(b.name, b.kind); });
  return entries;
}

std::shared_ptr<const LoadedPlugin> PluginRegistry::load(NodeKind kind, std::string_view name, std::string& error) {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  return impl_->find(kind, name, dirs_, error);
}

std::shared_ptr<const LoadedPlugin> PluginRegistry::load(std::string_view name, std::string& error) {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  const auto kinds = impl_->kinds_named(name);
  if (kinds.size() > 1) {
    error = "'" + std::string(name) + "' is " + kind_list(kinds) + " plugin: say which kind";
    return nullptr;
  }
  // No kind known: find() reports a refused library or an unknown name, whatever the kind.
  return impl_->find(kinds.empty() ? NodeKind::stage : kinds.front(), name, dirs_, error);
}

std::vector<NodeKind> PluginRegistry::kinds_of(std::string_view name) {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  return impl_->kinds_named(name);
}

std::shared_ptr<const LoadedPlugin> PluginRegistry::load(const PluginEntry& entry, std::string& error) {
  std::lock_guard lock(impl_->mutex);
  impl_->scan(dirs_);
  if (entry.library_path.empty()) {
    if (auto p = impl_->find_static(entry.kind, entry.name)) return p;
  } else {
    for (std::size_t i = 0; i < impl_->found.size(); ++i) {
      const PluginEntry& f = impl_->found[i].entry;
      if (f.name == entry.name && f.kind == entry.kind && f.library_path == entry.library_path)
        return impl_->load_found(i, error);
    }
  }
  error = unknown_plugin_message(entry.name, dirs_);
  return nullptr;
}

}  // namespace graph_runner::engine
