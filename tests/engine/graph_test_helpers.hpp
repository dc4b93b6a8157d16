#pragma once
// Helpers that read like the spec, in the manner of toml++'s parsing_should_fail:
//   graph_should_load(R"(toml)")                         parse + validate, no errors
//   graph_should_fail(R"(toml)", "3:7: unknown input 'x'") an error at line 3, column 7
//                                                        whose message contains the text
// A location of "<command line>" expects an error from --set (no line). Validation runs
// against in-process stand-ins that carry the built-in plugins' schemas, so these tests
// depend on no plugin library.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "validate/validate_graph.hpp"

namespace graph_test {

using namespace graph_runner;
using namespace graph_runner::engine;

// Stand-ins: never constructed by these tests, only described.
struct NullSource : Source {
  explicit NullSource(Context&) {}
  bool read(BatchBuilder&) override { return false; }
};
struct NullStage : Stage {
  explicit NullStage(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};
struct NullSink : Sink {
  explicit NullSink(Context&) {}
  void write(const Batch&) override {}
};

inline void register_stand_ins(PluginRegistry& registry) {
  // The built-in plugins' schemas.
  registry.add_static(PluginDescriptor::source<NullSource>("generate", "numbered records")
                          .with_params({ParamSpec::integer("count", "records").with_default(std::int64_t{1000}).at_least(0),
                                        ParamSpec::integer("seed", "random seed").with_default(std::int64_t{42})}));
  registry.add_static(PluginDescriptor::stage<NullStage>("filter", "keeps matching records")
                          .with_params({ParamSpec::string("where", "condition").mandatory()})
                          .thread_safe());
  registry.add_static(PluginDescriptor::stage<NullStage>("map", "sets fields")
                          .with_params({ParamSpec::string_map("set", "field = expression").mandatory()})
                          .thread_safe());
  registry.add_static(PluginDescriptor::source<NullSource>("jsonl", "reads JSON lines")  // a source and a sink
                          .with_params({ParamSpec::string("path", "input file").mandatory()}));
  registry.add_static(PluginDescriptor::sink<NullSink>("jsonl", "writes JSON lines")
                          .with_params({ParamSpec::string("path", "output file").mandatory()}));
  registry.add_static(PluginDescriptor::sink<NullSink>("count", "counts records").single_instance());
  registry.add_static(PluginDescriptor::sink<NullSink>("stdout", "prints records")
                          .with_params({ParamSpec::integer("limit", "records to print").with_default(std::int64_t{0})})
                          .single_instance());
  // Test-only shapes: declared ports, ports from a parameter, every parameter type and limit.
  registry.add_static(PluginDescriptor::stage<NullStage>("split", "two fixed ports").with_ports({"left", "right"}));
  registry.add_static(PluginDescriptor::stage<NullStage>("top_k", "one result for the stream").thread_safe().single_instance());
  registry.add_static(PluginDescriptor::stage<NullStage>("router", "a port per route")
                          .with_params({ParamSpec::string_map("routes", "port = condition").mandatory()})
                          .with_ports_from("routes"));
  registry.add_static(
      PluginDescriptor::stage<NullStage>("tune", "every parameter type")
          .with_params({ParamSpec::number("ratio", "share").with_default(0.5).at_least(0).at_most(1),
                        ParamSpec::integer("level", "level").with_default(std::int64_t{3}).at_least(1).at_most(9),
                        ParamSpec::string("mode", "speed").with_default(std::string("fast")).one_of({"fast", "slow"}),
                        ParamSpec::boolean("verbose", "talk").with_default(false),
                        ParamSpec::string_list("fields", "fields to keep").with_default(std::vector<std::string>{})}));
}

// A graph with every kind of node, a port and a worker pool; line 1 is [graph].
inline const std::string design_example = R"([graph]
name = "sensor-cleanup"
batch_size = 256
plugin_path = ["plugins"]

[sources.readings]
plugin = "generate"
count = 1_000_000
rate = 0

[stages.valid]
plugin = "filter"
inputs = ["readings"]
where = "value >= 0"
concurrency = 4
on_error = "route"

[stages.scaled]
plugin = "map"
inputs = ["valid"]
set = { value = "value * 2" }

[sinks.store]
plugin = "jsonl"
inputs = ["scaled"]
path = "out/readings.jsonl"

[sinks.rejects]
plugin = "jsonl"
inputs = ["valid.errors"]
path = "out/rejects.jsonl"
)";

inline std::vector<Override> sets(std::vector<std::string> assignments) {
  std::vector<Override> out;
  for (auto& a : assignments) out.push_back(Override{std::move(a)});
  return out;
}

struct Loaded {
  Diagnostics diags;
  std::unique_ptr<CheckedGraph> graph;  // null when parsing or validation failed
};

// Parse, then (when parsing succeeded) validate against the stand-ins.
inline std::unique_ptr<Loaded> load(const std::string& toml, const std::vector<Override>& overrides = {}) {
  auto result = std::make_unique<Loaded>();
  GraphSpec spec = parse_graph_text(toml, "test.toml", overrides, result->diags);
  if (!result->diags.empty()) return result;
  PluginRegistry registry;
  register_stand_ins(registry);
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);
  result->graph = validate_graph(std::move(spec), registry, result->diags);
  return result;
}

