// The /metrics text of `run --metrics-listen`: every line valid exposition format,
// counters per node, histograms cumulative and consistent.
#include <map>
#include <regex>
#include <sstream>

#include <catch2/catch.hpp>

#include "metrics_prometheus.hpp"
#include "run/latency_histogram.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;

NodeStats node(std::string name, std::string plugin, NodeKind kind) {
  NodeStats n;
  n.name = std::move(name);
  n.plugin = std::move(plugin);
  n.kind = kind;
  return n;
}

RunResult sample_run() {
  RunResult r;
  r.wall_seconds = 2.5;
  r.source_batches = 40;
  r.acknowledged_batches = 38;
  NodeStats src = node("numbers", "generate", NodeKind::source);
  src.records_out = 10000;
  src.batches_out = 40;
  src.in_flight = 2;
  src.max_in_flight = 64;
  NodeStats stage = node("valid", "filter", NodeKind::stage);
  stage.records_in = 9000;
  stage.records_out = 8000;
  stage.errors = 7;
  stage.routed = 5;
  stage.dropped = 2;
  stage.retries = 3;
  stage.queued = 4;
  stage.running = 1;
  LatencyHistogram h;
  for (std::int64_t ns : std::initializer_list<std::int64_t>{500, 1500, 3000, 3000, 250'000, 2'000'000'000, 9'000'000'000'000'000}) h.record(ns);
  stage.latency = h.snapshot();
  NodeStats sink = node("store", "jsonl", NodeKind::sink);
  sink.records_in = 8000;
  r.nodes = {src, stage, sink};
  return r;
}

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// A small parser of the text format: every line must be a HELP, TYPE or sample line.
struct Exposition {
  std::map<std::string, std::string> types;
  std::vector<Sample> samples;
  std::vector<std::string> bad_lines;
};

Exposition parse(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+))");
  static const std::regex label(R"(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)\",?)");
  Exposition e;
  std::istringstream in(text);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, help)) continue;
    if (std::regex_match(line, m, type)) {
      e.types[m[1]] = m[2];
      continue;
    }
    if (!std::regex_match(line, m, sample)) {
      e.bad_lines.push_back(line);
      continue;
    }
    Sample s;
    s.name = m[1];
    const std::string value = m[4];
    s.value = value == "+Inf" ? INFINITY : std::stod(value);
    std::string rest = m[3];
    std::smatch lm;
    while (std::regex_search(rest, lm, label) && lm.position(0) == 0) {
      s.labels[lm[1]] = lm[2];
      rest = lm.suffix();
    }
    if (!rest.empty()) e.bad_lines.push_back(line);
    e.samples.push_back(std::move(s));
  }
  return e;
}

const Sample* find(const Exposition& e, const std::string& name, const std::string& node) {
  for (const auto& s : e.samples)
    if (s.name == name && s.labels.count("node") && s.labels.at("node") == node) return &s;
  return nullptr;
}

}  // namespace

TEST_CASE("every line of the metrics text is a HELP, TYPE or sample line", "[metrics]") {
  const std::string text = cli::prometheus_text(sample_run(), "demo");
  const Exposition e = parse(text);
  INFO(text);
  CHECK(e.bad_lines.empty());
  CHECK(text.back() == '\n');
  // every sample belongs to a declared family (a histogram's _bucket/_sum/_count to its base)
  for (const auto& s : e.samples) {
    std::string family = std::regex_replace(s.name, std::regex("_(bucket|sum|count)$"), "");
    INFO(s.name);
    CHECK((e.types.count(s.name) || e.types.count(family)));
  }
}

