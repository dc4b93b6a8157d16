// The field check (SDK 2.1, Context::declare_fields): a field read that nothing upstream
// produces is an error of validate --instantiate and run, at the parameter that reads it.
#include <string>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "run/instantiate_graph.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

namespace field_check_test {
namespace {

using namespace graph_runner;
using namespace graph_runner::engine;

// Declares `fields` when given (an empty list: declares nothing), then ends.
struct Known : Source {
  explicit Known(Context& c) {
    auto fields = c.params().get_string_list("fields");
    if (!fields.empty()) c.declare_fields({.writes = fields});
  }
  bool read(BatchBuilder&) override { return false; }
};
// Declares what its parameters say: `reads` (from parameter `where`), `writes`, `removes`, `keeps_input`.
struct Reader : Stage {
  explicit Reader(Context& c) {
    FieldSchema s;
    for (auto& f : c.params().get_string_list("where")) s.reads.push_back({f, "where"});
    s.writes = c.params().get_string_list("writes");
    s.removes = c.params().get_string_list("removes");
    s.keeps_input = c.params().get_bool("keeps_input");
    c.declare_fields(std::move(s));
  }
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};
// Declares nothing: its output is unknown.
struct Opaque : Stage {
  explicit Opaque(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};
struct Discard : Sink {
  explicit Discard(Context& c) {
    FieldSchema s;
    for (auto& f : c.params().get_string_list("where")) s.reads.push_back({f, "where"});
    c.declare_fields(std::move(s));
  }
  void write(const Batch&) override {}
};

struct Checked {
  Diagnostics diags;
  std::unique_ptr<CheckedGraph> graph;
};

Checked check(const std::string& toml, PluginRegistry& registry) {
  const std::vector<std::string> none;
  registry.add_static(PluginDescriptor::source<Known>("known", "").with_params(
      {ParamSpec::string_list("fields", "").with_default(none)}));
  registry.add_static(PluginDescriptor::stage<Reader>("reader", "").with_params(
      {ParamSpec::string_list("where", "").with_default(none), ParamSpec::string_list("writes", "").with_default(none),
       ParamSpec::string_list("removes", "").with_default(none),
       ParamSpec::boolean("keeps_input", "").with_default(true)}));
  registry.add_static(PluginDescriptor::stage<Opaque>("opaque", ""));
  registry.add_static(PluginDescriptor::sink<Discard>("discard", "").with_params(
      {ParamSpec::string_list("where", "").with_default(none)}));
  Checked c;
  GraphSpec spec = parse_graph_text(toml, "g.toml", {}, c.diags);
  if (c.diags.empty()) c.graph = validate_graph(std::move(spec), registry, c.diags);
  return c;
}

std::string instantiate(const std::string& toml) {
  PluginRegistry registry;
  auto c = check(toml, registry);
  INFO(c.diags.format());
  REQUIRE(c.graph);
  return instantiate_graph(*c.graph).format();
}

}  // namespace

TEST_CASE("a misspelled field is an error at the parameter that reads it, with did you mean", "[fields]") {
  const std::string text = instantiate(R"([sources.in]
plugin = "known"
fields = ["id", "status", "user.country"]

[stages.keep]
plugin = "reader"
inputs = ["in"]
where = ["statuss", "user.country", "user"]

[sinks.out]
plugin = "discard"
inputs = ["keep"]
)");
  INFO(text);
  CHECK_THAT(text, Catch::StartsWith("g.toml:8:9: error: node 'keep' (plugin 'reader'): `where` reads the field "
                                     "'statuss', which no upstream node produces (upstream fields: id, status, "
                                     "user.country)\n  hint: did you mean 'status'?"));
  // `user.country` and the object `user` holding it are both there: one error only
  CHECK(text.find("error:", text.find("error:") + 1) == std::string::npos);
}

TEST_CASE("fields follow the graph: added, removed, replaced, error ports, fan-in", "[fields]") {
  const std::string text = instantiate(R"([sources.in]
plugin = "known"
fields = ["id", "value", "email"]
on_error = "route"

[stages.add]
plugin = "reader"
inputs = ["in"]
on_error = "route"
writes = ["double"]
removes = ["email"]

[stages.summary]
plugin = "reader"
inputs = ["add"]
keeps_input = false
writes = ["count"]

[sinks.ok]
plugin = "discard"
inputs = ["add"]
where = ["double", "value"]

[sinks.gone]
plugin = "discard"
inputs = ["add"]
where = ["email"]

[sinks.only_count]
plugin = "discard"
inputs = ["summary"]
where = ["count", "id"]

[sinks.bad]
plugin = "discard"
inputs = ["add.errors", "in.errors"]
where = ["error", "error_node", "value", "input"]
)");
  INFO(text);
  CHECK_THAT(text, Catch::Contains("node 'gone' (plugin 'discard'): `where` reads the field 'email'"));
  CHECK_THAT(text, Catch::Contains("node 'only_count' (plugin 'discard'): `where` reads the field 'id', which no "
                                   "upstream node produces (upstream fields: count)"));
  // add.errors carries add's input (value) with error and error_node; in.errors the bad line as `input`
  CHECK(text.find("node 'bad'") == std::string::npos);
  CHECK(text.find("node 'ok'") == std::string::npos);
}

TEST_CASE("nothing is checked downstream of a node that declared nothing", "[fields]") {
  const std::string text = instantiate(R"([sources.in]
plugin = "known"
fields = ["id"]

[sources.unknown]
plugin = "known"

[stages.black_box]
plugin = "opaque"
inputs = ["in"]

[sinks.after_box]
plugin = "discard"
inputs = ["black_box"]
where = ["anything"]

[sinks.fan_in]
plugin = "discard"
inputs = ["in", "unknown"]
where = ["whatever"]
)");
  CHECK(text.empty());
}

TEST_CASE("run refuses a graph whose fields do not match before it starts", "[fields]") {
  PluginRegistry registry;
  auto c = check(R"([sources.in]
plugin = "known"
fields = ["status"]

[sinks.out]
plugin = "discard"
inputs = ["in"]
where = ["stauts"]
)",
                 registry);
  REQUIRE(c.graph);
  const RunResult r = run_graph(*c.graph, RunOptions{});
  CHECK(r.status == RunStatus::invalid);
  CHECK_THAT(r.error, Catch::Contains("g.toml:8:9: error: node 'out' (plugin 'discard'): `where` reads the field "
                                      "'stauts'"));
  CHECK_THAT(r.error, Catch::Contains("did you mean 'status'?"));
}

}  // namespace field_check_test
