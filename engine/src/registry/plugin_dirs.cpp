// The default plugin search path (docs/architecture.md#plugins-and-the-registry): GRAPH_RUNNER_PLUGIN_PATH, then the
// folder installed with graph-runner. The build tree mirrors the install tree
// (bin/graph-runner beside lib/<arch>/graph-runner/plugins), so one rule finds both.
// These folders get no trust of their own: a library in any of them is loaded only after
// untrusted_plugin_location (plugin_trust.hpp) has walked its path up to `/`.
#include <cstdlib>
#include <optional>
#include <string_view>

#include "registry/plugin_registry.hpp"

namespace graph_runner::engine {
namespace {

namespace fs = std::filesystem;

void append_path_list(std::string_view list, std::vector<fs::path>& out) {
  while (!list.empty()) {
    const auto colon = list.find(':');
    const std::string_view entry = list.substr(0, colon);
    if (!entry.empty()) out.emplace_back(entry);  // "a::b" and a trailing ':' add nothing
    if (colon == std::string_view::npos) break;
    list.remove_prefix(colon + 1);
  }
}

// <dir of the running executable>/../GRAPH_RUNNER_PLUGIN_SUBDIR; /proc/self/exe rather
// than argv[0], which may be a bare name found through PATH or a symlink elsewhere.
std::optional<fs::path> builtin_plugin_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.empty()) return std::nullopt;
  const fs::path dir = (exe.parent_path() / ".." / GRAPH_RUNNER_PLUGIN_SUBDIR).lexically_normal();
  fs::path canonical = fs::canonical(dir, ec);
  // Listed even when missing, so "unknown plugin" shows where it was expected.
  return ec ? dir : canonical;
}

}  // namespace

std::vector<fs::path> default_plugin_dirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("GRAPH_RUNNER_PLUGIN_PATH")) append_path_list(env, dirs);
  if (auto builtin = builtin_plugin_dir()) dirs.push_back(std::move(*builtin));
  return dirs;
}

}  // namespace graph_runner::engine
