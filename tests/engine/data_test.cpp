// Real data in and out (issue 7) through the whole engine: stage timers (Stage::tick) driving
// `batch`'s timeout, bad input records of the jsonl and csv sources under each on_error policy, and
// a source's `rate` with `burst`. Built-in plugins come from the build's plugin folder.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "run/run_graph.hpp"
#include "run/source_pacer.hpp"
#include "validate/validate_graph.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// What the test plugins saw.
struct Seen {
  std::mutex mutex;
  std::vector<std::vector<std::int64_t>> batches;  // values of `n`, per batch the sink got
  std::vector<std::string> errors, inputs;          // `error` and `input` of records the sink got
  std::atomic<bool> delivered_before_more{false};  // StallSource saw its records arrive first
};
Seen& seen() {
  static Seen s;
  return s;
}

// Emits n = 0, 1, 2 at once, then waits (up to 20 s) until the sink has them before it emits
// n = 3 and ends: a source that stalls. Without a timer, `batch` would hold 0..2 until 3 came.
class StallSource : public Source {
 public:
  explicit StallSource(Context&) : n_(field("n")) {}
  bool read(BatchBuilder& out) override {
    auto& n = out.column(n_);
    if (step_++ == 0) {
      for (std::int64_t i = 0; i < 3; ++i) n.append(Value::of(i));
      return true;
    }
    const auto give_up = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < give_up) {
      {
        std::lock_guard lock(seen().mutex);
        if (!seen().batches.empty()) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    {
      std::lock_guard lock(seen().mutex);
      seen().delivered_before_more = !seen().batches.empty();
    }
    n.append(Value::of(std::int64_t{3}));
    return false;
  }

 private:
  Field n_;
  int step_ = 0;
};

// Keeps what it receives: `n` per batch, and `error`/`input` when present.
class Keep : public Sink {
 public:
  explicit Keep(Context&) : n_(field("n")), error_(field("error")), input_(field("input")) {}
  void write(const Batch& b) override {
    std::lock_guard lock(seen().mutex);
    std::vector<std::int64_t> ns;
    for (std::size_t r = 0; r < b.size(); ++r) {
      if (b.find(n_)) ns.push_back(b.get(r, n_).as_int());
      if (b.find(error_)) seen().errors.emplace_back(b.get(r, error_).as_string());
      if (b.find(input_)) seen().inputs.emplace_back(b.get(r, input_).as_string());
    }
    seen().batches.push_back(std::move(ns));
  }

 private:
  Field n_, error_, input_;
};

struct DataRun {
  RunResult result;
  std::string log;
  std::uint64_t stat(const std::string& node, std::uint64_t NodeStats::*field) const {
    for (const auto& s : result.nodes)
      if (s.name == node) return s.*field;
    FAIL("no node " << node);
    return 0;
  }
};

DataRun run_text(const std::string& toml) {
  {
    std::lock_guard lock(seen().mutex);
    seen().batches.clear();
    seen().errors.clear();
    seen().inputs.clear();
  }
  seen().delivered_before_more = false;
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "test.toml", {}, diags);
  PluginRegistry registry;
  registry.add_static(PluginDescriptor::source<StallSource>("stall", "0, 1, 2, then waits for the sink"));
  registry.add_static(PluginDescriptor::sink<Keep>("keep", "keeps n, error and input"));
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);
  std::unique_ptr<CheckedGraph> graph;
  if (diags.empty()) graph = validate_graph(std::move(spec), registry, diags);
  INFO(diags.format());
  REQUIRE(graph);
  DataRun r;
  RunOptions options;
  options.threads = 2;
  options.log = [&r](const LogEvent& e) { r.log += format_log_line(e) + "\n"; };
  r.result = run_graph(*graph, options);
  return r;
}

std::vector<std::vector<std::int64_t>> batches_seen() {
  std::lock_guard lock(seen().mutex);
  return seen().batches;
}

struct TempFile {
  fs::path path;
  TempFile(const std::string& name, const std::string& text)
      : path(fs::temp_directory_path() / ("gr_data_test_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path, std::ios::binary) << text;
  }
  ~TempFile() { fs::remove(path); }
};

}  // namespace

TEST_CASE("batch sends a partial batch on its timer while the source stalls", "[engine][tick]") {
  auto r = run_text(R"(
[sources.src]
plugin = "stall"
[stages.group]
plugin = "batch"
inputs = ["src"]
size = 100
timeout_ms = 50
[sinks.out]
plugin = "keep"
inputs = ["group"]
)");
  INFO(r.result.error << r.log);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(seen().delivered_before_more);  // 0..2 reached the sink before the source sent 3
  CHECK(batches_seen() == std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {3}});
}

