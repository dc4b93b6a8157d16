#include "metrics_json.hpp"

#include <nlohmann/json.hpp>

#include "log_format.hpp"

namespace graph_runner::cli {
namespace {

using Json = nlohmann::ordered_json;

std::uint64_t records_produced(const engine::RunResult& r) {
  std::uint64_t produced = 0;
  for (const auto& n : r.nodes)
    if (n.kind == NodeKind::source) produced += n.records_out;
  return produced;
}

// The plugin's own gauges (Context::set_gauge): {"lag": 12, "pending": 3}.
Json gauges_json(const std::vector<std::pair<std::string, double>>& gauges) {
  Json out = Json::object();
  for (const auto& [name, value] : gauges) out[name] = value;
  return out;
}

Json snapshots_json(const engine::RunResult& r, const MetricsSnapshots& recorded) {
  Json out = Json::array();
  double last_seconds = 0;
  std::uint64_t last_produced = 0;
  for (const auto& s : recorded.snapshots()) {
    Json nodes = Json::object();
    std::uint64_t produced = 0;
    for (std::size_t i = 0; i < s.nodes.size() && i < r.nodes.size(); ++i) {
      const auto& n = s.nodes[i];
      if (r.nodes[i].kind == NodeKind::source) produced += n.records_out;
      nodes[r.nodes[i].name] = {
          {"records_in", n.records_in}, {"records_out", n.records_out}, {"errors", n.errors},
          {"dropped", n.dropped},       {"routed", n.routed},           {"retries", n.retries},
          {"in_flight", n.in_flight},   {"queued", n.queued},           {"running", n.running},
          {"busy_seconds", n.busy_seconds},
      };
      if (!n.gauges.empty()) nodes[r.nodes[i].name]["gauges"] = gauges_json(n.gauges);
      if (r.nodes[i].min_concurrency > 0) nodes[r.nodes[i].name]["concurrency"] = n.concurrency_now;  // the trace
    }
    const double dt = s.seconds - last_seconds;
    out.push_back({
        {"seconds", s.seconds},
        {"time", iso8601_utc(s.time)},
        {"records_produced", produced},
        // over the interval since the previous snapshot
        {"records_per_second", dt > 0 ? static_cast<double>(produced - last_produced) / dt : 0.0},
        {"acknowledged_batches", s.acknowledged_batches},
        {"nodes", std::move(nodes)},
    });
    last_seconds = s.seconds;
    last_produced = produced;
  }
  return out;
}

}  // namespace

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

MetricsSnapshots::MetricsSnapshots(double interval_s, std::size_t max_snapshots)
    : interval_(interval_s), max_(std::max<std::size_t>(max_snapshots, 2)) {}

void MetricsSnapshots::offer(const engine::RunResult& r) {
  const double next = snapshots_.empty() ? interval_ : snapshots_.back().seconds + interval_;
  // a little slack: progress callbacks arrive a few ms either side of the interval
  if (r.wall_seconds < next - 0.02) return;
  Snapshot s;
  s.seconds = r.wall_seconds;
  s.time = std::chrono::system_clock::now();
  s.acknowledged_batches = r.acknowledged_batches;
  for (const auto& n : r.nodes)
    s.nodes.push_back({n.records_in, n.records_out, n.errors, n.dropped, n.routed, n.retries, n.in_flight, n.running,
                       n.queued, n.busy_seconds, n.gauges, n.min_concurrency > 0 ? n.concurrency_now : 0});
  snapshots_.push_back(std::move(s));
  if (snapshots_.size() >= max_) {
    std::size_t kept = 0;
    for (std::size_t i = 1; i < snapshots_.size(); i += 2) snapshots_[kept++] = std::move(snapshots_[i]);
    snapshots_.resize(kept);
    interval_ *= 2;
  }
}

std::string metrics_json(const engine::RunResult& r, const std::string& graph_file,
                         std::chrono::system_clock::time_point started_at, const MetricsSnapshots* snapshots) {
  Json nodes = Json::array();
  for (const auto& n : r.nodes) {
    nodes.push_back({
        {"name", n.name},
        {"plugin", n.plugin},
        {"kind", std::string(node_kind_name(n.kind))},
        {"concurrency", n.concurrency == 0 ? Json("unlimited") : Json(n.concurrency)},
        // where the concurrency stands at the end: an adaptive node's last limit
        {"concurrency_now", n.concurrency_now == 0 ? Json("unlimited") : Json(n.concurrency_now)},
        {"batches_in", n.batches_in},
        {"records_in", n.records_in},
        {"batches_out", n.batches_out},
        {"records_out", n.records_out},
        {"errors", n.errors},
        {"dropped", n.dropped},
        {"routed", n.routed},
        {"retries", n.retries},
        {"busy_seconds", n.busy_seconds},
        {"busy_percent", r.wall_seconds > 0 ? 100.0 * n.busy_seconds / r.wall_seconds : 0.0},
        {"max_concurrent", n.max_concurrent},
        {"calls", n.latency.total},
        {"latency_p50_seconds", n.latency.quantile(0.5)},
        {"latency_p99_seconds", n.latency.quantile(0.99)},
        {"gauges", gauges_json(n.gauges)},
    });
    if (n.min_concurrency > 0) nodes.back()["concurrency_min"] = n.min_concurrency;  // adaptive: { min, max = concurrency }
  }
  const std::uint64_t produced = records_produced(r);
  Json doc = {
      {"graph", graph_file},
      {"status", run_status_name(r.status)},
      {"error", r.error},
      {"started_at", iso8601_utc(started_at)},
      {"wall_seconds", r.wall_seconds},
      {"records_produced", produced},
      {"records_per_second", r.wall_seconds > 0 ? static_cast<double>(produced) / r.wall_seconds : 0.0},
      {"source_batches", r.source_batches},
      {"acknowledged_batches", r.acknowledged_batches},
      {"max_in_flight_seen", r.max_in_flight_seen},
      {"nodes", std::move(nodes)},
      {"snapshot_interval_seconds", snapshots ? snapshots->interval() : 0.0},
      {"snapshots", snapshots ? snapshots_json(r, *snapshots) : Json::array()},
  };
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace graph_runner::cli
