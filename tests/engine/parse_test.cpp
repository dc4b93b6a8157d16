// Graph file -> GraphSpec: positions, reserved keys, parameters, ${VAR} and --set.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "graph_test_helpers.hpp"
#include "parse/key_depth.hpp"

using namespace graph_test;
using graph_runner::engine::parse_detail::check_key_depth;

namespace {
const std::string source_a = "[sources.a]\nplugin = \"generate\"\n";  // lines 1-2
bool same(const SourcePos& pos, int line, int column) { return pos.file == "test.toml" && pos.line == line && pos.column == column; }
bool from_command_line(const SourcePos& pos) { return pos.file == "<command line>" && pos.line == 0; }
}  // namespace

TEST_CASE("the design example parses with a position for every node, plugin, input and parameter", "[parse]") {
  GraphSpec spec = spec_should_parse(design_example);
  CHECK(spec.graph.name == "sensor-cleanup");
  CHECK(spec.graph.batch_size == 256);
  CHECK(spec.graph.linger_ms == 5);  // default
  REQUIRE(spec.nodes.size() == 5);
  std::vector<std::string> names;
  for (const auto& n : spec.nodes) names.push_back(n.name);
  CHECK(names == std::vector<std::string>{"readings", "valid", "scaled", "store", "rejects"});

  const NodeSpec& readings = spec.nodes[0];
  CHECK(readings.kind == NodeKind::source);
  CHECK(same(readings.pos, 6, 1));
  CHECK(readings.plugin == "generate");
  CHECK(same(readings.plugin_pos, 7, 10));
  CHECK(std::get<std::int64_t>(readings.params.at("count")) == 1000000);
  CHECK(same(readings.param_pos.at("count"), 8, 9));
  CHECK(readings.rate == 0.0);
  CHECK_FALSE(readings.params.count("rate"));  // reserved, not a parameter

  const NodeSpec& valid = spec.nodes[1];
  CHECK(valid.kind == NodeKind::stage);
  REQUIRE(valid.inputs.size() == 1);
  CHECK(valid.inputs[0].node == "readings");
  CHECK(valid.inputs[0].port == "out");
  CHECK(same(valid.inputs[0].pos, 13, 11));
  CHECK(same(valid.inputs_pos, 13, 10));
  CHECK(valid.concurrency == 4);
  CHECK(same(valid.concurrency_pos, 15, 15));
  CHECK(valid.on_error == ErrorPolicy::route);
  CHECK(same(valid.param_pos.at("where"), 14, 9));

  const NodeSpec& rejects = spec.nodes[4];
  CHECK(rejects.kind == NodeKind::sink);
  CHECK(rejects.inputs[0].node == "valid");
  CHECK(rejects.inputs[0].port == "errors");
  CHECK(std::get<std::string>(rejects.params.at("path")) == "out/rejects.jsonl");
}

TEST_CASE("tables of strings keep file order, not toml++'s sorted order", "[parse]") {
  GraphSpec spec = spec_should_parse(source_a + R"([stages.m]
plugin = "map"
inputs = ["a"]
set = { zeta = "1", alpha = "2", mid = "3" }
[stages.m.more]
b = "x"
a = "y"
)");
  const NodeSpec& m = node_named(spec, "m");
  CHECK(std::get<StringMap>(m.params.at("set")) == StringMap{{"zeta", "1"}, {"alpha", "2"}, {"mid", "3"}});
  CHECK(std::get<StringMap>(m.params.at("more")) == StringMap{{"b", "x"}, {"a", "y"}});
}

