// The SDK types that a plugin and graph-runner exchange without libgraph_runner.so in between,
// made visible to the ABI check (tools/abi_check.sh). abidw describes the types reachable from
// a library's exported functions, and no function of libgraph_runner.so takes these: a
// plugin's describe function returns its PluginDescriptor (ParamSpecs, std::function
// factories) straight to the engine, and a plugin throws ParamError from its constructor.
// (The library's ParamSpec factories are static members returning their own class, whose
// layout libabigail 2.2 does not compare through them.) This library is built with the
// tests and never installed; its one exported function takes each of them.
#include "graph_runner/sdk.hpp"

namespace graph_runner::abi_probe {

GRAPH_RUNNER_API void plugin_types(const PluginDescriptor& descriptor, const ParamSpec& spec,
                                   const ParamError& error, DescribeFunction* describe, NodeKind kind) {}

}  // namespace graph_runner::abi_probe
