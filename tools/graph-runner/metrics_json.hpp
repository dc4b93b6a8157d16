#pragma once
// `run --metrics-json FILE`: the figures of the summary table, for scripts and dashboards.
#include <string>

#include "run/run_graph.hpp"

namespace graph_runner::cli {

// "completed", "failed", "interrupted", "timed_out" or "invalid".
const char* run_status_name(engine::RunStatus status) noexcept;

// One JSON object: graph, status, error, totals, and one entry per node (in graph order)
// with its counters, busy time and call latency quantiles in seconds.
std::string metrics_json(const engine::RunResult& result, const std::string& graph_file);

}  // namespace graph_runner::cli