TEST_CASE("nodes keep file order across kinds, and every parameter type converts", "[parse]") {
  GraphSpec spec = spec_should_parse(R"([sinks.out]
plugin = "count"
inputs = ["work"]
[stages.work]
plugin = "tune"
inputs = ["a"]
concurrency = "unlimited"
ordered = true
partition_by = "user"
priority = "urgency"
on_error = "retry"
retries = 5
backoff_ms = 20
blocking = true
flag = false
level = 7
ratio = 0.25
mode = "slow"
fields = ["a", "b"]
none = []
)" + source_a + "batch_size = 10\nlinger_ms = 0\nmax_in_flight = 2\nrate = 2.5\n");
  REQUIRE(spec.nodes.size() == 3);
  CHECK(spec.nodes[0].name == "out");
  CHECK(spec.nodes[2].name == "a");
  const NodeSpec& w = spec.nodes[1];
  CHECK(w.concurrency == 0);
  CHECK(w.ordered);
  CHECK(w.partition_by == "user");
  CHECK(w.priority == "urgency");
  CHECK(w.on_error == ErrorPolicy::retry);
  CHECK(w.retries == 5);
  CHECK(w.backoff_ms == 20);
  CHECK(w.blocking);
  CHECK(std::get<bool>(w.params.at("flag")) == false);
  CHECK(std::get<std::int64_t>(w.params.at("level")) == 7);
  CHECK(std::get<double>(w.params.at("ratio")) == 0.25);
  CHECK(std::get<std::string>(w.params.at("mode")) == "slow");
  CHECK(std::get<std::vector<std::string>>(w.params.at("fields")) == std::vector<std::string>{"a", "b"});
  CHECK(std::get<std::vector<std::string>>(w.params.at("none")).empty());
  const NodeSpec& a = spec.nodes[2];
  CHECK(a.batch_size == 10);
  CHECK(a.linger_ms == 0);
  CHECK(a.max_in_flight == 2);
  CHECK(a.rate == 2.5);
}

TEST_CASE("plugin_path folders are resolved against the graph file's folder", "[parse]") {
  Diagnostics diags;
  GraphSpec spec = parse_graph_text("[graph]\nplugin_path = [\"plugins\", \"../shared\", \"/opt/p\"]\n",
                                    "/data/graphs/g.toml", {}, diags);
  REQUIRE(diags.empty());
  CHECK(spec.graph.plugin_path == std::vector<std::filesystem::path>{"/data/graphs/plugins", "/data/shared", "/opt/p"});
}

TEST_CASE("a graph file is read from disk, and a missing one is one clear error", "[parse]") {
  auto path = std::filesystem::temp_directory_path() / "graph_runner_parse_test.toml";
  std::ofstream(path) << source_a;
  Diagnostics diags;
  GraphSpec spec = parse_graph_file(path.string(), {}, diags);
  CHECK(diags.empty());
  CHECK(spec.nodes.size() == 1);
  CHECK(spec.nodes[0].pos.file == path.string());
  std::filesystem::remove(path);
  parse_graph_file(path.string(), {}, diags);
  REQUIRE(diags.size() == 1);
  CHECK(diags.all()[0].message.find("cannot read the graph file") != std::string::npos);
}

TEST_CASE("a TOML syntax error is one error at its position", "[parse]") {
  graph_should_fail("[graph]\nname = \n", "2:8: expected value");
  CHECK(errors_of("[graph]\nname = \n[sources.X]\n").size() == 1);
  graph_should_fail(source_a + "plugin = \"x\"\n", "3:10: cannot redefine existing string 'plugin'");
}

TEST_CASE("[[tests]] are left to `graph-runner test`: the graph loads without them", "[parse]") {
  auto graph = graph_should_load(design_example + R"(
[[tests]]
name = "anything"
[[tests.inputs]]
node = "no_such_node"
records = [ { value = 1 } ]
)");
  REQUIRE(graph);
  CHECK(graph->nodes.size() == 5);
}

TEST_CASE("the file has only [graph], [sources.*], [stages.*] and [sinks.*]", "[parse]") {
  graph_should_fail("[graph]\n[stage.valid]\nplugin = \"filter\"\n", "2:2: unknown table 'stage'", "did you mean 'stages'?");
  graph_should_fail("name = \"x\"\n", "1:1: unknown top-level key 'name'", "[graph], [sources.NAME]");
  graph_should_fail("sources = 3\n", "1:1: 'sources' must hold node tables");
  graph_should_fail("[sources]\nx = 1\n", "2:1: 'sources.x' must be a table");
  graph_should_fail("graph = 1\n", "1:1: 'graph' must be a table");
  graph_should_fail("[sources.Readings]\nplugin = \"generate\"\n", "1:1: invalid node name 'Readings'");
  graph_should_fail("[sources.2x]\nplugin = \"generate\"\n", "1:1: invalid node name '2x'");
}

