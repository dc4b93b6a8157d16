#pragma once
// The engine's Context: what one plugin instance is told about itself.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "graph_runner/context.hpp"
#include "run/run_state.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

class NodeContext final : public Context {
 public:
  NodeContext(const CheckedNode& node, std::size_t instance, RunState& run, CheckpointSettings checkpoint = {})
      : node_(node), instance_(instance), run_(run), checkpoint_(std::move(checkpoint)) {}

  std::string_view node_name() const noexcept override { return node_.spec->name; }
  // The plugin's own name, also when the graph still uses a deprecated one (read_csv).
  std::string_view plugin_name() const noexcept override {
    return node_.plugin ? std::string_view(node_.plugin->descriptor.name) : std::string_view(node_.spec->plugin);
  }
  const Params& params() const noexcept override { return node_.params; }
  std::size_t instance() const noexcept override { return instance_; }
  Port port(std::string_view name) const override;
  std::size_t batch_size() const noexcept override { return node_.batch_size; }
  std::size_t linger_ms() const noexcept override { return node_.linger_ms; }
  bool stop_requested() const noexcept override { return run_.stopping(); }
  void log(LogLevel level, std::string_view message) const override;
  // Under `fail` throws; otherwise keeps the record until the engine takes it.
  void reject_input(std::string_view input, std::string_view error) override;

  // A source's bad input records since the last call: {raw text, error}.
  struct RejectedInput {
    std::string input, error;
  };
  std::vector<RejectedInput> take_rejected_inputs();

  // SDK 1.3: the plugin's own gauges, latest value by name.
  void set_gauge(std::string_view name, double value) override;
  std::map<std::string, double, std::less<>> gauges() const;

  // SDK 2.1: kept for the field check (check_fields.hpp); nullopt when never declared.
  void declare_fields(FieldSchema schema) override { fields_ = std::move(schema); }
  const std::optional<FieldSchema>& declared_fields() const noexcept { return fields_; }

  CheckpointSettings checkpoint() const override { return checkpoint_; }
  std::uint64_t batch_being_read() const noexcept override { return batch_being_read_.load(std::memory_order_relaxed); }
  // Set by the source's input node before each read(): the number its batch will get.
  void set_batch_being_read(std::uint64_t batch) noexcept { batch_being_read_.store(batch, std::memory_order_relaxed); }

  // The checkpoint settings of a source of `graph` (file: STATE_DIR/GRAPH.NODE.state).
  static CheckpointSettings checkpoint_for(const GraphSpec& graph, const NodeSpec& node);

 private:
  const CheckedNode& node_;
  std::size_t instance_;
  RunState& run_;
  const CheckpointSettings checkpoint_;
  std::atomic<std::uint64_t> batch_being_read_{0};
  std::mutex rejected_mutex_;
  std::vector<RejectedInput> rejected_;
  mutable std::mutex gauges_mutex_;
  std::map<std::string, double, std::less<>> gauges_;
  std::optional<FieldSchema> fields_;  // set while instances are created, read after
};

}  // namespace graph_runner::engine