namespace {
const std::string jsonl_text = "{\"n\":1}\n{\"n\":2}\n{\"n\": oops}\n{\"n\":4}\n[5]\n{\"n\":6}\n";

std::string jsonl_graph(const fs::path& path, const std::string& policy) {
  return "[sources.src]\nplugin = \"jsonl\"\npath = \"" + path.string() + "\"\non_error = \"" + policy +
         "\"\n[sinks.out]\nplugin = \"keep\"\ninputs = [\"src\"]\n" +
         (policy == "route" ? "[sinks.bad]\nplugin = \"keep\"\ninputs = [\"src.errors\"]\n" : "");
}

std::vector<std::int64_t> all_ns() {
  std::vector<std::int64_t> out;
  for (const auto& b : batches_seen()) out.insert(out.end(), b.begin(), b.end());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("jsonl source: on_error = drop counts and logs bad lines with FILE:LINE and keeps reading", "[engine][source_errors]") {
  TempFile file("drop.jsonl", jsonl_text);
  auto r = run_text(jsonl_graph(file.path, "drop"));
  INFO(r.result.error << r.log);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(all_ns() == std::vector<std::int64_t>{1, 2, 4, 6});
  CHECK(r.stat("src", &NodeStats::dropped) == 2);
  CHECK(r.stat("src", &NodeStats::errors) == 2);
  CHECK_THAT(r.log, Catch::Contains(file.path.string() + ":3:"));
  CHECK_THAT(r.log, Catch::Contains(file.path.string() + ":5:"));
}

TEST_CASE("jsonl source: on_error = route sends bad lines to NODE.errors with input, error and error_node", "[engine][source_errors]") {
  TempFile file("route.jsonl", jsonl_text);
  auto r = run_text(jsonl_graph(file.path, "route"));
  INFO(r.result.error << r.log);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(all_ns() == std::vector<std::int64_t>{1, 2, 4, 6});
  CHECK(r.stat("src", &NodeStats::routed) == 2);
  CHECK(r.stat("bad", &NodeStats::records_in) == 2);
  std::lock_guard lock(seen().mutex);
  CHECK(seen().inputs == std::vector<std::string>{"{\"n\": oops}", "[5]"});
  REQUIRE(seen().errors.size() == 2);
  CHECK_THAT(seen().errors[0], Catch::StartsWith(file.path.string() + ":3:"));
  CHECK_THAT(seen().errors[1], Catch::StartsWith(file.path.string() + ":5:") && Catch::Contains("found an array"));
}

TEST_CASE("jsonl source: on_error = fail stops the run naming FILE:LINE of the bad line", "[engine][source_errors]") {
  TempFile file("fail.jsonl", jsonl_text);
  auto r = run_text(jsonl_graph(file.path, "fail"));
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("node 'src'") && Catch::Contains(file.path.string() + ":3:"));
  for (auto n : all_ns()) CHECK(n < 3);  // nothing after the bad line
}

TEST_CASE("csv source: bad rows go through on_error with FILE:LINE (route, drop, fail)", "[engine][source_errors]") {
  TempFile file("rows.csv", "n,name\n1,a\n2,b,extra\nx,c\n4,d\n");
  const std::string head = "[sources.src]\nplugin = \"csv\"\npath = \"" + file.path.string() +
                           "\"\ntypes = { n = \"int\" }\non_error = ";
  const std::string sinks = "[sinks.out]\nplugin = \"keep\"\ninputs = [\"src\"]\n";
  {
    auto r = run_text(head + "\"route\"\n" + sinks + "[sinks.bad]\nplugin = \"keep\"\ninputs = [\"src.errors\"]\n");
    INFO(r.result.error << r.log);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(all_ns() == std::vector<std::int64_t>{1, 4});
    std::lock_guard lock(seen().mutex);
    CHECK(seen().inputs == std::vector<std::string>{"2,b,extra", "x,c"});
    REQUIRE(seen().errors.size() == 2);
    CHECK_THAT(seen().errors[0], Catch::StartsWith(file.path.string() + ":3: row has 3 fields, the header has 2"));
    CHECK_THAT(seen().errors[1], Catch::StartsWith(file.path.string() + ":4: column 'n'"));
  }
  {
    auto r = run_text(head + "\"drop\"\n" + sinks);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(all_ns() == std::vector<std::int64_t>{1, 4});
    CHECK(r.stat("src", &NodeStats::dropped) == 2);
  }
  {
    auto r = run_text(head + "\"fail\"\n" + sinks);
    CHECK(r.result.status == RunStatus::failed);
    CHECK_THAT(r.result.error, Catch::Contains(file.path.string() + ":3:"));
  }
}

TEST_CASE("a source's rate paces whole runs and burst lets a first burst through", "[engine][rate]") {
  // 200 records at 1000/s: at least ~0.2 s without burst (a loose bound; no upper bound).
  const auto started = Clock::now();
  auto r = run_text(R"(
[sources.src]
plugin = "generate"
count = 200
batch_size = 50
rate = 1000
[sinks.out]
plugin = "count"
inputs = ["src"]
)");
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.stat("out", &NodeStats::records_in) == 200);
  CHECK(seconds >= 0.15);