TEST_CASE("[graph] keys are known and type-checked", "[parse]") {
  graph_should_fail("[graph]\nbatchsize = 10\n", "2:1: unknown [graph] key 'batchsize'", "did you mean 'batch_size'?");
  graph_should_fail("[graph]\ncolour = 1\n", "2:1: unknown [graph] key 'colour'", "[graph] keys are name,");
  graph_should_fail("[graph]\nthreads = \"four\"\n", "2:11: 'threads' must be an integer, got string");
  graph_should_fail("[graph]\nbatch_size = 0\n", "2:14: 'batch_size' must be >= 1, got 0");
  graph_should_fail("[graph]\nmax_in_flight = -3\n", "2:17: 'max_in_flight' must be >= 1, got -3");
  graph_should_fail("[graph]\ntimeout_s = -1\n", "2:13: 'timeout_s' must be >= 0");
  graph_should_fail("[graph]\nstall_timeout_s = inf\n", "2:19: 'stall_timeout_s' must be a finite number");
  graph_should_fail("[graph]\nplugin_path = \"plugins\"\n", "2:15: 'plugin_path' must be a list of strings, got string");
  graph_should_fail("[graph]\nname = 3\n", "2:8: 'name' must be a string, got integer");
}

TEST_CASE("plugin and inputs are required shapes", "[parse]") {
  graph_should_fail("[sources.a]\ncount = 3\n", "1:1: source 'a' has no 'plugin' key");
  graph_should_fail("[sources.a]\nplugin = 3\n", "2:10: 'plugin' must be a string, got integer");
  graph_should_fail(source_a + "[sinks.b]\nplugin = \"count\"\ninputs = \"a\"\n",
                    "5:10: 'inputs' must be a list of strings, got string");
  graph_should_fail(source_a + "[sinks.b]\nplugin = \"count\"\ninputs = [\"a\", 3]\n",
                    "5:16: 'inputs' must be a list of strings, but this is integer");
  graph_should_fail(source_a + "[sinks.b]\nplugin = \"count\"\ninputs = [\"a.\"]\n", "5:11: invalid input 'a.'",
                    "NODE.PORT");
}

TEST_CASE("reserved keys are checked for type, range and node kind", "[parse]") {
  const std::string sink_b = "[sinks.b]\nplugin = \"count\"\ninputs = [\"a\"]\n";  // lines 3-5
  graph_should_fail(source_a + "inputs = [\"b\"]\n", "3:1: 'inputs' is not allowed on a source: it applies to stages and sinks");
  graph_should_fail(source_a + sink_b + "batch_size = 5\n", "6:1: 'batch_size' is not allowed on a sink: it applies to sources");
  graph_should_fail(source_a + "concurrency = 2\n", "3:1: 'concurrency' is not allowed on a source");
  graph_should_fail(source_a + sink_b + "ordered = true\n", "6:1: 'ordered' is not allowed on a sink: it applies to stages");
  graph_should_fail(source_a + "retries = 2\n", "3:1: 'retries' is not allowed on a source");
  graph_should_fail(source_a + "on_error = \"retry\"\n", "3:12: on_error = \"retry\" is not available on a source",
                    "fail, drop or route");
  graph_should_fail(source_a + sink_b + "on_error = \"rout\"\n",
                    "6:12: 'on_error' must be fail, drop, retry or route, got 'rout'", "did you mean 'route'?");
  graph_should_fail(source_a + sink_b + "concurrency = 0\n",
                    "6:15: 'concurrency' must be an integer >= 1 or \"unlimited\", got 0");
  graph_should_fail(source_a + sink_b + "concurrency = \"lots\"\n", "6:15: got 'lots'");
  graph_should_fail(source_a + sink_b + "blocking = \"yes\"\n", "6:12: 'blocking' must be true or false, got string");
  graph_should_fail(source_a + sink_b + "retries = -1\n", "6:11: 'retries' must be >= 0, got -1");
  graph_should_fail(source_a + sink_b + "partition_by = 3\n", "6:16: 'partition_by' must be a string");
  graph_should_fail(source_a + "rate = -1\n", "3:8: 'rate' must be >= 0");
  graph_should_fail(source_a + "batch_size = 0\n", "3:14: 'batch_size' must be >= 1");
}

TEST_CASE("a parameter is a bool, int, number, string, list of strings or table of strings", "[parse]") {
  graph_should_fail(source_a + "ids = [1, 2]\n", "3:8: parameter 'ids': a list parameter holds strings only, this is integer");
  graph_should_fail(source_a + "set = { a = 1 }\n", "3:13: parameter 'set': a table parameter holds strings only, 'a' is integer");
  graph_should_fail(source_a + "set = { a = { b = \"c\" } }\n", "3:13: 'a' is table");
  graph_should_fail(source_a + "when = 2024-01-01\n", "3:8: parameter 'when': unsupported value (date)");
}

