// `run --ui`: the figures of the live page (/state.json): rates and busy % over the recent
// window while running, averages over the run once finished, the records of every edge of
// the picture (an errors port shows the routed count), and the final figures kept.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "live_state.hpp"

using namespace graph_runner;
using namespace graph_runner::engine;
using Json = nlohmann::json;

namespace {

// numbers (source) -> checked (stage, ports out + errors) -> good; checked.errors -> rejects
CheckedGraph graph() {
  CheckedGraph g;
  g.spec.graph.name = "demo";
  for (auto [name, kind, plugin] : {std::tuple{"numbers", NodeKind::source, "generate"},
                                    std::tuple{"checked", NodeKind::stage, "chaos"},
                                    std::tuple{"good", NodeKind::sink, "count"},
                                    std::tuple{"rejects", NodeKind::sink, "count"}}) {
    NodeSpec n;
    n.name = name;
    n.kind = kind;
    n.plugin = plugin;
    g.spec.nodes.push_back(n);
  }
  for (auto& spec : g.spec.nodes) {
    CheckedNode n;
    n.spec = &spec;
    n.ports = spec.kind == NodeKind::sink ? std::vector<std::string>{"errors"} : std::vector<std::string>{"out", "errors"};
    n.concurrency = spec.name == "checked" ? 0 : 1;
    n.max_in_flight = 8;
    g.nodes.push_back(n);
  }
  g.edges = {{0, 0, 1}, {1, 0, 2}, {1, 1, 3}};
  return g;
}

// At `seconds`, `produced` records went through; 1 in 10 was routed; checked was busy a
// quarter of the time.
RunResult at(double seconds, std::uint64_t produced) {
  RunResult r;
  r.wall_seconds = seconds;
  const char* names[] = {"numbers", "checked", "good", "rejects"};
  for (const char* name : names) {
    NodeStats s;
    s.name = name;
    r.nodes.push_back(s);
  }
  r.nodes[0].kind = NodeKind::source;
  r.nodes[0].records_out = produced;
  r.nodes[0].in_flight = 3;
  r.nodes[0].max_in_flight = 8;
  r.nodes[1].records_in = produced;
  r.nodes[1].records_out = produced - produced / 10;
  r.nodes[1].routed = r.nodes[1].errors = produced / 10;
  r.nodes[1].busy_seconds = seconds / 4;
  r.nodes[2].kind = r.nodes[3].kind = NodeKind::sink;
  r.nodes[2].records_in = r.nodes[1].records_out;
  r.nodes[3].records_in = r.nodes[1].routed;
  return r;
}

const Json& node(const Json& state, const std::string& name) {
  for (const auto& n : state["nodes"])
    if (n["name"] == name) return n;
  FAIL("no node " << name);
  throw;
}

}  // namespace

TEST_CASE("before the first snapshot the page has every node at zero", "[live]") {
  const CheckedGraph g = graph();
  cli::LiveState live(g, "demo.toml");
  const Json s = Json::parse(live.json());
  CHECK(s["state"] == "starting");
  CHECK(s["graph"] == "demo");
  REQUIRE(s["nodes"].size() == 4);
  CHECK(node(s, "checked")["concurrency"] == "unlimited");
  CHECK(node(s, "numbers")["max_in_flight"] == 8);
  CHECK(s["edges"].size() == 3);
}

TEST_CASE("while running, rates and busy % are over the last window", "[live]") {
  const CheckedGraph g = graph();
  cli::LiveState live(g, "demo.toml", 1.0);
  // 1000 records/s for 10 s, then 5000 records/s
  for (int tenth = 1; tenth <= 100; ++tenth) live.update(at(tenth / 10.0, std::uint64_t(tenth) * 100));
  for (int tenth = 1; tenth <= 20; ++tenth) live.update(at(10 + tenth / 10.0, 10000 + std::uint64_t(tenth) * 500));
  const Json s = Json::parse(live.json());
  CHECK(s["state"] == "running");
  CHECK(s["finished"] == false);
  CHECK(s["records_produced"] == 20000);
  CHECK(s["rate_seconds"].get<double>() == Approx(1.0).margin(0.11));
  CHECK(s["records_per_second"].get<double>() == Approx(5000).epsilon(0.01));
  CHECK(node(s, "checked")["busy_percent"].get<double>() == Approx(25).epsilon(0.01));
  CHECK(node(s, "numbers")["in_flight"] == 3);
  CHECK(node(s, "checked")["routed"] == 2000);
  CHECK(node(s, "good").contains("in_flight") == false);  // sources only
  CHECK(node(s, "good")["gauges"] == Json::object());
  // edges in drawing order, the errors port counted by the routed records
  const Json& e = s["edges"];
  CHECK(e[0]["from"] == "numbers");
  CHECK(e[0]["records"] == 20000);
  CHECK(e[0]["records_per_second"].get<double>() == Approx(5000).epsilon(0.01));
  CHECK(e[2]["port"] == "errors");
  CHECK(e[2]["to"] == "rejects");
  CHECK(e[2]["records"] == 2000);
  CHECK(e[2]["records_per_second"].get<double>() == Approx(500).epsilon(0.02));
}

TEST_CASE("once finished, the figures are the run's averages and stay", "[live]") {
  const CheckedGraph g = graph();
  cli::LiveState live(g, "demo.toml", 1.0);
  live.update(at(1, 1000));
  RunResult end = at(4, 20000);
  end.status = RunStatus::timed_out;
  live.finish(end);
  live.update(at(5, 30000));  // a late progress call does not overwrite the end
  const Json s = Json::parse(live.json());
  CHECK(s["state"] == "timed_out");
  CHECK(s["finished"] == true);
  CHECK(s["records_produced"] == 20000);
  CHECK(s["records_per_second"].get<double>() == Approx(5000));
  CHECK(node(s, "checked")["busy_percent"].get<double>() == Approx(25));
}

TEST_CASE("the page says why it has no picture", "[live]") {
  const CheckedGraph g = graph();
  cli::LiveState live(g, "demo.toml");
  CHECK(Json::parse(live.json())["drawing_error"] == "");
  live.set_drawing_error("Graphviz's `dot` program is not on PATH");
  CHECK(Json::parse(live.json())["drawing_error"] == "Graphviz's `dot` program is not on PATH");
}