TEST_CASE("the metrics text has a counter per node with node and plugin labels", "[metrics]") {
  const Exposition e = parse(cli::prometheus_text(sample_run(), "demo"));
  CHECK(e.types.at("graph_runner_records_in_total") == "counter");
  CHECK(e.types.at("graph_runner_in_flight_batches") == "gauge");
  CHECK(e.types.at("graph_runner_call_duration_seconds") == "histogram");
  const Sample* out = find(e, "graph_runner_records_out_total", "numbers");
  REQUIRE(out);
  CHECK(out->value == 10000);
  CHECK(out->labels.at("plugin") == "generate");
  for (const auto& [metric, value] : std::vector<std::pair<std::string, double>>{
           {"graph_runner_records_in_total", 9000}, {"graph_runner_records_out_total", 8000},
           {"graph_runner_errors_total", 7},        {"graph_runner_records_routed_total", 5},
           {"graph_runner_records_dropped_total", 2}, {"graph_runner_retries_total", 3},
           {"graph_runner_queued_batches", 4},      {"graph_runner_running_calls", 1}}) {
    const Sample* s = find(e, metric, "valid");
    INFO(metric);
    REQUIRE(s);
    CHECK(s->value == value);
  }
  const Sample* flight = find(e, "graph_runner_in_flight_batches", "numbers");
  const Sample* bound = find(e, "graph_runner_max_in_flight_batches", "numbers");
  REQUIRE(flight);
  REQUIRE(bound);
  CHECK(flight->value == 2);
  CHECK(bound->value == 64);
  CHECK_FALSE(find(e, "graph_runner_in_flight_batches", "valid"));  // sources only
  bool acknowledged = false;
  for (const auto& s : e.samples)
    if (s.name == "graph_runner_batches_acknowledged_total") acknowledged = s.value == 38;
  CHECK(acknowledged);
}

TEST_CASE("latency histogram buckets are cumulative and +Inf equals the count", "[metrics]") {
  const Exposition e = parse(cli::prometheus_text(sample_run(), "demo"));
  std::vector<std::pair<double, double>> buckets;  // le, count
  double count = -1, sum = -1;
  for (const auto& s : e.samples) {
    if (!s.labels.count("node") || s.labels.at("node") != "valid") continue;
    if (s.name == "graph_runner_call_duration_seconds_bucket")
      buckets.emplace_back(s.labels.at("le") == "+Inf" ? INFINITY : std::stod(s.labels.at("le")), s.value);
    if (s.name == "graph_runner_call_duration_seconds_count") count = s.value;
    if (s.name == "graph_runner_call_duration_seconds_sum") sum = s.value;
  }
  REQUIRE(buckets.size() > 10);
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    INFO("bucket " << i << " le=" << buckets[i].first);
    CHECK(buckets[i].first > buckets[i - 1].first);
    CHECK(buckets[i].second >= buckets[i - 1].second);
  }
  CHECK(std::isinf(buckets.back().first));
  CHECK(buckets.back().second == 7);
  CHECK(count == 7);
  CHECK(sum > 2.0);
  // 500 ns and 1500 ns are at or below 2 us, the first bound; 3000 ns twice by 4 us
  CHECK(buckets[0].first == Approx(2e-6));
  CHECK(buckets[0].second == 2);
  CHECK(buckets[1].second == 4);
}

TEST_CASE("label values are escaped as the exposition format requires", "[metrics]") {
  CHECK(cli::prometheus_label_value(R"(a"b\c)") == R"(a\"b\\c)");
  CHECK(cli::prometheus_label_value("line\nbreak") == "line\\nbreak");
  const std::string text = cli::prometheus_text(sample_run(), "my \"graph\"");
  CHECK_THAT(text, Catch::Contains("graph_runner_info{graph=\"my \\\"graph\\\"\"} 1\n"));
}

TEST_CASE("a plugin's gauges are one family, labelled with node, plugin and gauge", "[metrics]") {
  RunResult r = sample_run();
  r.nodes[0].gauges = {{"lag", 18230}, {"pending", 4096}};
  const std::string text = cli::prometheus_text(r, "demo");
  const Exposition e = parse(text);
  INFO(text);
  CHECK(e.bad_lines.empty());
  CHECK(e.types.at("graph_runner_plugin_gauge") == "gauge");
  std::map<std::string, double> seen;
  for (const auto& s : e.samples)
    if (s.name == "graph_runner_plugin_gauge") {
      CHECK(s.labels.at("node") == "numbers");
      CHECK(s.labels.at("plugin") == "generate");
      seen[s.labels.at("gauge")] = s.value;
    }
  CHECK(seen == std::map<std::string, double>{{"lag", 18230}, {"pending", 4096}});
}
