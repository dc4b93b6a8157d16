// Plugins that break the SDK's rules: each gets a clear error naming node and plugin, and
// the run ends -- never undefined behaviour (the asan preset runs these too).
#include <algorithm>
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "parse/parse_graph.hpp"
#include "run/run_graph.hpp"
#include "run_test_plugins.hpp"
#include "validate/validate_graph.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;

// Throws something that is not a std::exception from process().
class ThrowsInt : public Stage {
 public:
  explicit ThrowsInt(Context&) {}
  void process(const BatchPtr&, Emitter&) override { throw 42; }
};

// Throws something that is not a std::exception from its constructor.
class ThrowsOnCreate : public Stage {
 public:
  explicit ThrowsOnCreate(Context&) { throw "a C string"; }
  void process(const BatchPtr& in, Emitter& out) override { out.emit(in); }
};

// Emits on a port index it never declared.
class BadPort : public Stage {
 public:
  explicit BadPort(Context&) {}
  void process(const BatchPtr& in, Emitter& out) override { out.emit(Port{7}, in); }
};

// Keeps the Emitter of its first call and emits into it from its own thread after that
// call has returned (the thread waits for the second call to start).
class LateEmitter : public Stage {
 public:
  explicit LateEmitter(Context&) {}
  ~LateEmitter() override {
    second_call_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  void process(const BatchPtr& in, Emitter& out) override {
    if (!thread_.joinable()) {
      thread_ = std::thread([this, &out, in] {
        while (!second_call_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        out.emit(in);  // the first call is over
        emitted_.store(true);
      });
    } else if (!second_call_.exchange(true)) {
      while (!emitted_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    out.emit(in);
  }

 private:
  std::thread thread_;
  std::atomic<bool> second_call_{false}, emitted_{false};
};

// Rejects a record of a batch it built itself, which is gone when process() returns.
class RejectsOwnBatch : public Stage {
 public:
  explicit RejectsOwnBatch(Context&) {}
  void process(const BatchPtr& in, Emitter& out) override {
    BatchBuilder b;
    const std::size_t r = b.add_record();
    b.set(r, field("n"), Value::of(std::int64_t{1000} + in->get(0, field("n")).as_int()));
    b.set(r, field("note"), b.string("a string in the temporary batch's own arena"));
    const BatchPtr temporary = b.finish();
    out.reject(*temporary, 0, "made up here");
    out.emit(in);
  }
};

// Blocks in process(), ignoring the stop request, until the test lets it go.
std::atomic<bool> release_blocker{false};
class Blocker : public Stage {
 public:
  explicit Blocker(Context&) {}
  void process(const BatchPtr& in, Emitter& out) override {
    while (!release_blocker.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    out.emit(in);
  }
};

struct Outcome {
  RunResult result;
  std::string hung;  // what on_hung reported, if it was called
};

Outcome run_misbehaving(const std::string& stage_plugin, const std::string& extra = "", const std::string& graph = "") {
  const std::string toml = "[graph]\n" + graph + R"(
[sources.numbers]
plugin = "seq"
count = 200
batch_size = 10
[stages.bad]
plugin = ")" + stage_plugin + R"("
inputs = ["numbers"]
concurrency = 1
)" + extra + R"(
[sinks.all]
plugin = "collect"
inputs = ["bad"]
)";
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "misbehaving.toml", {}, diags);
  PluginRegistry registry;
  run_test::register_all(registry);
  registry.add_static(PluginDescriptor::stage<ThrowsInt>("throws_int", "throws 42"));
  registry.add_static(PluginDescriptor::stage<ThrowsOnCreate>("throws_on_create", "throws in its constructor"));
  registry.add_static(PluginDescriptor::stage<BadPort>("bad_port", "emits on port #7"));
  registry.add_static(PluginDescriptor::stage<LateEmitter>("late_emitter", "emits after its call returned"));
  registry.add_static(PluginDescriptor::stage<Blocker>("blocker", "blocks until released"));
  registry.add_static(PluginDescriptor::stage<RejectsOwnBatch>("rejects_own_batch", "rejects a row of its own batch"));
  std::unique_ptr<CheckedGraph> checked;
  if (diags.empty()) checked = validate_graph(std::move(spec), registry, diags);
  INFO(diags.format());
  REQUIRE(checked);
  Outcome o;
  RunOptions options;
  options.threads = 2;
  options.log = [](const LogEvent&) {};
  options.on_hung = [&o](const std::string& message) {
    o.hung = message;
    release_blocker.store(true);  // what graph-runner does instead: report and _Exit
  };
  o.result = run_graph(*checked, options);
  return o;
}

}  // namespace

TEST_CASE("a plugin throwing something not derived from std::exception fails the run, naming node and plugin",
          "[misbehaving]") {
  const Outcome o = run_misbehaving("throws_int");
  CHECK(o.result.status == RunStatus::failed);
  CHECK_THAT(o.result.error, Catch::StartsWith("node 'bad' (plugin 'throws_int'): an exception not derived from std::exception"));
}

TEST_CASE("a non-std exception is an ordinary error under on_error = drop", "[misbehaving]") {
  const Outcome o = run_misbehaving("throws_int", "on_error = \"drop\"");
  CHECK(o.result.status == RunStatus::completed);
  const auto bad = std::find_if(o.result.nodes.begin(), o.result.nodes.end(), [](auto& n) { return n.name == "bad"; });
  REQUIRE(bad != o.result.nodes.end());
  CHECK(bad->dropped == 200);
}

TEST_CASE("a plugin constructor throwing a non-std exception is a clear start error", "[misbehaving]") {
  const Outcome o = run_misbehaving("throws_on_create");
  CHECK(o.result.status == RunStatus::failed);
  CHECK(o.result.error ==
        "node 'bad' (plugin 'throws_on_create'): cannot start: an exception not derived from std::exception");
}

TEST_CASE("emitting on a port the node does not have fails the run, naming node and plugin", "[misbehaving]") {
  const Outcome o = run_misbehaving("bad_port");
  CHECK(o.result.status == RunStatus::failed);
  CHECK_THAT(o.result.error, Catch::StartsWith("node 'bad' (plugin 'bad_port'): emitted on port #7, which node 'bad' "
                                               "does not have"));
}

TEST_CASE("emitting after the call returned fails the run instead of touching freed memory", "[misbehaving]") {
  const Outcome o = run_misbehaving("late_emitter");
  CHECK(o.result.status == RunStatus::failed);
  CHECK_THAT(o.result.error, Catch::StartsWith("node 'bad' (plugin 'late_emitter'): called Emitter::emit outside a "
                                               "process(), finish() or tick() call"));
}

TEST_CASE("a plugin blocking past the stall timeout is named, and reported again if it ignores cancellation",
          "[misbehaving]") {
  release_blocker.store(false);
  const Outcome o = run_misbehaving("blocker", "", "stall_timeout_s = 0.5\nshutdown_grace_ms = 100\n");
  CHECK(o.result.status == RunStatus::failed);
  CHECK_THAT(o.result.error, Catch::Contains("no progress for 0.5") &&
                                 Catch::Contains("node 'bad' (1 running, ") && Catch::Contains("plugin 'blocker')"));
  CHECK_THAT(o.hung, Catch::StartsWith("cancelled, but plugin calls have not returned: node 'bad' (1 running"));
}

TEST_CASE("rejecting a record of a batch the plugin made itself routes a copy, not freed memory", "[misbehaving]") {
  {
    std::lock_guard lock(run_test::probe().mutex);
    run_test::probe().received.clear();  // other tests in this process collect into it too
  }
  const Outcome o = run_misbehaving("rejects_own_batch", R"(on_error = "route"
[sinks.errors]
plugin = "collect"
inputs = ["bad.errors"]
)");
  INFO(o.result.error);
  REQUIRE(o.result.status == RunStatus::completed);
  CHECK(run_test::received("all").size() == 200);
  std::vector<std::int64_t> routed = run_test::received("errors");
  std::sort(routed.begin(), routed.end());
  std::vector<std::int64_t> expected;
  for (std::int64_t first = 0; first < 200; first += 10) expected.push_back(1000 + first);  // row 0 of each batch
  CHECK(routed == expected);
}