inline GraphSpec spec_should_parse(const std::string& toml, const std::vector<Override>& overrides = {}) {
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "test.toml", overrides, diags);
  INFO("unexpected errors:\n" << diags.format());
  REQUIRE(diags.empty());
  return spec;
}

inline std::unique_ptr<CheckedGraph> graph_should_load(const std::string& toml,
                                                       const std::vector<Override>& overrides = {}) {
  auto result = load(toml, overrides);
  INFO("unexpected errors:\n" << result->diags.format());
  REQUIRE(result->diags.empty());
  REQUIRE(result->graph);
  return std::move(result->graph);
}

// "LINE:COL" for a position in the file, the file name ("<command line>") otherwise.
inline std::string location(const SourcePos& pos) {
  return pos.line > 0 ? std::to_string(pos.line) + ":" + std::to_string(pos.column) : pos.file;
}

// Checks that `diags` holds an error at `expected`'s location whose message contains the rest
// of `expected`, and whose hint contains `hint`.
inline void check_has_error(const Diagnostics& diags, const std::string& expected, const std::string& hint) {
  const std::size_t split = expected.find(": ");
  REQUIRE(split != std::string::npos);
  const std::string where = expected.substr(0, split), message = expected.substr(split + 2);
  bool found = false;
  for (const auto& d : diags.all())
    found = found || (location(d.pos) == where && d.message.find(message) != std::string::npos &&
                      d.hint.find(hint) != std::string::npos);
  INFO("expected: " << expected << (hint.empty() ? "" : "\n  hint: " + hint) << "\ngot:\n"
                    << (diags.empty() ? std::string("(no errors)") : diags.format()));
  CHECK(found);
}

inline void graph_should_fail(const std::string& toml, const std::string& expected, const std::string& hint = {},
                              const std::vector<Override>& overrides = {}) {
  auto result = load(toml, overrides);
  check_has_error(result->diags, expected, hint);
  CHECK_FALSE(result->graph);
}

// Every error of a graph (parse errors, or validation errors when parsing succeeded).
inline std::vector<Diagnostic> errors_of(const std::string& toml, const std::vector<Override>& overrides = {}) {
  return load(toml, overrides)->diags.all();
}

inline const NodeSpec& node_named(const GraphSpec& spec, const std::string& name) {
  for (const auto& n : spec.nodes)
    if (n.name == name) return n;
  FAIL("no node '" << name << "'");
  throw;
}

inline const CheckedNode& node_named(const CheckedGraph& graph, const std::string& name) {
  for (const auto& n : graph.nodes)
    if (n.spec->name == name) return n;
  FAIL("no node '" << name << "'");
  throw;
}

}  // namespace graph_test