TEST_CASE("three mistakes give three errors", "[parse]") {
  auto errors = errors_of(R"([graph]
batchsize = 10
[sources.a]
plugin = "generate"
rate = "fast"
[sinks.b]
plugin = "count"
inputs = ["a"]
batch_size = 3
)");
  REQUIRE(errors.size() == 3);
  std::vector<std::string> where;
  for (const auto& e : errors) where.push_back(location(e.pos));
  CHECK(where == std::vector<std::string>{"2:1", "5:8", "9:1"});
}

TEST_CASE("${VAR} expands inside every string value, after parsing", "[parse][env]") {
  ::setenv("GR_TEST_PLUGIN", "map", 1);
  ::setenv("GR_TEST_NODE", "a", 1);
  ::setenv("GR_TEST_EMPTY", "", 1);
  ::setenv("GR_TEST_EVIL", "x\"\nplugin = \"evil", 1);
  ::unsetenv("GR_TEST_UNSET");
  GraphSpec spec = spec_should_parse(R"([graph]
name = "run-${GR_TEST_NODE}"
)" + source_a + R"([stages.m]
plugin = "${GR_TEST_PLUGIN}"
inputs = ["${GR_TEST_NODE}"]
set = { v = "${GR_TEST_UNSET:-fallback}", w = "${GR_TEST_EMPTY:-empty}", x = "${GR_TEST_NODE:-unused}" }
list = ["${GR_TEST_UNSET:-${GR_TEST_NODE:-no}}", "$$HOME", "cost: 5$"]
evil = "${GR_TEST_EVIL}"
blank = "[${GR_TEST_EMPTY}]"
)");
  CHECK(spec.graph.name == "run-a");
  const NodeSpec& m = node_named(spec, "m");
  CHECK(m.plugin == "map");
  CHECK(m.inputs[0].node == "a");
  CHECK(std::get<StringMap>(m.params.at("set")) == StringMap{{"v", "fallback"}, {"w", "empty"}, {"x", "a"}});
  CHECK(std::get<std::vector<std::string>>(m.params.at("list")) == std::vector<std::string>{"a", "$HOME", "cost: 5$"});
  CHECK(std::get<std::string>(m.params.at("evil")) == "x\"\nplugin = \"evil");  // a value, never TOML
  CHECK(std::get<std::string>(m.params.at("blank")) == "[]");
}

TEST_CASE("an unset ${VAR} is an error at the string", "[parse][env]") {
  ::unsetenv("GR_TEST_UNSET");
  ::setenv("GR_TEST_EMPTY", "", 1);
  graph_should_fail(source_a + "path = \"${GR_TEST_UNSET}/x\"\n",
                    "3:8: environment variable 'GR_TEST_UNSET' is not set", "${GR_TEST_UNSET:-default}");
  graph_should_fail(source_a + "path = \"${GR_TEST_UNSET:?give the output folder}\"\n",
                    "3:8: GR_TEST_UNSET: give the output folder");
  graph_should_fail(source_a + "path = \"${GR_TEST_EMPTY:?}\"\n", "3:8: GR_TEST_EMPTY: not set");
  graph_should_fail(source_a + "list = [\"ok\", \"${GR_TEST_UNSET}\"]\n", "3:15: 'GR_TEST_UNSET' is not set");
  graph_should_fail(source_a + "path = \"${GR_TEST_UNSET\"\n", "3:8: unterminated '${'");
  graph_should_fail(source_a + "path = \"${1X}\"\n", "3:8: invalid variable reference '${1X}'");
}

TEST_CASE("a --set override replaces a value before it is checked", "[parse][set]") {
  GraphSpec spec = spec_should_parse(design_example, sets({"stages.valid.concurrency=8", "sources.readings.count=10",
                                                           "stages.valid.where=value > 3", "sinks.store.path=\"a b.jsonl\"",
                                                           "stages.scaled.set.extra=x", "graph.plugin_path=[]",
                                                           "stages.scaled.note = hello"}));
  const NodeSpec& valid = node_named(spec, "valid");
  CHECK(valid.concurrency == 8);
  CHECK(from_command_line(valid.concurrency_pos));
  CHECK(std::get<std::string>(valid.params.at("where")) == "value > 3");  // not TOML: a plain string
  const NodeSpec& readings = node_named(spec, "readings");
  CHECK(std::get<std::int64_t>(readings.params.at("count")) == 10);
  CHECK(from_command_line(readings.param_pos.at("count")));
  CHECK(std::get<std::string>(node_named(spec, "store").params.at("path")) == "a b.jsonl");
  const NodeSpec& scaled = node_named(spec, "scaled");
  CHECK(std::get<StringMap>(scaled.params.at("set")) == StringMap{{"value", "value * 2"}, {"extra", "x"}});
  CHECK(std::get<std::string>(scaled.params.at("note")) == "hello");
  CHECK(spec.graph.plugin_path.empty());
}

