// The SDK test harness itself (graph_runner/testing.hpp): what plugin authors rely on.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <thread>

#include <catch2/catch.hpp>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;

TEST_CASE("make_batch builds records with typed fields, null where a row lacks one", "[plugins][harness]") {
  auto b = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"name", "a"}},
                           {{"id", 2}, {"ok", true}, {"raw", gt::Cell::bytes("\x01\x02")}},
                           {{"id", std::int64_t{3}}, {"name", nullptr}}});
  REQUIRE(b->size() == 3);
  CHECK(gt::ints(b, "id") == std::vector<std::int64_t>{1, 2, 3});
  auto value = gt::column(b, "value");
  CHECK(value[0] == Value::of(2.5));
  CHECK(value[1].is_null());
  CHECK(b->get(1, field("ok")) == Value::of(true));
  CHECK(b->get(1, field("raw")).type() == Type::bytes);
  CHECK(gt::column(b, "name")[0].as_string() == "a");
  CHECK(gt::column(b, "name")[2].is_null());
  CHECK_THROWS_WITH(gt::strings(b, "name"), "record 1: field 'name' is null, not string");
}

TEST_CASE("resolve_params fills defaults and refuses what the engine would refuse, in its words", "[plugins][harness]") {
  const PluginDescriptor generate = plugins::describe_generate();
  Params p = gt::resolve_params(generate, {{"seed", 7}});
  CHECK(p.get_int("count") == 1000);
  CHECK(p.get_int("seed") == 7);
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"cuont", 7}}),
                    "plugin 'generate': unknown parameter 'cuont' for plugin 'generate' (did you mean 'count'?)");
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"count", "many"}}),
                    "plugin 'generate': parameter 'count': expected int, got string");
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"count", -1}}),
                    "plugin 'generate': parameter 'count' must be >= 0, got -1");
  CHECK_THROWS_WITH(gt::resolve_params(plugins::describe_filter(), {}),
                    Catch::StartsWith("plugin 'filter': missing required parameter 'where' of plugin 'filter' (where "
                                      "(string): "));
  // Every mistake, one line each, as `graph-runner validate` lists them.
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"count", -1}, {"seed", "x"}}),
                    "plugin 'generate': parameter 'count' must be >= 0, got -1\n"
                    "plugin 'generate': parameter 'seed': expected int, got string");
}

TEST_CASE("a harness refuses a descriptor of the wrong kind", "[plugins][harness]") {
  CHECK_THROWS_WITH(gt::StageHarness(plugins::describe_generate(), {}), "plugin 'generate' is a source, not a stage");
}

TEST_CASE("the test context names ports as the engine does, and keeps the stop flag", "[plugins][harness]") {
  gt::StageHarness h(plugins::describe_filter(), {{"where", "1"}}, {.node_name = "valid"});
  CHECK(h.context().node_name() == "valid");
  CHECK(h.context().port("out").index == 0);
  CHECK_THROWS_WITH(h.context().port("errors"), "node 'valid' has no port 'errors' (ports: out)");
  gt::StageHarness routed(plugins::describe_filter(), {{"where", "1"}}, {.on_error = "route"});
  CHECK(routed.context().port("errors").index == 1);  // only under on_error = "route", as in a graph
  CHECK_FALSE(h.context().stop_requested());
  h.context().request_stop();
  CHECK(h.context().stop_requested());
  CHECK_THROWS_WITH(gt::StageHarness(plugins::describe_filter(), {{"where", "1"}}, {.on_error = "skip"}),
                    Catch::Contains("Options::on_error must be fail, drop, route or retry"));
}

namespace {
// Prints and logs in every way a plugin might, from its constructor and each call.
class Chatty : public Stage {
 public:
  explicit Chatty(Context& c) : ctx_(c) { std::printf("created\n"); }
  void process(BatchPtr in, Emitter& out) override {
    std::printf("printf %zu\n", in->size());
    std::cout << "cout " << in->size() << std::endl;
    std::fprintf(stderr, "stderr %zu\n", in->size());
    ctx_.log(LogLevel::warn, "logged " + std::to_string(in->size()));
    out.emit(in);
  }
  void finish(Emitter&) override { (void)!::write(1, "write(2)\n", 9); }

 private:
  Context& ctx_;
};
PluginDescriptor describe_chatty() { return PluginDescriptor::stage<Chatty>("chatty", "prints").thread_safe(); }
}  // namespace

TEST_CASE("the harness captures what a plugin prints on stdout and stderr, and logs", "[plugins][harness]") {
  gt::StageHarness h(describe_chatty(), {}, {.capture_output = true});
  h.process(gt::make_batch({{{"n", 1}}, {{"n", 2}}}));
  h.finish();
  const gt::CapturedOutput c = h.captured();
  CHECK(c.out == "created\nprintf 2\ncout 2\nwrite(2)\n");
  CHECK(c.err == "stderr 2\n");
  CHECK(c.logs == std::vector<std::string>{"warn: logged 2"});
}

TEST_CASE("without capture_output the harness leaves stdout alone, and still keeps the logs", "[plugins][harness]") {
  plugin_tests::CaptureStdout outside;
  gt::StageHarness h(describe_chatty());
  h.process(gt::make_batch({{{"n", 1}}}));
  CHECK(h.captured().out.empty());
  CHECK(h.captured().logs == std::vector<std::string>{"warn: logged 1"});
  CHECK(outside.text() == "created\nprintf 1\ncout 1\n");
}

TEST_CASE("concurrent calls of a thread-safe plugin are all captured", "[plugins][harness]") {
  gt::StageHarness h(describe_chatty(), {}, {.capture_output = true});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&h] {
      for (int i = 0; i < 50; ++i) h.process(gt::make_batch({{{"n", 1}}}));
    });
  for (auto& t : threads) t.join();
  const std::string out = h.captured().out;
  std::size_t lines = 0;
  for (char ch : out) lines += ch == '\n';
  CHECK(lines == 1 + 2 * 200);  // "created", then a printf and a cout line per call
  CHECK(h.captured().logs.size() == 200);
  CHECK(gt::count_records(h.output().out()) == 200);
}
