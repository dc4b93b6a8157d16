#include "metrics_prometheus.hpp"

#include <charconv>
#include <cmath>
#include <functional>

namespace graph_runner::cli {
namespace {

using engine::NodeStats;

// Shortest text that reads back as the same double; Prometheus spells infinity "+Inf".
std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "0";
}

std::string number(std::uint64_t v) { return std::to_string(v); }

// kind too: plugin names are unique per kind only (a source and a sink may both be `jsonl`).
std::string labels(const NodeStats& n) {
  return "node=\"" + prometheus_label_value(n.name) + "\",plugin=\"" + prometheus_label_value(n.plugin) +
         "\",kind=\"" + std::string(node_kind_name(n.kind)) + "\"";
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One metric with a sample per node that `has` it (all nodes when `has` is empty).
void per_node(std::string& out, const engine::RunResult& r, std::string_view name, std::string_view type,
              std::string_view help, const std::function<std::string(const NodeStats&)>& value,
              const std::function<bool(const NodeStats&)>& has = {}) {
  header(out, name, type, help);
  for (const auto& n : r.nodes)
    if (!has || has(n)) out.append(name).append("{").append(labels(n)).append("} ").append(value(n)).append("\n");
}

// The engine keeps four buckets per power of two; the exposition keeps one (every fourth
// bound, so the cumulative counts are exact), ending with +Inf: the last engine bucket
// also holds everything beyond its bound.
void latency_histogram(std::string& out, const engine::RunResult& r) {
  constexpr std::string_view name = "graph_runner_call_duration_seconds";
  header(out, name, "histogram",
         "Duration of one plugin call: a batch for stages and sinks, a read for sources.");
  for (const auto& n : r.nodes) {
    const auto& h = n.latency;
    const std::string l = labels(n);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i + 1 < h.counts.size(); ++i) {
      cumulative += h.counts[i];
      if (i % 4 == 3)
        out.append(name).append("_bucket{").append(l).append(",le=\"").append(number(h.upper_bounds_s[i]))
            .append("\"} ").append(number(cumulative)).append("\n");
    }
    out.append(name).append("_bucket{").append(l).append(",le=\"+Inf\"} ").append(number(h.total)).append("\n");
    out.append(name).append("_sum{").append(l).append("} ").append(number(h.sum_s)).append("\n");
    out.append(name).append("_count{").append(l).append("} ").append(number(h.total)).append("\n");
  }
}

// Plugins' own gauges (Context::set_gauge): one family, the gauge's name as a label, since
// the names come from plugins and must not collide with the engine's metrics.
void plugin_gauges(std::string& out, const engine::RunResult& r) {
  constexpr std::string_view name = "graph_runner_plugin_gauge";
  header(out, name, "gauge", "A figure the node's plugin publishes (e.g. a broker's lag); see the plugin's docs.");
  for (const auto& n : r.nodes)
    for (const auto& [gauge, value] : n.gauges)
      out.append(name).append("{").append(labels(n)).append(",gauge=\"").append(prometheus_label_value(gauge))
          .append("\"} ").append(number(value)).append("\n");
}

}  // namespace

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string prometheus_text(const engine::RunResult& r, std::string_view graph_name) {
  std::string out;
  const auto is_source = [](const NodeStats& n) { return n.kind == NodeKind::source; };
  const auto takes_input = [](const NodeStats& n) { return n.kind != NodeKind::source; };
  const auto gives_output = [](const NodeStats& n) { return n.kind != NodeKind::sink; };

  header(out, "graph_runner_info", "gauge", "The graph this process runs (always 1).");
  out.append("graph_runner_info{graph=\"").append(prometheus_label_value(graph_name)).append("\"} 1\n");
  header(out, "graph_runner_elapsed_seconds", "gauge", "Time since the run started.");
  out.append("graph_runner_elapsed_seconds ").append(number(r.wall_seconds)).append("\n");

  per_node(out, r, "graph_runner_records_in_total", "counter", "Records received by the node.",
           [](const NodeStats& n) { return number(n.records_in); }, takes_input);
  per_node(out, r, "graph_runner_records_out_total", "counter", "Records emitted by the node.",
           [](const NodeStats& n) { return number(n.records_out); }, gives_output);
  per_node(out, r, "graph_runner_batches_in_total", "counter", "Batches received by the node.",
           [](const NodeStats& n) { return number(n.batches_in); }, takes_input);
  per_node(out, r, "graph_runner_batches_out_total", "counter", "Batches emitted by the node.",
           [](const NodeStats& n) { return number(n.batches_out); }, gives_output);
  per_node(out, r, "graph_runner_records_dropped_total", "counter", "Records dropped under on_error = \"drop\".",
           [](const NodeStats& n) { return number(n.dropped); });
  per_node(out, r, "graph_runner_records_routed_total", "counter",
           "Records sent to the errors port under on_error = \"route\".",
           [](const NodeStats& n) { return number(n.routed); });
  per_node(out, r, "graph_runner_errors_total", "counter", "Failed calls or rejected records, whatever the policy.",
           [](const NodeStats& n) { return number(n.errors); });
  per_node(out, r, "graph_runner_retries_total", "counter", "Repeated calls under on_error = \"retry\".",
           [](const NodeStats& n) { return number(n.retries); });
  per_node(out, r, "graph_runner_busy_seconds_total", "counter", "Time spent inside the plugin's calls, summed over parallel calls.",
           [](const NodeStats& n) { return number(n.busy_seconds); });

  header(out, "graph_runner_source_batches_total", "counter", "Batches the sources sent into the graph.");
  out.append("graph_runner_source_batches_total ").append(number(r.source_batches)).append("\n");
  header(out, "graph_runner_batches_acknowledged_total", "counter",
         "Source batches fully consumed by every sink, dropped or routed.");
  out.append("graph_runner_batches_acknowledged_total ").append(number(r.acknowledged_batches)).append("\n");

  per_node(out, r, "graph_runner_in_flight_batches", "gauge", "Batches of this source in the graph now.",
           [](const NodeStats& n) { return number(std::uint64_t{n.in_flight}); }, is_source);
  per_node(out, r, "graph_runner_max_in_flight_batches", "gauge",
           "The source's bound on batches in flight (max_in_flight): backpressure starts there.",
           [](const NodeStats& n) { return number(std::uint64_t{n.max_in_flight}); }, is_source);
  per_node(out, r, "graph_runner_queued_batches", "gauge", "Batches waiting for the node now.",
           [](const NodeStats& n) { return std::to_string(n.queued); }, takes_input);
  per_node(out, r, "graph_runner_running_calls", "gauge", "Plugin calls of the node running now.",
           [](const NodeStats& n) { return number(std::uint64_t{n.running}); });
  per_node(out, r, "graph_runner_node_concurrency", "gauge",
           "Calls the node may run at once now: its concurrency, or where an adaptive one stands (+Inf: unlimited).",
           [](const NodeStats& n) {
             return n.concurrency_now == 0 ? std::string("+Inf") : number(std::uint64_t{n.concurrency_now});
           },
           takes_input);
  plugin_gauges(out, r);
  latency_histogram(out, r);
  return out;
}

}  // namespace graph_runner::cli