TEST_CASE("a --set override creates [graph] when the file has none", "[parse][set]") {
  GraphSpec spec = spec_should_parse(source_a, sets({"graph.batch_size=64"}));
  CHECK(spec.graph.batch_size == 64);
}

TEST_CASE("a --set mistake is reported at <command line>", "[parse][set]") {
  graph_should_fail(design_example, "<command line>: --set: no node 'reading' in [sources]", "did you mean 'readings'?",
                    sets({"sources.reading.count=1"}));
  graph_should_fail(design_example, "<command line>: 'concurrency' must be an integer >= 1", {},
                    sets({"stages.valid.concurrency=lots"}));
  graph_should_fail(design_example, "<command line>: unknown [graph] key 'batchsize'", "batch_size",
                    sets({"graph.batchsize=1"}));
  graph_should_fail(design_example, "<command line>: --set: unknown table 'stage'", "did you mean 'stages'?",
                    sets({"stage.valid.concurrency=1"}));
  graph_should_fail(design_example, "<command line>: --set: expected PATH=VALUE", {}, sets({"graph.threads"}));
  graph_should_fail(design_example, "<command line>: --set: expected stages.NODE.KEY", {}, sets({"stages.valid=1"}));
  graph_should_fail(design_example, "<command line>: --set: 'stages.valid.where' is a string, not a table", {},
                    sets({"stages.valid.where.x=1"}));
  graph_should_fail(design_example, "<command line>: 'inputs' is not allowed on a source", {},
                    sets({"sources.readings.inputs=[\"x\"]"}));
}

// Limits that keep a small hostile file from overflowing the stack (issue 20): each is a
// positioned error. toml++ builds the tables of a header or dotted key recursively, and
// ${...} defaults are expanded recursively.
namespace {
std::string parts(std::size_t n) {
  std::string key = "a";
  for (std::size_t i = 1; i < n; ++i) key += ".a";
  return key;
}
std::string nested_defaults(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += "${GR_TEST_UNSET:-";
  return text + "x" + std::string(depth, '}');
}
}  // namespace

TEST_CASE("a header or dotted key with 10^5 parts is an error at its first character", "[parse][limits]") {
  graph_should_fail("[sources.a]\n[" + parts(100000) + "]\n", "2:1: table or key nested deeper than 256 levels",
                    "at most 256 parts");
  graph_should_fail("[[" + parts(100000) + "]]\n", "1:1: table or key nested deeper than 256 levels");
  graph_should_fail(source_a + "  " + parts(100000) + " = 1\n", "3:3: table or key nested deeper than 256 levels");
  // Parts add up: under a header, and through inline tables.
  graph_should_fail("[" + parts(200) + "]\n" + parts(57) + " = 1\n", "2:1: table or key nested deeper than 256");
  graph_should_fail(source_a + "x = {" + parts(200) + " = {" + parts(60) + " = 1}}\n",
                    "3:409: table or key nested deeper than 256");
}

TEST_CASE("256 key parts are allowed, and dots in strings, comments and numbers are not parts", "[parse][limits]") {
  CHECK_FALSE(check_key_depth("[" + parts(10) + "]\n" + parts(246) + " = 1\n"));
  CHECK(check_key_depth("[" + parts(10) + "]\n" + parts(247) + " = 1\n"));
  const std::string many = parts(1000);
  CHECK_FALSE(check_key_depth("s = \"" + many + "\\\"" + many + "\" # " + many + "\n" +  // escaped quote
                              "t = '''\n" + many + "\n'''\n" +                            // multi-line literal
                              "u = \"\"\"" + many + "\"\"\"\"\n" +                        // ends with a quote
                              "f = [1.5, 2.5,\n 3.5]\n" +                                 // floats, over lines
                              "[\"" + many + "\".'" + many + "']\n"));                     // quoted parts
}

