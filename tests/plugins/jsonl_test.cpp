#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_jsonl;
using plugin_tests::read_file;
using plugin_tests::TempDir;

namespace {
std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    REQUIRE(end != std::string::npos);  // every line ends with a newline
    out.push_back(nlohmann::json::parse(text.substr(start, end - start)));
    start = end + 1;
  }
  return out;
}
}  // namespace

TEST_CASE("jsonl writes one valid JSON object per record, fields in column order", "[plugins][jsonl]") {
  TempDir dir;
  const auto path = dir.path() / "out.jsonl";
  auto batch = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"name", "plain"}, {"ok", true}},
                               {{"id", std::int64_t{-9'000'000'000'000'000'000}}, {"value", 3.0}, {"name", nullptr}},
                               {{"id", 3}, {"value", 0.1}, {"raw", gt::Cell::bytes("hi!?")}}});
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {batch, batch});
  const std::string text = read_file(path);
  auto lines = parse_lines(text);
  REQUIRE(lines.size() == 6);
  CHECK(text.substr(0, text.find('\n')) == R"({"id":1,"value":2.5,"name":"plain","ok":true,"raw":null})");
  CHECK(lines[1]["id"] == -9'000'000'000'000'000'000);
  CHECK(lines[1]["value"].is_number_float());  // 3.0 stays a double
  CHECK(lines[1]["name"].is_null());
  CHECK(lines[2]["value"].get<double>() == 0.1);  // shortest form that reads back exactly
  CHECK(lines[2]["raw"] == "aGkhPw==");          // bytes as base64
}

TEST_CASE("jsonl escapes strings so any content reads back", "[plugins][jsonl]") {
  TempDir dir;
  const auto path = dir.path() / "escaped.jsonl";
  const std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 caf\xc3\xa9 \xe2\x82\xac";
  auto batch = gt::make_batch({{{"s", tricky}, {"bad utf8", "a\xff" "b"}, {"key \"q\"", 1}}});
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {batch});
  auto lines = parse_lines(read_file(path));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["s"] == tricky);
  CHECK(lines[0]["bad utf8"] == "a\xef\xbf\xbd" "b");  // U+FFFD replaces the invalid byte
  CHECK(lines[0]["key \"q\""] == 1);
}

TEST_CASE("jsonl writes non-finite doubles as null", "[plugins][jsonl]") {
  TempDir dir;
  const auto path = dir.path() / "nan.jsonl";
  auto batch = gt::make_batch({{{"a", std::numeric_limits<double>::infinity()}, {"b", std::nan("")}}});
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {batch});
  CHECK(read_file(path) == "{\"a\":null,\"b\":null}\n");
}

TEST_CASE("jsonl creates parent folders, replaces the file, or appends with append = true", "[plugins][jsonl]") {
  TempDir dir;
  const auto path = dir.path() / "a" / "b" / "out.jsonl";
  auto one = gt::make_batch({{{"n", 1}}});
  auto two = gt::make_batch({{{"n", 2}}});
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {one});
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {two});
  CHECK(read_file(path) == "{\"n\":2}\n");
  gt::run_sink(describe_jsonl(), {{"path", path.string()}, {"append", true}}, {one});
  CHECK(read_file(path) == "{\"n\":2}\n{\"n\":1}\n");
}

TEST_CASE("jsonl with path \"-\" writes to stdout", "[plugins][jsonl]") {
  plugin_tests::CaptureStdout capture;
  gt::run_sink(describe_jsonl(), {{"path", "-"}}, {gt::make_batch({{{"n", 1}}, {{"n", 2}}})});
  CHECK(capture.text() == "{\"n\":1}\n{\"n\":2}\n");
}

TEST_CASE("jsonl reports I/O errors with the path and the system's reason", "[plugins][jsonl]") {
  TempDir dir;
  const auto file = dir.path() / "file";
  std::ofstream(file) << "x";
  gt::SinkHarness blocked(describe_jsonl(), {{"path", (file / "out.jsonl").string()}});
  CHECK_THROWS_WITH(blocked.open(), Catch::Contains("jsonl: cannot create folder '" + file.string() + "'"));

  gt::SinkHarness full(describe_jsonl(), {{"path", "/dev/full"}});
  full.open();
  full.write(gt::make_batch({{{"n", 1}}}));
  CHECK_THROWS_WITH(full.flush(), "jsonl: cannot write '/dev/full': No space left on device");
}
