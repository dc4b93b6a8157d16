#include <sys/resource.h>

#include <csignal>

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
  // SDK 2.0: a field the record lacks (`raw`) is absent and left out; an explicit null is null.
  CHECK(text.substr(0, text.find('\n')) == R"({"id":1,"value":2.5,"name":"plain","ok":true})");
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
  const auto printed =
      gt::run_sink(describe_jsonl(), {{"path", "-"}}, {gt::make_batch({{{"n", 1}}, {{"n", 2}}})}, {.capture_output = true});
  CHECK(printed.out == "{\"n\":1}\n{\"n\":2}\n");
}

TEST_CASE("jsonl reports I/O errors with the path and the system's reason", "[plugins][jsonl]") {
  TempDir dir;
  const auto file = dir.path() / "file";
  std::ofstream(file) << "x";
  gt::SinkHarness blocked(describe_jsonl(), {{"path", (file / "out.jsonl").string()}});
  CHECK_THROWS_WITH(blocked.open(), Catch::Contains("jsonl: cannot create folder '" + file.string() + "'"));

  // The batch that does not fit fails in its own write(), not at a later flush (issue 13).
  gt::SinkHarness full(describe_jsonl(), {{"path", "/dev/full"}});
  full.open();
  CHECK_THROWS_WITH(full.write(gt::make_batch({{{"n", 1}}})), "jsonl: cannot write '/dev/full': No space left on device");
  CHECK_THROWS_WITH(full.write(gt::make_batch({{{"n", 2}}})), "jsonl: cannot write '/dev/full': No space left on device");
  CHECK_NOTHROW(full.flush());  // nothing of the failed batches is left to write
  CHECK_NOTHROW(full.close());
}

TEST_CASE("jsonl hands each batch to the OS before write() returns", "[plugins][jsonl]") {
  // The engine acknowledges a batch when write() returns: the file must have it by then.
  TempDir dir;
  const auto path = dir.path() / "now.jsonl";
  gt::SinkHarness sink(describe_jsonl(), {{"path", path.string()}});
  sink.open();
  sink.write(gt::make_batch({{{"n", 1}}, {{"n", 2}}}));
  CHECK(read_file(path) == "{\"n\":1}\n{\"n\":2}\n");
  sink.write(gt::make_batch({{{"n", 3}}}));
  CHECK(read_file(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  sink.flush();
  sink.close();
  CHECK(read_file(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
}

TEST_CASE("jsonl instances writing one path share the file: the second does not truncate it", "[plugins][jsonl]") {
  // concurrency = N makes N instances of a sink that is not thread-safe (issue 13).
  TempDir dir;
  const auto path = dir.path() / "shared.jsonl";
  gt::SinkHarness a(describe_jsonl(), {{"path", path.string()}});
  gt::SinkHarness b(describe_jsonl(), {{"path", path.string()}});
  a.open();
  a.write(gt::make_batch({{{"n", 1}}}));
  b.open();
  b.write(gt::make_batch({{{"n", 2}}}));
  a.write(gt::make_batch({{{"n", 3}}}));
  a.close();
  b.write(gt::make_batch({{{"n", 4}}}));  // still open for b
  b.close();
  CHECK(read_file(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
  // Once every instance closed it, the next run replaces the file again.
  gt::run_sink(describe_jsonl(), {{"path", path.string()}}, {gt::make_batch({{{"n", 5}}})});
  CHECK(read_file(path) == "{\"n\":5}\n");
}

TEST_CASE("jsonl cuts a batch that failed half-written off the file: it holds whole batches", "[plugins][jsonl]") {
  // A file size limit makes the kernel write part of the batch, then refuse the rest (EFBIG),
  // as a disk filling up in the middle of a batch does.
  TempDir dir;
  const auto path = dir.path() / "cut.jsonl";
  gt::SinkHarness sink(describe_jsonl(), {{"path", path.string()}});
  sink.open();
  sink.write(gt::make_batch({{{"n", 1}}}));
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto* saved_handler = std::signal(SIGXFSZ, SIG_IGN);  // else the process is killed
  rlimit limited = saved;
  limited.rlim_cur = 20;  // "{"n":1}\n" is 8 bytes: 12 more fit
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  std::string error;
  try {
    sink.write(gt::make_batch({{{"n", 2}}, {{"n", 3}}, {{"n", 4}}}));
  } catch (const std::exception& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);
  CHECK_THAT(error, Catch::Contains("jsonl: cannot write '" + path.string() + "': File too large"));
  CHECK(read_file(path) == "{\"n\":1}\n");  // not the 12 bytes that went out
  sink.write(gt::make_batch({{{"n", 5}}}));
  sink.close();
  CHECK(read_file(path) == "{\"n\":1}\n{\"n\":5}\n");
}
