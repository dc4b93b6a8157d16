// The end of the stream for a sink (SDK 2.0): Sink::finish() is called once per instance,
// after its last write, when the stream ended -- never after a failed or cancelled run; flush()
// and close() follow once each, however the run ended.
#include <algorithm>

#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner;
using namespace graph_runner::engine;
using run_test::Run;

namespace {

std::mutex calls_mutex;
std::map<std::string, std::vector<std::string>> calls;  // "node#instance" -> its calls, in order

// Records every call it gets; writes slowly with `sleep_us`; finish() throws with `fail_finish`.
class CallRecorder : public Sink {
 public:
  explicit CallRecorder(Context& c)
      : key_(std::string(c.node_name()) + "#" + std::to_string(c.instance())),
        sleep_us_(c.params().get_int("sleep_us")), fail_finish_(c.params().get_bool("fail_finish")) {}
  void open() override { record("open"); }
  void write(const Batch& b) override {
    if (sleep_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
    record("write " + std::to_string(b.size()));
  }
  void finish() override {
    record("finish");
    if (fail_finish_) throw std::runtime_error("cannot send the result");
  }
  void flush() override { record("flush"); }
  void close() override { record("close"); }

 private:
  void record(std::string call) {
    std::lock_guard lock(calls_mutex);
    calls[key_].push_back(std::move(call));
  }
  std::string key_;
  std::int64_t sleep_us_;
  bool fail_finish_;
};

void add_recorder(PluginRegistry& registry) {
  registry.add_static(PluginDescriptor::sink<CallRecorder>("recorder", "records its calls")
                          .with_params({ParamSpec::integer("sleep_us", "").with_default(std::int64_t{0}),
                                        ParamSpec::boolean("fail_finish", "").with_default(false)}));
}

// seq -> `stage` -> recorder `out`; `sink_keys` and `stage_keys` go to their nodes.
Run run(const std::string& stage, const std::string& stage_keys = "", const std::string& sink_keys = "",
        const std::string& graph = "", RunOptions options = {}) {
  {
    std::lock_guard lock(calls_mutex);
    calls.clear();
  }
  return run_test::run_graph_text("[graph]\n" + graph + R"(
[sources.numbers]
plugin = "seq"
count = 1000
batch_size = 100
[stages.middle]
plugin = ")" + stage + "\"\ninputs = [\"numbers\"]\n" + stage_keys + R"(
[sinks.out]
plugin = "recorder"
inputs = ["middle"]
)" + sink_keys,
                                  4, options, add_recorder);
}

// The calls of instance `i` of node `out`, with every "write N" as "write" and the records summed.
std::vector<std::string> calls_of(std::size_t instance, std::size_t* records = nullptr) {
  std::lock_guard lock(calls_mutex);
  std::vector<std::string> out;
  for (const auto& c : calls["out#" + std::to_string(instance)]) {
    const bool write = c.rfind("write ", 0) == 0;
    if (write && records) *records += std::stoul(c.substr(6));
    if (!write || out.empty() || out.back() != "write") out.push_back(write ? "write" : c);
  }
  return out;
}

using Calls = std::vector<std::string>;

// open, the writes if any came, then finish, flush and close: finish() once, after the last write.
bool finished_once_after_writes(const Calls& got) {
  return got == Calls{"open", "write", "finish", "flush", "close"} || got == Calls{"open", "finish", "flush", "close"};
}

// run(), stopped as a first Ctrl-C would after 100 ms.
Run stopped(const std::string& stage_keys, const std::string& sink_keys, const std::string& graph) {
  std::atomic<bool> stop{false};
  RunOptions options;
  options.stop_flag = &stop;
  run_test::SetLater stopper(stop, std::chrono::milliseconds(100));
  return run("slow_pass", stage_keys, sink_keys, graph, options);
}

}  // namespace

TEST_CASE("a sink's finish() comes once, after its last write, when the stream ended", "[sink_finish]") {
  // hoard holds every batch until its own finish(): the sink's writes all come at the end.
  const Run r = run("hoard");
  REQUIRE(r.result.status == RunStatus::completed);
  std::size_t records = 0;
  CHECK(calls_of(0, &records) == Calls{"open", "write", "finish", "flush", "close"});
  CHECK(records == 1000);
}

TEST_CASE("each instance of a sink with concurrency = N gets its own finish()", "[sink_finish]") {
  const Run r = run("slow_pass", "", "concurrency = 2\nsleep_us = 2000\n");
  REQUIRE(r.result.status == RunStatus::completed);
  std::size_t records = 0;
  for (std::size_t i = 0; i < 2; ++i) CHECK(finished_once_after_writes(calls_of(i, &records)));
  CHECK(records == 1000);
}

TEST_CASE("a stop that drains ends the stream: the sink still finishes", "[sink_finish]") {
  const Run r = stopped("sleep_us = 50000\nconcurrency = 1\n", "", "");
  CHECK(r.result.status == RunStatus::interrupted);
  CHECK(finished_once_after_writes(calls_of(0)));
}

TEST_CASE("after a failed run a sink gets no finish(), only flush() and close()", "[sink_finish]") {
  const Run r = run("slow_pass", "fail_at = 550\nconcurrency = 1\n");
  REQUIRE(r.result.status == RunStatus::failed);
  const Calls got = calls_of(0);  // the batches before the failure may or may not be written by then
  CHECK((got == Calls{"open", "write", "flush", "close"} || got == Calls{"open", "flush", "close"}));
}

TEST_CASE("after a cancelled run a sink gets no finish(), only flush() and close()", "[sink_finish]") {
  // Writes of 100 ms each outlast a grace period of 50 ms: the run is cancelled.
  const Run r = stopped("", "sleep_us = 100000\n", "shutdown_grace_ms = 50\n");
  CHECK(r.result.status == RunStatus::interrupted);
  CHECK_THAT(r.log, Catch::Contains("grace period of 50 ms expired"));
  const Calls got = calls_of(0);
  REQUIRE_FALSE(got.empty());
  CHECK(std::count(got.begin(), got.end(), "finish") == 0);
  CHECK(Calls(got.end() - 2, got.end()) == Calls{"flush", "close"});
}

TEST_CASE("a finish() that throws fails the run, naming the node, and flush() and close() still come", "[sink_finish]") {
  const Run r = run("slow_pass", "", "fail_finish = true\non_error = \"drop\"\n");
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::StartsWith("node 'out' (plugin 'recorder'): cannot send the result"));
  CHECK(calls_of(0) == Calls{"open", "write", "finish", "flush", "close"});
}