  // burst = 100: the first 100 go at once, the other 100 take ~0.1 s; every record arrives.
  auto b = run_text(R"(
[sources.src]
plugin = "generate"
count = 200
batch_size = 50
rate = 1000
burst = 100
[sinks.out]
plugin = "count"
inputs = ["src"]
)");
  REQUIRE(b.result.status == RunStatus::completed);
  CHECK(b.stat("out", &NodeStats::records_in) == 200);
  CHECK(b.stat("src", &NodeStats::records_out) == 200);
}

TEST_CASE("SourcePacer: a token bucket of records with burst, that never waits for a slow source", "[engine][rate]") {
  const Clock::time_point t0{};
  const auto ms = [&](int n) { return t0 + std::chrono::milliseconds(n); };
  const auto near = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::abs(a - b) < std::chrono::microseconds(10);
  };
  SourcePacer burst(1000, 100, t0);  // starts full: 100 records at once, then 1 per ms
  CHECK(near(burst.admit(50, t0), ms(0)));
  CHECK(near(burst.admit(50, t0), ms(0)));
  CHECK(near(burst.admit(50, t0), ms(50)));
  CHECK(near(burst.admit(50, ms(50)), ms(100)));
  CHECK(near(burst.admit(50, ms(2000)), ms(2000)));  // idle: tokens again, capped at burst
  CHECK(near(burst.admit(100, ms(2000)), ms(2050)));

  SourcePacer steady(1000, 0, t0);  // no burst: even the first batch waits its share
  CHECK(near(steady.admit(50, t0), ms(50)));
  CHECK(near(steady.admit(50, ms(50)), ms(100)));
  CHECK(near(steady.admit(50, ms(500)), ms(500)));  // a slow source never waits
  CHECK(near(steady.admit(200, ms(500)), ms(700)));  // a batch over the bucket waits for all its tokens
}

TEST_CASE("${GRAPH_DIR} is the graph file's folder, whatever the environment says", "[engine][parse]") {
  ::setenv("GRAPH_DIR", "/somewhere/else", 1);
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(R"(
[sources.src]
plugin = "csv"
path = "${GRAPH_DIR}/data/users.csv"
[sinks.out]
plugin = "count"
inputs = ["src"]
)",
                                    "/graphs/here/g.toml", {}, diags);
  ::unsetenv("GRAPH_DIR");
  INFO(diags.format());
  REQUIRE(diags.empty());
  CHECK(std::get<std::string>(spec.nodes.at(0).params.at("path")) == "/graphs/here/data/users.csv");
}

TEST_CASE("burst is a source key, and a plugin parameter on a stage (throttle's)", "[engine][parse]") {
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(R"(
[sources.src]
plugin = "generate"
rate = 100
burst = 20
[stages.slow]
plugin = "throttle"
inputs = ["src"]
per_second = 10
burst = 5
[sinks.out]
plugin = "count"
inputs = ["slow"]
)",
                                    "g.toml", {}, diags);
  INFO(diags.format());
  REQUIRE(diags.empty());
  CHECK(spec.nodes.at(0).burst == 20);
  CHECK(spec.nodes.at(1).params.count("burst") == 1);
  Diagnostics bad;
  parse_graph_text("[sources.src]\nplugin = \"generate\"\nburst = -1\n", "g.toml", {}, bad);
  CHECK_THAT(bad.format(), Catch::Contains("g.toml:3:9") && Catch::Contains("burst"));
}
