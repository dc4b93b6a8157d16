#pragma once
// The figures of a run in Prometheus' text exposition format (version 0.0.4), for
// `run --metrics-listen`. A pure function of a snapshot: metrics_server.cpp serves it.
#include <string>
#include <string_view>

#include "run/run_graph.hpp"

namespace graph_runner::cli {

// graph_runner_* metrics, each with # HELP and # TYPE: counters per node (records in/out,
// batches in/out, dropped, routed, errors, retries, busy seconds), the run's batch counters,
// gauges (in flight per source and its bound, queued batches, running calls, elapsed time)
// and a call-duration histogram per node, labelled node="..." and plugin="...".
std::string prometheus_text(const engine::RunResult& snapshot, std::string_view graph_name);

// A label value with \, " and newline escaped as the format requires.
std::string prometheus_label_value(std::string_view value);

}  // namespace graph_runner::cli
