// Plugins that break the SDK's rules: each gets a clear error naming node and plugin, and
// the run ends -- never undefined behaviour (the asan preset runs these too).
#include <algorithm>
#include <atomic>
#include <numeric>
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
  void process(BatchPtr, Emitter&) override { throw 42; }
};

// Throws something that is not a std::exception from its constructor.
class ThrowsOnCreate : public Stage {
 public:
  explicit ThrowsOnCreate(Context&) { throw "a C string"; }
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};

// Emits on a port index it never declared.
class BadPort : public Stage {
 public:
  explicit BadPort(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(Port{7}, in); }
};

// Rejects a row one past the end of its input (an off-by-one in a plugin's loop).
class RejectsPastEnd : public Stage {
 public:
  explicit RejectsPastEnd(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.reject(*in, in->size(), "off by one"); }
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
  void process(BatchPtr in, Emitter& out) override {
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
  void process(BatchPtr in, Emitter& out) override {
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
  void process(BatchPtr in, Emitter& out) override {
    while (!release_blocker.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    out.emit(in);
  }
};

// seq, whose acknowledge() throws for every third batch (a broker that went away): a
// std::exception, or with non_std = true an int.
class AckThrows : public run_test::SeqSource {
 public:
  explicit AckThrows(Context& c) : SeqSource(c), non_std_(c.params().get_bool("non_std")) {}
  void acknowledge(std::uint64_t batch) override {
    if (batch % 3 != 1) return SeqSource::acknowledge(batch);
    if (non_std_) throw 42;
    throw std::runtime_error("broker unavailable");
  }

 private:
  bool non_std_;
};

struct Outcome {
  RunResult result;
  std::string hung;  // what on_hung reported, if it was called
  std::vector<std::string> warnings;  // "[node] message" of every warning logged
};

Outcome run_misbehaving(const std::string& stage_plugin, const std::string& extra = "", const std::string& graph = "",
                        const std::string& source = "plugin = \"seq\"") {
  const std::string toml = "[graph]\n" + graph + R"(
[sources.numbers]
)" + source + R"(
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
  registry.add_static(PluginDescriptor::stage<RejectsPastEnd>("rejects_past_end", "rejects row size()"));
  registry.add_static(PluginDescriptor::stage<LateEmitter>("late_emitter", "emits after its call returned"));
  registry.add_static(PluginDescriptor::stage<Blocker>("blocker", "blocks until released"));
  registry.add_static(PluginDescriptor::stage<RejectsOwnBatch>("rejects_own_batch", "rejects a row of its own batch"));
  registry.add_static(PluginDescriptor::source<AckThrows>("ack_throws", "seq; acknowledge() throws for batch 1, 4, ...")
                          .with_params({ParamSpec::integer("count", "records").with_default(std::int64_t{1000}),
                                        ParamSpec::boolean("non_std", "throw an int").with_default(false)}));
  std::unique_ptr<CheckedGraph> checked;
  if (diags.empty()) checked = validate_graph(std::move(spec), registry, diags);
  INFO(diags.format());
  REQUIRE(checked);
  Outcome o;
  RunOptions options;
  options.threads = 2;
  options.log = [&o](const LogEvent& e) {  // one call at a time
    if (e.level == LogLevel::warn) o.warnings.push_back("[" + std::string(e.node) + "] " + std::string(e.message));
  };
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

TEST_CASE("a broken contract fails the run even under on_error = drop, which would hide a bad record",
          "[misbehaving]") {
  SECTION("a port the node does not have") {
    const Outcome o = run_misbehaving("bad_port", "on_error = \"drop\"");
    CHECK(o.result.status == RunStatus::failed);
    CHECK_THAT(o.result.error, Catch::StartsWith("node 'bad' (plugin 'bad_port'): emitted on port #7"));
  }
  SECTION("a row past the end of the batch") {
    const Outcome o = run_misbehaving("rejects_past_end", "on_error = \"drop\"");
    CHECK(o.result.status == RunStatus::failed);
    CHECK_THAT(o.result.error, Catch::StartsWith("node 'bad' (plugin 'rejects_past_end'): rejected record 10 of a "
                                                 "batch of 10 record(s)"));
  }
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

TEST_CASE("a source whose acknowledge() throws still gets every record delivered, and the failures are reported",
          "[misbehaving]") {
  {
    std::lock_guard lock(run_test::probe().mutex);
    run_test::probe().received.clear();
  }
  // 200 records in batches of 10: batches 1, 4, 7, 10, 13, 16 and 19 fail to acknowledge.
  const Outcome o = run_misbehaving("slow_pass", "", "", "plugin = \"ack_throws\"");
  INFO(o.result.error);
  REQUIRE(o.result.status == RunStatus::completed);
  std::vector<std::int64_t> received = run_test::received("all");
  std::sort(received.begin(), received.end());
  std::vector<std::int64_t> expected(200);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(received == expected);
  CHECK(o.result.acknowledged_batches == 20);  // every token returned, so the run could finish
  CHECK(o.result.ack_failures == 7);
  CHECK_THAT(format_summary(o.result), Catch::Contains("20/20 batches acknowledged (7 failed: acknowledge() threw)"));
  // The first failure is logged at once with its message; the rest within a second, or when the run ends.
  REQUIRE_FALSE(o.warnings.empty());
  CHECK_THAT(o.warnings.front(), Catch::StartsWith("[numbers] acknowledge() failed for 1 batch(es), which the source "
                                                   "may deliver again (plugin 'ack_throws'); last error: batch ") &&
                                     Catch::EndsWith(": broker unavailable"));
  CHECK_THAT(o.warnings.back(), Catch::Contains("(7 in all)") || Catch::Contains("failed for 7 batch(es)"));
}

TEST_CASE("an acknowledge() throwing something not derived from std::exception is reported as such",
          "[misbehaving]") {
  const Outcome o = run_misbehaving("slow_pass", "", "", "plugin = \"ack_throws\"\nnon_std = true");
  REQUIRE(o.result.status == RunStatus::completed);
  CHECK(o.result.ack_failures == 7);
  REQUIRE_FALSE(o.warnings.empty());
  CHECK_THAT(o.warnings.front(), Catch::EndsWith(": an exception not derived from std::exception"));
}
