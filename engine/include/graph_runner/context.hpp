#pragma once
/// @file context.hpp
/// What the engine tells a node instance: its name, parameters, ports, a logger and
/// the stop flag. Valid for the whole life of the instance.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "graph_runner/export.hpp"
#include "graph_runner/field_schema.hpp"
#include "graph_runner/params.hpp"

namespace graph_runner {

/// An output port of a stage or source, resolved by name once (see Context::port).
struct Port {
  std::size_t index = 0;  ///< 0 is the default port "out"
};

enum class LogLevel { debug, info, warn, error };

/// SDK 1.3, sources: where a source that can resume keeps its position between runs
/// (`state_dir` in [graph], `--state-dir`, `--from-start`, `checkpoint_ms`).
struct CheckpointSettings {
  /// The state file of this node, `STATE_DIR/GRAPH.NODE.state`; empty when the run has no
  /// state_dir (the source then keeps no position).
  std::string file;
  /// "GRAPH/NODE": written into the state file and checked when it is read, so a file of
  /// another graph or node is refused, never silently used.
  std::string key;
  /// `--from-start`: ignore the saved position (the file is overwritten as the run goes).
  bool from_start = false;
  /// `checkpoint_ms`: write the position at most this often (and at every stop).
  std::chrono::milliseconds interval{1000};
};

class GRAPH_RUNNER_API Context {
 public:
  virtual ~Context();

  /// The node's name in the graph file (e.g. "valid").
  virtual std::string_view node_name() const noexcept = 0;
  /// The plugin's name (e.g. "filter").
  virtual std::string_view plugin_name() const noexcept = 0;
  /// Checked parameter values, defaults filled in.
  virtual const Params& params() const noexcept = 0;
  /// Which instance of a worker pool this is (0..instances-1), for plugins that are
  /// not thread-safe and run as `concurrency` separate instances.
  virtual std::size_t instance() const noexcept = 0;

  /// A declared output port by name ("out" is the default port). Throws on an unknown name.
  virtual Port port(std::string_view name) const = 0;

  /// Sources: records per batch, and how long to wait for a partial batch (ms).
  virtual std::size_t batch_size() const noexcept = 0;
  virtual std::size_t linger_ms() const noexcept = 0;

  /// True once the run is stopping (Ctrl-C, timeout, failure). Long-running or blocking
  /// calls should poll it and return early.
  virtual bool stop_requested() const noexcept = 0;

  /// Log a message; the engine prefixes it with the node name.
  virtual void log(LogLevel level, std::string_view message) const = 0;

  /// Reject a parameter value: reported at the parameter's position in the graph file.
  [[noreturn]] void param_error(std::string_view param, const std::string& message) const;

  /// SDK 1.1, sources: one bad input record (a malformed line), handed to the node's
  /// `on_error` policy. `input` is the record's raw text, `error` says what is wrong and
  /// where, as "FILE:LINE: message". Under `fail` this throws (let it propagate out of
  /// read(); the run stops with `error`); under `drop` the record is counted and logged;
  /// under `route` it goes to port `NODE.errors` as a record with the fields `input`,
  /// `error` and `error_node`. Call it from read(), in input order; then go on reading.
  /// @code
  ///   if (!parsed) { ctx_.reject_input(line, file + ":" + std::to_string(line_no) + ": not a number"); continue; }
  /// @endcode
  virtual void reject_input(std::string_view input, std::string_view error);

  /// SDK 1.3: publishes a gauge of this node: a figure that goes up and down, such as a
  /// broker's backlog. `name` is `[a-z][a-z0-9_]*`; the latest value set is shown in
  /// `/metrics` (`graph_runner_plugin_gauge{node,plugin,gauge}`), in `--metrics-json` (the
  /// node's `gauges`) and on the status line. Cheap and thread-safe: call it as often as the
  /// figure changes, from any thread, but do not block on I/O to compute it per record.
  /// The instances of a pool (`concurrency = N`) are summed. A bad name throws
  /// std::invalid_argument.
  /// @code
  ///   ctx_.set_gauge("lag", static_cast<double>(entries_not_yet_read));
  /// @endcode
  virtual void set_gauge(std::string_view name, double value);

  /// SDK 1.3, sources: the checkpoint settings of this run (CheckpointSettings::file is
  /// empty when the run keeps no state).
  virtual CheckpointSettings checkpoint() const;
  /// SDK 1.3, sources, during read(): the sequence number (Origin::batch) that the batch
  /// read() is filling gets, and that Source::acknowledge() later names. A read() that
  /// yields nothing (no record, no rejected input routed) leaves the number to the next one.
  /// A source that commits positions files what it read under this number:
  /// @code
  ///   bool read(BatchBuilder& out) override {
  ///     ... fill out ...
  ///     pending_[ctx_.batch_being_read()] = position_after_last_record;
  ///   }
  ///   void acknowledge(std::uint64_t batch) override { commit_up_to(batch); }
  /// @endcode
  virtual std::uint64_t batch_being_read() const noexcept;

  /// SDK 2.1: declares the fields this node reads and produces (field_schema.hpp), so that
  /// a misspelled field is an error before the run, not nulls during it. Call it from the
  /// constructor (a source may call it from open(), e.g. once it read a file's header); a
  /// later call replaces the earlier one. A node that declares nothing is unknown: nothing
  /// downstream of it is checked, so declare only what is certain.
  /// @code
  ///   ctx.declare_fields({.reads = {{"status", "where"}}});           // a filter
  ///   ctx.declare_fields({.writes = {"id", "value"}});                // a source
  /// @endcode
  virtual void declare_fields(FieldSchema schema);
};

}  // namespace graph_runner
