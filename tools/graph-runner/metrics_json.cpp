#include "metrics_json.hpp"

#include <nlohmann/json.hpp>

namespace graph_runner::cli {

const char* run_status_name(engine::RunStatus status) noexcept {
  switch (status) {
    case engine::RunStatus::completed: return "completed";
    case engine::RunStatus::failed: return "failed";
    case engine::RunStatus::interrupted: return "interrupted";
    case engine::RunStatus::timed_out: return "timed_out";
    case engine::RunStatus::invalid: return "invalid";
  }
  return "unknown";
}

std::string metrics_json(const engine::RunResult& r, const std::string& graph_file) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  std::uint64_t produced = 0;
  for (const auto& n : r.nodes) {
    if (n.kind == NodeKind::source) produced += n.records_out;
    nodes.push_back({
        {"name", n.name},
        {"plugin", n.plugin},
        {"kind", std::string(node_kind_name(n.kind))},
        {"concurrency", n.concurrency == 0 ? nlohmann::ordered_json("unlimited") : nlohmann::ordered_json(n.concurrency)},
        {"batches_in", n.batches_in},
        {"records_in", n.records_in},
        {"batches_out", n.batches_out},
        {"records_out", n.records_out},
        {"errors", n.errors},
        {"dropped", n.dropped},
        {"routed", n.routed},
        {"retries", n.retries},
        {"busy_seconds", n.busy_seconds},
        {"max_concurrent", n.max_concurrent},
        {"calls", n.latency.total},
        {"latency_p50_seconds", n.latency.quantile(0.5)},
        {"latency_p99_seconds", n.latency.quantile(0.99)},
    });
  }
  nlohmann::ordered_json doc = {
      {"graph", graph_file},
      {"status", run_status_name(r.status)},
      {"error", r.error},
      {"wall_seconds", r.wall_seconds},
      {"records_produced", produced},
      {"records_per_second", r.wall_seconds > 0 ? static_cast<double>(produced) / r.wall_seconds : 0.0},
      {"source_batches", r.source_batches},
      {"acknowledged_batches", r.acknowledged_batches},
      {"max_in_flight_seen", r.max_in_flight_seen},
      {"nodes", std::move(nodes)},
  };
  return doc.dump(2) + "\n";
}

}  // namespace graph_runner::cli
