#pragma once
/// @file plugin.hpp
/// Describing and registering a plugin.
///
/// A plugin library registers each node type it provides with one macro. The engine
/// finds it by name without running any code of the library (the registration is an
/// exported symbol in a dedicated section), checks its SDK version, then loads it.
/// @code
///   class Doubler : public graph_runner::Stage { ... };
///
///   graph_runner::PluginDescriptor describe_doubler() {
///     return graph_runner::PluginDescriptor::stage<Doubler>("doubler", "multiplies `value` by two")
///         .with_params({graph_runner::ParamSpec::string("field", "field to double").with_default("value")})
///         .thread_safe();
///   }
///   GRAPH_RUNNER_STAGE_PLUGIN(doubler, describe_doubler)
/// @endcode
/// Names are per kind: one library may register a source and a sink both named `csv`.
/// The plugin class is constructed with a `graph_runner::Context&`.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/dll/alias.hpp>

#include "graph_runner/context.hpp"
#include "graph_runner/export.hpp"
#include "graph_runner/node.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/version.hpp"

namespace graph_runner {

enum class NodeKind { source, stage, sink };

/// "source", "stage" or "sink".
GRAPH_RUNNER_API std::string_view node_kind_name(NodeKind k) noexcept;

/// Everything the engine knows about a node type before creating one.
struct GRAPH_RUNNER_API PluginDescriptor {
  std::string name;
  NodeKind kind = NodeKind::stage;
  std::string summary;                  ///< one line for `graph-runner plugins`
  std::vector<ParamSpec> params;
  /// Output ports besides the default "out" (a `route` stage's "high", "low", ...).
  /// "errors" is always available for `on_error = "route"` and need not be listed.
  std::vector<std::string> ports;
  /// When true one instance may be called concurrently and the default concurrency is
  /// unlimited; when false `concurrency = N` creates N instances and the default is 1.
  bool is_thread_safe = false;
  /// SDK 2.0: one instance for the whole stream, called serially, whatever the graph says: for
  /// a node that aggregates every record it sees into one result (a count, a histogram, a
  /// top-k) and would print N partial results as N instances. Its concurrency is 1 and the
  /// graph validator refuses `concurrency` above 1; it wins over is_thread_safe.
  bool is_single_instance = false;
  /// Ports whose names come from a parameter (a string_map's keys), e.g. "routes". Such a
  /// node emits only on its named ports: the graph validator refuses an input that reads
  /// its default port `out` (it would receive nothing).
  std::string ports_from_param;

  std::function<std::unique_ptr<Source>(Context&)> create_source;
  std::function<std::unique_ptr<Stage>(Context&)> create_stage;
  std::function<std::unique_ptr<Sink>(Context&)> create_sink;

  template <class T> static PluginDescriptor source(std::string name, std::string summary) {
    PluginDescriptor d = make(std::move(name), NodeKind::source, std::move(summary));
    d.create_source = [](Context& c) -> std::unique_ptr<Source> { return std::make_unique<T>(c); };
    return d;
  }
  template <class T> static PluginDescriptor stage(std::string name, std::string summary) {
    PluginDescriptor d = make(std::move(name), NodeKind::stage, std::move(summary));
    d.create_stage = [](Context& c) -> std::unique_ptr<Stage> { return std::make_unique<T>(c); };
    return d;
  }
  template <class T> static PluginDescriptor sink(std::string name, std::string summary) {
    PluginDescriptor d = make(std::move(name), NodeKind::sink, std::move(summary));
    d.create_sink = [](Context& c) -> std::unique_ptr<Sink> { return std::make_unique<T>(c); };
    return d;
  }
  PluginDescriptor with_params(std::vector<ParamSpec> p) && { params = std::move(p); return std::move(*this); }
  PluginDescriptor with_ports(std::vector<std::string> p) && { ports = std::move(p); return std::move(*this); }
  PluginDescriptor with_ports_from(std::string param) && { ports_from_param = std::move(param); return std::move(*this); }
  PluginDescriptor thread_safe() && { is_thread_safe = true; return std::move(*this); }
  /// SDK 2.0: see is_single_instance.
  /// @code
  ///   return PluginDescriptor::sink<TopK>("top_k", "prints the k largest values at the end").single_instance();
  /// @endcode
  PluginDescriptor single_instance() && { is_single_instance = true; return std::move(*this); }

 private:
  static PluginDescriptor make(std::string name, NodeKind kind, std::string summary) {
    PluginDescriptor d;
    d.name = std::move(name);
    d.kind = kind;
    d.summary = std::move(summary);
    return d;
  }
};

/// The signature of the function a registration points to.
using DescribeFunction = PluginDescriptor();

}  // namespace graph_runner

/// The ELF section holding registrations (at most 8 characters).
#define GRAPH_RUNNER_PLUGIN_SECTION grplugin

#define GRAPH_RUNNER_PP_CAT5_(a, b, c, d, e) a##b##c##d##e
#define GRAPH_RUNNER_PP_CAT5(a, b, c, d, e) GRAPH_RUNNER_PP_CAT5_(a, b, c, d, e)

/// Registers a plugin of kind `source`, `stage` or `sink`: NAME is its name as graph files
/// write it (an identifier, `[a-z][a-z0-9_]*`), unique per kind, DESCRIBE a function
/// `graph_runner::PluginDescriptor()` describing a node of that kind. The exported symbol is
/// `grsdk_<major>_<minor>_<kind>__<NAME>`, so the engine reads the kind and the SDK version a
/// library was built with without loading it.
// NAME is pasted, never macro-expanded (a plugin may be called `stdout`).
#define GRAPH_RUNNER_SOURCE_PLUGIN(NAME, DESCRIBE) GRAPH_RUNNER_KIND_PLUGIN_(_source__##NAME, DESCRIBE)
#define GRAPH_RUNNER_STAGE_PLUGIN(NAME, DESCRIBE) GRAPH_RUNNER_KIND_PLUGIN_(_stage__##NAME, DESCRIBE)
#define GRAPH_RUNNER_SINK_PLUGIN(NAME, DESCRIBE) GRAPH_RUNNER_KIND_PLUGIN_(_sink__##NAME, DESCRIBE)
#define GRAPH_RUNNER_KIND_PLUGIN_(KIND_NAME, DESCRIBE)                                          \
  BOOST_DLL_ALIAS_SECTIONED(DESCRIBE,                                                          \
                            GRAPH_RUNNER_PP_CAT5(grsdk_, GRAPH_RUNNER_SDK_VERSION_MAJOR, _,   \
                                                 GRAPH_RUNNER_SDK_VERSION_MINOR, KIND_NAME),  \
                            GRAPH_RUNNER_PLUGIN_SECTION)

/// Registers a plugin without naming its kind (SDK 1.0-1.2; still accepted): the symbol is
/// `grsdk_<major>_<minor>__<NAME>` and the engine learns the kind only by loading the
/// library. Prefer the macros above: they let a source and a sink share a name.
#define GRAPH_RUNNER_PLUGIN(NAME, DESCRIBE)                                                     \
  BOOST_DLL_ALIAS_SECTIONED(DESCRIBE,                                                          \
                            GRAPH_RUNNER_PP_CAT5(grsdk_, GRAPH_RUNNER_SDK_VERSION_MAJOR, _,   \
                                                 GRAPH_RUNNER_SDK_VERSION_MINOR, __##NAME),    \
                            GRAPH_RUNNER_PLUGIN_SECTION)
