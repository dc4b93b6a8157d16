#pragma once
/// @file testing/context.hpp
/// The harness's side of a node: its parameters (checked by the engine's own rules), its
/// options and the Context a plugin gets. Part of graph_runner/testing.hpp (include that).

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "graph_runner/detail/param_rules.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::testing {

/// Parameters by name, as a graph file gives them: `{{"where", "value > 0"}, {"count", 10}}`.
using ParamMap = std::map<std::string, ParamValue, std::less<>>;

/// Checks `given` against `d`'s schema with the engine's own checks (unknown names, types,
/// required, ranges, choices) and fills in defaults. Throws std::invalid_argument with the
/// engine's messages, one line each: "plugin 'generate': parameter 'count' must be >= 0, got -1".
inline Params resolve_params(const PluginDescriptor& d, const ParamMap& given) {
  std::vector<graph_runner::detail::ParamProblem> problems;
  Params params = graph_runner::detail::check_params(d, given, problems);
  if (problems.empty()) return params;
  std::string message;
  for (const auto& p : problems) {
    if (!message.empty()) message += '\n';
    message += "plugin '" + d.name + "': " + p.message + (p.hint.empty() ? "" : " (" + p.hint + ")");
  }
  throw std::invalid_argument(message);
}

/// What the harness tells the node: see Context.
struct Options {
  std::string node_name = "test";
  std::size_t batch_size = 256;  ///< sources: the capacity of each BatchBuilder
  std::size_t linger_ms = 5;
  std::size_t instance = 0;
  /// The node's `on_error`: "fail" (the default), "drop", "route" or "retry". As in a graph,
  /// only "route" gives the node a port `errors`. Context::reject_input throws under "fail";
  /// under the others it keeps the record (TestContext::rejected_inputs).
  std::string on_error = "fail";
  /// SDK 1.3: what Context::checkpoint() says (a state file for a source to keep its position).
  CheckpointSettings checkpoint{};
  /// SDK 2.0: redirect stdout and stderr during every call into the plugin (its constructor
  /// included) and keep the text for captured(). Off by default: a crashing test should
  /// still show what the plugin printed.
  bool capture_output = false;
};

/// A Context for tests: the node's ports as the engine makes them ("out", the declared
/// ports, one per key of ports_from_param, "errors" under `on_error = "route"`), a stop flag
/// the test sets, and log lines kept for inspection.
class TestContext final : public Context {
 public:
  TestContext(const PluginDescriptor& d, Params params, Options options)
      : plugin_(d.name), params_(std::move(params)), options_(std::move(options)) {
    static constexpr const char* policies[] = {"fail", "drop", "route", "retry"};
    if (std::find(std::begin(policies), std::end(policies), options_.on_error) == std::end(policies))
      throw std::invalid_argument("Options::on_error must be fail, drop, route or retry, got '" + options_.on_error + "'");
    add_port("out");
    for (const auto& p : d.ports) add_port(p);
    if (!d.ports_from_param.empty())
      if (const auto* routes = std::get_if<StringMap>(params_.find(d.ports_from_param)))
        for (const auto& [port, unused] : *routes) add_port(port);
    if (options_.on_error == "route") add_port("errors");
  }

  std::string_view node_name() const noexcept override { return options_.node_name; }
  std::string_view plugin_name() const noexcept override { return plugin_; }
  const Params& params() const noexcept override { return params_; }
  std::size_t instance() const noexcept override { return options_.instance; }
  /// Throws std::invalid_argument for a port the node does not have, in the engine's words.
  Port port(std::string_view name) const override {
    for (std::size_t i = 0; i < ports_.size(); ++i)
      if (ports_[i] == name) return Port{i};
    std::string known;
    for (const auto& p : ports_) known += (known.empty() ? "" : ", ") + p;
    throw std::invalid_argument("node '" + options_.node_name + "' has no port '" + std::string(name) +
                                "' (ports: " + known + ")");
  }
  std::size_t batch_size() const noexcept override { return options_.batch_size; }
  std::size_t linger_ms() const noexcept override { return options_.linger_ms; }
  bool stop_requested() const noexcept override { return stop_.load(); }
  void log(LogLevel level, std::string_view message) const override {
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    std::lock_guard lock(mutex_);
    logs_.push_back(std::string(names[static_cast<int>(level)]) + ": " + std::string(message));
  }

  /// Records a source's bad input (as `drop` or `route` would): see rejected_inputs().
  void reject_input(std::string_view input, std::string_view error) override {
    if (options_.on_error == "fail") throw std::runtime_error(std::string(error));
    std::lock_guard lock(mutex_);
    rejected_inputs_.push_back({std::string(input), std::string(error)});
  }
  /// A source's bad input records so far: {raw text, error}.
  std::vector<std::pair<std::string, std::string>> rejected_inputs() const {
    std::lock_guard lock(mutex_);
    return rejected_inputs_;
  }

  CheckpointSettings checkpoint() const override { return options_.checkpoint; }
  std::uint64_t batch_being_read() const noexcept override { return batch_being_read_.load(); }
  /// SDK 1.3: the number Context::batch_being_read() gives, as the engine sets it before a read().
  void set_batch_being_read(std::uint64_t batch) noexcept { batch_being_read_ = batch; }

  /// Makes stop_requested() true, as Ctrl-C or a timeout would.
  void request_stop() noexcept { stop_ = true; }
  /// Log lines so far, e.g. "warn: slow input".
  std::vector<std::string> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }
  const std::vector<std::string>& ports() const noexcept { return ports_; }
  const Options& options() const noexcept { return options_; }

 private:
  void add_port(const std::string& name) {
    if (std::find(ports_.begin(), ports_.end(), name) == ports_.end()) ports_.push_back(name);
  }

  std::string plugin_;
  Params params_;
  Options options_;
  std::vector<std::string> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> batch_being_read_{0};
  mutable std::mutex mutex_;
  mutable std::vector<std::string> logs_;
  std::vector<std::pair<std::string, std::string>> rejected_inputs_;
};

}  // namespace graph_runner::testing
