// The file sinks (jsonl, csv) and unread ports through the whole engine, built-in plugins from
// the build's plugin folder (issue 13): a batch is delivered to the OS before it is
// acknowledged, so a full disk fails the batch that did not fit, under its on_error; N
// instances of a sink share one file instead of truncating it N times; records sent to a
// port nobody reads are dropped only with unread = "drop", and counted.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "graph_runner/sdk.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;
namespace fs = std::filesystem;

RunResult run_text(const std::string& toml) {
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "test.toml", {}, diags);
  PluginRegistry registry;
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);
  std::unique_ptr<CheckedGraph> graph;
  if (diags.empty()) graph = validate_graph(std::move(spec), registry, diags);
  INFO(toml << "\n" << diags.format());
  REQUIRE(graph);
  RunOptions options;
  options.threads = 2;
  options.log = [](const LogEvent&) {};
  return run_graph(*graph, options);
}

const NodeStats& stats_of(const RunResult& r, const std::string& node) {
  for (const auto& s : r.nodes)
    if (s.name == node) return s;
  FAIL("no node " << node);
  throw;
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("gr_file_sink_test_" + std::to_string(::getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// How often each id 0..count-1 appears among the lines (jsonl: {"id":N,...}; csv: N,...).
std::map<std::int64_t, int> ids_in(const std::vector<std::string>& lines, bool csv) {
  std::map<std::int64_t, int> seen;
  for (const auto& line : lines) {
    if (csv && line.rfind("id,", 0) == 0) continue;  // the header
    const std::size_t start = csv ? 0 : line.find("\"id\":") + 5;
    seen[std::stoll(line.substr(start))]++;
  }
  return seen;
}

void check_every_id_once(const fs::path& file, std::int64_t count, bool csv) {
  const auto lines = lines_of(file);
  const auto seen = ids_in(lines, csv);
  std::int64_t missing = 0, repeated = 0;
  for (std::int64_t id = 0; id < count; ++id) {
    auto it = seen.find(id);
    if (it == seen.end()) ++missing;
    else if (it->second > 1) ++repeated;
  }
  INFO(file.filename().string() << ": " << lines.size() << " lines, expected " << count + (csv ? 1 : 0));
  CHECK(missing == 0);
  CHECK(repeated == 0);
  CHECK(seen.size() == static_cast<std::size_t>(count));
  if (csv) CHECK(std::count(lines.begin(), lines.end(), lines.front()) == 1);  // one header
}

std::string generate(std::int64_t count, std::int64_t batch_size = 10) {
  return "[graph]\nbatch_size = " + std::to_string(batch_size) + "\n[sources.src]\nplugin = \"generate\"\ncount = " +
         std::to_string(count) + "\n";
}

}  // namespace

TEST_CASE("a file sink with concurrency = N or partition_by writes every record exactly once", "[engine][file_sinks]") {
  TempDir dir;
  const std::int64_t count = 1200;
  for (std::string plugin : {"jsonl", "csv"}) {
    for (std::string shape : {"concurrency = 2", "concurrency = 4", "partition_by = \"id\"\nconcurrency = 3"}) {
      const fs::path out = dir.path / (plugin + "_out");
      DYNAMIC_SECTION(plugin << " with " << shape) {
        auto r = run_text(generate(count) + "[sinks.out]\nplugin = \"" + plugin + "\"\ninputs = [\"src\"]\npath = \"" +
                          out.string() + "\"\n" + shape + "\n");
        INFO(r.error);
        REQUIRE(r.status == RunStatus::completed);
        CHECK(stats_of(r, "out").records_in == static_cast<std::uint64_t>(count));
        check_every_id_once(out, count, plugin == "csv");
      }
    }
  }
}

TEST_CASE("a file sink that cannot write (/dev/full) fails each batch under its on_error", "[engine][file_sinks]") {
  const std::int64_t count = 100;
  for (std::string plugin : {"jsonl", "csv"}) {
    const std::string graph =
        generate(count) + "[sinks.out]\nplugin = \"" + plugin + "\"\ninputs = [\"src\"]\npath = \"/dev/full\"\n";
    DYNAMIC_SECTION(plugin << " under drop: every record dropped, none written") {
      auto r = run_text(graph + "on_error = \"drop\"\n");
      INFO(r.error);
      REQUIRE(r.status == RunStatus::completed);
      const NodeStats& out = stats_of(r, "out");
      CHECK(out.records_in == static_cast<std::uint64_t>(count));
      CHECK(out.dropped == static_cast<std::uint64_t>(count));  // nothing counted as written
      CHECK(out.errors == static_cast<std::uint64_t>(count));
    }
    DYNAMIC_SECTION(plugin << " under fail: the run fails at the first batch") {
      auto r = run_text(graph);
      REQUIRE(r.status == RunStatus::failed);
      CHECK_THAT(r.error, Catch::Contains("cannot write '/dev/full': No space left on device"));
      CHECK_THAT(r.error, Catch::Contains("(source 'src' batch 0, records 0..9)"));
    }
  }
}

TEST_CASE("unread = \"drop\" drops what reaches an unread port and counts it as dropped", "[engine][unread]") {
  TempDir dir;
  const std::int64_t count = 1000;
  auto r = run_text(generate(count, 50) + R"(
[stages.split]
plugin = "route"
inputs = ["src"]
routes = { low = "value < 0" }
unread = "drop"

[sinks.low]
plugin = "count"
inputs = ["split.low"]
)");
  INFO(r.error);
  REQUIRE(r.status == RunStatus::completed);
  const NodeStats& split = stats_of(r, "split");
  const NodeStats& low = stats_of(r, "low");
  CHECK(low.records_in > 0);
  CHECK(low.records_in < static_cast<std::uint64_t>(count));
  // Every record is either read by `low` or dropped at the unread port `default`.
  CHECK(split.dropped == count - low.records_in);
  CHECK(split.records_out == low.records_in);  // dropped records are not counted as sent
}
