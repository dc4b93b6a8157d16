#pragma once
// The name of a registration symbol: `grsdk_<major>_<minor>_<kind>__<name>` (SDK 1.3,
// GRAPH_RUNNER_SOURCE_PLUGIN and its siblings) or `grsdk_<major>_<minor>__<name>` (1.0-1.2,
// GRAPH_RUNNER_PLUGIN, no kind): discovery learns a plugin's name, kind and SDK version from
// it without loading the library.
#include <charconv>
#include <optional>
#include <string>
#include <string_view>

#include "graph_runner/plugin.hpp"

namespace graph_runner::engine {

#define GRAPH_RUNNER_REGISTRY_STR_(x) #x
#define GRAPH_RUNNER_REGISTRY_STR(x) GRAPH_RUNNER_REGISTRY_STR_(x)
inline constexpr const char* plugin_section_name = GRAPH_RUNNER_REGISTRY_STR(GRAPH_RUNNER_PLUGIN_SECTION);
#undef GRAPH_RUNNER_REGISTRY_STR
#undef GRAPH_RUNNER_REGISTRY_STR_

struct PluginSymbol {
  std::string name;
  std::optional<NodeKind> kind;  // nullopt: a registration without kind, known once loaded
  int sdk_major = 0, sdk_minor = 0;
};

// nullopt for anything else that happens to live in the section: it is not ours to load.
inline std::optional<PluginSymbol> parse_plugin_symbol(std::string_view symbol) {
  constexpr std::string_view prefix = "grsdk_";
  if (symbol.substr(0, prefix.size()) != prefix) return std::nullopt;
  const char* p = symbol.data() + prefix.size();
  const char* const end = symbol.data() + symbol.size();
  PluginSymbol out;
  auto number = [&](int& value) {
    const auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc{} || value < 0) return false;
    p = next;
    return true;
  };
  if (!number(out.sdk_major) || p == end || *p++ != '_' || !number(out.sdk_minor)) return std::nullopt;
  if (p != end && *p == '_' && (p + 1 == end || p[1] != '_')) {  // "_<kind>"
    const std::string_view rest(p + 1, static_cast<std::size_t>(end - p - 1));
    for (NodeKind k : {NodeKind::source, NodeKind::stage, NodeKind::sink})
      if (rest.substr(0, node_kind_name(k).size()) == node_kind_name(k)) out.kind = k;
    if (!out.kind) return std::nullopt;
    p += 1 + node_kind_name(*out.kind).size();
  }
  if (end - p < 2 || p[0] != '_' || p[1] != '_') return std::nullopt;
  out.name.assign(p + 2, end);
  // Graph files name plugins with [a-z][a-z0-9_]*; no other name could ever be asked for.
  if (out.name.empty() || out.name[0] < 'a' || out.name[0] > 'z') return std::nullopt;
  for (char c : out.name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  return out;
}

}  // namespace graph_runner::engine
