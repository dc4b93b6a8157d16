#pragma once
// GraphSpec: a graph file as written, with the source position of every key and value.
// Produced by parse_graph(), checked and resolved by validate_graph().
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/plugin.hpp"

namespace graph_runner::engine {

enum class ErrorPolicy { fail, drop, retry, route };

struct InputRef {
  std::string node;
  std::string port = "out";  // "NODE.PORT" in the file; "out" when no port is written
  SourcePos pos;             // position of the string in the inputs array
};

struct NodeSpec {
  std::string name;
  NodeKind kind = NodeKind::stage;
  SourcePos pos;  // the [kind.name] table header
  std::string plugin;
  SourcePos plugin_pos;
  std::vector<InputRef> inputs;
  SourcePos inputs_pos;

  // Reserved keys (docs/graph-language.md#reserved-node-keys). Unset optionals fall back to plugin/graph defaults.
  std::optional<std::int64_t> concurrency;  // 0 means "unlimited"; the max of a { min, max } range
  std::optional<std::int64_t> concurrency_min;  // set: adaptive between this and `concurrency`
  SourcePos concurrency_pos;
  bool ordered = false;
  std::optional<std::string> partition_by;
  std::optional<std::string> priority;
  ErrorPolicy on_error = ErrorPolicy::fail;
  SourcePos on_error_pos;  // the on_error value (line 0 when not written)
  std::int64_t retries = 3;
  std::int64_t backoff_ms = 100;
  std::optional<std::int64_t> batch_size, linger_ms, max_in_flight, max_in_flight_bytes;
  std::optional<double> rate;  // records per second, sources only; 0 = unlimited
  std::optional<std::int64_t> burst;  // with rate: records that may go at once after a pause
  bool blocking = false;
  // unread = "drop": records a source or stage sends to a port no node reads are dropped on
  // purpose (counted as dropped); without it such a port is a graph error.
  bool drop_unread = false;

  // Every other key: a plugin parameter, with the position of its value.
  std::map<std::string, ParamValue> params;
  std::map<std::string, SourcePos> param_pos;
};

struct GraphSettings {
  std::string name;
  std::string description;
  std::int64_t threads = 0;  // 0 = all cores
  std::int64_t batch_size = 256;
  std::int64_t linger_ms = 5;
  std::int64_t max_in_flight = 64;
  std::optional<std::int64_t> max_in_flight_bytes;  // per source; unset: sized to the machine
  std::int64_t shutdown_grace_ms = 5000;
  double timeout_s = 0;
  double stall_timeout_s = 30;
  std::vector<std::filesystem::path> plugin_path;  // absolute, resolved against the file's folder
  // Checkpoints of the sources that can resume (file sources): where, and how often.
  std::string state_dir;  // empty: none; relative to the working directory, like sink paths
  std::int64_t checkpoint_ms = 1000;
  bool from_start = false;  // not in the file: `run --from-start` ignores saved positions
};

struct GraphSpec {
  std::string file;  // as given
  GraphSettings graph;
  std::vector<NodeSpec> nodes;  // in file order
};

}  // namespace graph_runner::engine
