#pragma once
/// @file detail/param_rules.hpp
/// Not for plugin code: the parameter checks the engine applies to a node of a graph file,
/// in the SDK library so that the test harness (testing.hpp) refuses the same values with
/// the same words.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/export.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/plugin.hpp"

namespace graph_runner::detail {

/// One mistake in a node's parameters.
struct ParamProblem {
  std::string param;     ///< the parameter it concerns
  bool missing = false;  ///< a required parameter not given: it has no position of its own
  std::string message;   ///< "parameter 'count' must be >= 0, got -1"
  std::string hint;      ///< "did you mean 'count'?", or empty
};

/// Checks `given` against `plugin`'s schema: every name declared, each value of its type (an
/// integer for a number becomes a double), in range, one of the choices; every required one
/// given. Returns the values with the defaults filled in; each mistake goes to `problems`
/// (given names in order, then missing ones in schema order).
GRAPH_RUNNER_API Params check_params(const PluginDescriptor& plugin,
                                     const std::map<std::string, ParamValue, std::less<>>& given,
                                     std::vector<ParamProblem>& problems);

/// "did you mean 'x'?" for the candidate closest to `word` within a small edit distance, else "".
GRAPH_RUNNER_API std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace graph_runner::detail
