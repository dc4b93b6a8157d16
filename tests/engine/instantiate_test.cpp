// validate --instantiate (engine::instantiate_graph): every node's plugin is constructed
// with its parameters, failures are placed in the graph file, sinks are not opened.
#include <atomic>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "run/instantiate_graph.hpp"
#include "validate/validate_graph.hpp"

namespace instantiate_test {
namespace {

using namespace graph_runner;
using namespace graph_runner::engine;

std::atomic<int> sinks_constructed{0}, sinks_opened{0}, sources_opened{0};

// Refuses a negative limit the way plugins do: a ParamError naming the parameter.
struct Picky : Stage {
  explicit Picky(Context& c) {
    if (c.params().get_int("limit") < 0) c.param_error("limit", "must not be negative");
  }
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};
// Fails in open() with a message that quotes its path, as read_csv does.
struct Opener : Source {
  explicit Opener(Context& c) : path_(c.params().get_string("path")) {}
  void open() override {
    ++sources_opened;
    if (path_ != "exists") throw std::runtime_error("cannot open '" + path_ + "': No such file");
  }
  bool read(BatchBuilder&) override { return false; }
  std::string path_;
};
// Fails with a message that names no parameter.
struct Vague : Stage {
  explicit Vague(Context& c) {
    if (c.params().get_bool("fail")) throw std::runtime_error("something broke");
  }
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};
struct Counted : Sink {
  explicit Counted(Context&) { ++sinks_constructed; }
  void open() override { ++sinks_opened; }
  void write(const Batch&) override {}
};

struct Checked {
  Diagnostics diags;
  std::unique_ptr<CheckedGraph> graph;
};

Checked check(const std::string& toml, PluginRegistry& registry) {
  registry.add_static(PluginDescriptor::stage<Picky>("picky", "refuses limit < 0")
                          .with_params({ParamSpec::integer("limit", "").with_default(std::int64_t{0})}));
  registry.add_static(PluginDescriptor::source<Opener>("opener", "opens path")
                          .with_params({ParamSpec::string("path", "").mandatory(),
                                        ParamSpec::string("label", "").with_default("exists")}));
  registry.add_static(PluginDescriptor::stage<Vague>("vague", "fails without saying where")
                          .with_params({ParamSpec::boolean("fail", "").with_default(false)}));
  registry.add_static(PluginDescriptor::sink<Counted>("counted", "counts its constructions and opens"));
  Checked c;
  GraphSpec spec = parse_graph_text(toml, "g.toml", {}, c.diags);
  if (c.diags.empty()) c.graph = validate_graph(std::move(spec), registry, c.diags);
  return c;
}

}  // namespace

TEST_CASE("instantiating reports every node that fails, each at the parameter it concerns", "[instantiate]") {
  PluginRegistry registry;
  auto c = check(R"([sources.in]
plugin = "opener"
path = "missing.csv"
label = "exists"

[stages.a]
plugin = "picky"
inputs = ["in"]
limit = -1

[stages.b]
plugin = "vague"
inputs = ["a"]
fail = true

[sinks.out]
plugin = "counted"
inputs = ["b"]
)",
                 registry);
  INFO(c.diags.format());
  REQUIRE(c.graph);  // plain validation accepts every value

  const Diagnostics diags = instantiate_graph(*c.graph);
  const std::string text = diags.format();
  INFO(text);
  CHECK(diags.size() == 3);
  // read_csv-like: the message quotes the value of `path` (and not that of `label`)
  CHECK_THAT(text, Catch::Contains("g.toml:3:8: error: node 'in' (plugin 'opener'): cannot open 'missing.csv'"));
  // a ParamError: at the parameter it names
  CHECK_THAT(text, Catch::Contains("g.toml:9:9: error: node 'a' (plugin 'picky'): must not be negative"));
  // nothing to go by: the node's table header
  CHECK_THAT(text, Catch::Contains("g.toml:11:1: error: node 'b' (plugin 'vague'): something broke"));
}

TEST_CASE("instantiating constructs sinks without opening them", "[instantiate]") {
  PluginRegistry registry;
  auto c = check(R"([sources.in]
plugin = "opener"
path = "exists"

[sinks.out]
plugin = "counted"
inputs = ["in"]
concurrency = 3
)",
                 registry);
  REQUIRE(c.graph);
  sinks_constructed = sinks_opened = sources_opened = 0;
  const Diagnostics diags = instantiate_graph(*c.graph);
  INFO(diags.format());
  CHECK(diags.empty());
  CHECK(sources_opened == 1);     // a source opens its input: that is what is checked
  CHECK(sinks_constructed == 3);  // one per instance of the pool, as run would create
  CHECK(sinks_opened == 0);       // no output file is created or truncated
}

TEST_CASE("an ambiguous message is placed at the node, not at a guessed parameter", "[instantiate]") {
  PluginRegistry registry;
  auto c = check(R"([sources.in]
plugin = "opener"
path = "same"
label = "same"

[sinks.out]
plugin = "counted"
inputs = ["in"]
)",
                 registry);
  REQUIRE(c.graph);
  const std::string text = instantiate_graph(*c.graph).format();
  CHECK_THAT(text, Catch::StartsWith("g.toml:1:1: error: node 'in' (plugin 'opener'): cannot open 'same'"));
}

}  // namespace instantiate_test