TEST_CASE("the key depth scan stops at the end of a text that ends in blanks", "[parse][limits]") {
  // A buffer of exactly the text's size, as a fuzzer or a mapped file gives it (a std::string
  // has a NUL after its end): under AddressSanitizer a read past the end fails here. The
  // fuzzer found it with a graph file ending in "\n ".
  for (const std::string text : {"a = 1\n ", "\n\t", " ", "[a]\n  \t", "x = [\n  "}) {
    INFO("text: \"" << text << "\"");
    auto exact = std::make_unique<char[]>(text.size());
    std::memcpy(exact.get(), text.data(), text.size());
    CHECK_FALSE(check_key_depth(std::string_view(exact.get(), text.size())));
  }
}

TEST_CASE("arrays and inline tables nested 10^5 deep stop at toml++'s cap of 256", "[parse][limits]") {
  graph_should_fail(source_a + "x = " + std::string(100000, '[') + std::string(100000, ']') + "\n",
                    "3:261: exceeded maximum nested value depth of 256");
  std::string tables;
  for (int i = 0; i < 100000; ++i) tables += "{a=";
  graph_should_fail(source_a + "x = " + tables + "1" + std::string(100000, '}') + "\n",
                    "3:765: table or key nested deeper than 256 levels");  // [sources.a] x = 3 parts
}

TEST_CASE("${...} defaults nested 20,000 deep are an error at the string or at <command line>", "[parse][env][limits]") {
  ::unsetenv("GR_TEST_UNSET");
  graph_should_fail(source_a + "path = \"" + nested_defaults(20000) + "\"\n", "3:8: nested ${...} deeper than 64");
  graph_should_fail(source_a, "<command line>: nested ${...} deeper than 64", {},
                    sets({"sources.a.path=" + nested_defaults(20000)}));
  graph_should_fail(source_a, "<command line>: nested ${...} deeper than 64", {},
                    sets({"sources.a.count=" + nested_defaults(20000)}));
  CHECK(std::get<std::string>(spec_should_parse(source_a + "path = \"" + nested_defaults(64) + "\"\n")
                                  .nodes[0]
                                  .params.at("path")) == "x");
}

TEST_CASE("a --set path of 10^5 parts is an error, not 10^5 nested tables", "[parse][set][limits]") {
  graph_should_fail(source_a, "<command line>: --set: path of 100002 parts, deeper than 256 levels", {},
                    sets({"sources.a." + parts(100000) + "=1"}));
}

TEST_CASE("a deep key inside a --set value is a plain string, never parsed by toml++", "[parse][set][limits]") {
  const GraphSpec spec = spec_should_parse(source_a, sets({"sources.a.note=1\n" + parts(100000) + " = 2"}));
  CHECK(std::get<std::string>(spec.nodes[0].params.at("note")).size() > 100000);
}

TEST_CASE("a --set value is typed after ${VAR} is expanded", "[parse][set][env]") {
  ::setenv("GR_TEST_COUNT", "3", 1);
  ::setenv("GR_TEST_RATIO", "0.5", 1);
  ::setenv("GR_TEST_WORD", "[\"${HOME}\"]", 1);
  ::unsetenv("GR_TEST_UNSET");
  const GraphSpec spec = spec_should_parse(
      source_a, sets({"sources.a.count=${GR_TEST_COUNT}", "sources.a.ratio=${GR_TEST_UNSET:-${GR_TEST_RATIO}}",
                      "sources.a.flag=${GR_TEST_UNSET:-true}", "sources.a.word=${GR_TEST_WORD}",
                      "sources.a.quoted=\"${GR_TEST_COUNT}\""}));
  const auto& params = spec.nodes[0].params;
  CHECK(std::get<std::int64_t>(params.at("count")) == 3);
  CHECK(std::get<double>(params.at("ratio")) == 0.5);
  CHECK(std::get<bool>(params.at("flag")) == true);
  // Only numbers and booleans are taken from an expansion; a variable's text is never expanded twice.
  CHECK(std::get<std::string>(params.at("word")) == "[\"${HOME}\"]");
  CHECK(std::get<std::string>(params.at("quoted")) == "3");
  graph_should_fail(source_a, "<command line>: environment variable 'GR_TEST_UNSET' is not set", {},
                    sets({"sources.a.count=${GR_TEST_UNSET}"}));
}
