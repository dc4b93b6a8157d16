// `--metrics-json`: the figures of the summary plus snapshots, bounded in number.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "metrics_json.hpp"

using namespace graph_runner;
using namespace graph_runner::engine;

namespace {
RunResult at(double seconds, std::uint64_t produced) {
  RunResult r;
  r.wall_seconds = seconds;
  NodeStats src;
  src.name = "numbers";
  src.plugin = "generate";
  src.kind = NodeKind::source;
  src.records_out = produced;
  NodeStats sink;
  sink.name = "store";
  sink.plugin = "count";
  sink.kind = NodeKind::sink;
  sink.records_in = produced;
  sink.busy_seconds = seconds / 4;
  r.nodes = {src, sink};
  return r;
}
}  // namespace

TEST_CASE("metrics json has totals, busy percent and a snapshot per interval", "[metrics]") {
  cli::MetricsSnapshots snapshots(1.0);
  for (int tick = 0; tick <= 14; ++tick) snapshots.offer(at(tick * 0.25, static_cast<std::uint64_t>(tick) * 1000));
  RunResult final_figures = at(3.6, 15000);
  const auto j = nlohmann::json::parse(cli::metrics_json(final_figures, "g.toml", std::chrono::system_clock::now(), &snapshots));
  CHECK(j.at("wall_seconds") == 3.6);
  CHECK(j.at("records_produced") == 15000);
  CHECK(j.at("records_per_second").get<double>() == Approx(15000 / 3.6));
  CHECK(j.at("nodes").at(1).at("busy_percent").get<double>() == Approx(25.0));
  const auto& s = j.at("snapshots");
  REQUIRE(s.size() == 3);  // at 1, 2 and 3 s
  CHECK(s.at(0).at("seconds") == 1.0);
  CHECK(s.at(1).at("seconds") == 2.0);
  CHECK(s.at(1).at("nodes").at("store").at("records_in") == 8000);
  CHECK(s.at(1).at("records_per_second").get<double>() == Approx(4000));
  CHECK(s.at(0).at("time").get<std::string>().back() == 'Z');
}

TEST_CASE("metrics snapshots of a long run stay bounded", "[metrics]") {
  cli::MetricsSnapshots snapshots(1.0, 100);
  for (int second = 1; second <= 1000; ++second) snapshots.offer(at(second, 0));
  CHECK(snapshots.snapshots().size() < 100);
  CHECK(snapshots.interval() >= 8.0);
  // still spread over the whole run, in order
  CHECK(snapshots.snapshots().back().seconds > 900);
  for (std::size_t i = 1; i < snapshots.snapshots().size(); ++i)
    CHECK(snapshots.snapshots()[i].seconds > snapshots.snapshots()[i - 1].seconds);
}

TEST_CASE("metrics json shows a plugin's gauges per node and in every snapshot", "[metrics]") {
  cli::MetricsSnapshots snapshots(1.0);
  RunResult r = at(1.0, 1000);
  r.nodes[0].gauges = {{"lag", 42}, {"pending", 7}};
  snapshots.offer(r);
  const auto j = nlohmann::json::parse(cli::metrics_json(r, "g.toml", std::chrono::system_clock::now(), &snapshots));
  CHECK(j.at("nodes").at(0).at("gauges") == nlohmann::json{{"lag", 42.0}, {"pending", 7.0}});
  CHECK(j.at("nodes").at(1).at("gauges") == nlohmann::json::object());
  CHECK(j.at("snapshots").at(0).at("nodes").at("numbers").at("gauges").at("lag") == 42.0);
  CHECK_FALSE(j.at("snapshots").at(0).at("nodes").at("store").contains("gauges"));
}
