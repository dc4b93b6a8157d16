#include <catch2/catch.hpp>

#include <unistd.h>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_lines();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_lines;
using plugin_tests::TempDir;

namespace {
std::string write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// Makes a pipe standard input while it lives: what `path = "-"` reads.
class PipeToStdin {
 public:
  explicit PipeToStdin(const std::string& text) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    saved_ = ::dup(0);
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    REQUIRE(::write(fds[1], text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fds[1]);  // end of input
  }
  ~PipeToStdin() {
    ::dup2(saved_, 0);
    ::close(saved_);
  }

 private:
  int saved_;
};
}  // namespace

TEST_CASE("lines reads one record per line: no newline, no CR, no byte order mark", "[plugins][lines]") {
  TempDir dir;
  auto path = write(dir.path() / "a.txt", "\xEF\xBB\xBFhello\r\n\nworld\nlast line without newline");
  auto batches = gt::run_source(describe_lines(), {{"path", path}});
  CHECK(gt::strings(batches, "line") == std::vector<std::string>{"hello", "", "world", "last line without newline"});
  auto skipped = gt::run_source(describe_lines(), {{"path", path}, {"skip_empty", true}, {"field", "text"}});
  CHECK(gt::strings(skipped, "text") == std::vector<std::string>{"hello", "world", "last line without newline"});
}

TEST_CASE("lines reads every file a glob matches, in sorted order, with file and line_no", "[plugins][lines]") {
  TempDir dir;
  const auto b = write(dir.path() / "b.log", "b1\nb2\n");
  const auto a = write(dir.path() / "a.log", "a1\n");
  write(dir.path() / "c.txt", "not matched\n");
  auto batches = gt::run_source(describe_lines(), {{"path", (dir.path() / "*.log").string()}, {"position", true}},
                                0, {.batch_size = 2});
  CHECK(batches.size() == 2);
  CHECK(gt::strings(batches, "line") == std::vector<std::string>{"a1", "b1", "b2"});
  CHECK(gt::strings(batches, "file") == std::vector<std::string>{a, b, b});
  CHECK(gt::ints(batches, "line_no") == std::vector<std::int64_t>{1, 1, 2});
}

TEST_CASE("lines keeps a line longer than its read buffer whole", "[plugins][lines]") {
  TempDir dir;
  const std::string long_line(3 << 20, 'x');  // the reader starts with 1 MiB and grows
  auto path = write(dir.path() / "long.txt", "short\n" + long_line + "\nend\n");
  auto batches = gt::run_source(describe_lines(), {{"path", path}, {"max_record_bytes", 4 << 20}});
  auto text = gt::strings(batches, "line");
  REQUIRE(text.size() == 3);
  CHECK(text[1] == long_line);
  CHECK(text[2] == "end");
}

TEST_CASE("lines with path \"-\" reads standard input", "[plugins][lines]") {
  PipeToStdin input("one\ntwo\n");
  auto batches = gt::run_source(describe_lines(), {{"path", "-"}, {"position", true}});
  CHECK(gt::strings(batches, "line") == std::vector<std::string>{"one", "two"});
  CHECK(gt::strings(batches, "file") == std::vector<std::string>{"<stdin>", "<stdin>"});
}

TEST_CASE("lines names the path when a file is missing or a glob matches nothing", "[plugins][lines]") {
  TempDir dir;
  const auto missing = (dir.path() / "missing.txt").string();
  CHECK_THROWS_WITH(gt::run_source(describe_lines(), {{"path", missing}}),
                    "cannot open '" + missing + "': No such file or directory");
  const auto pattern = (dir.path() / "*.nothing").string();
  CHECK_THROWS_WITH(gt::run_source(describe_lines(), {{"path", pattern}}), "no file matches '" + pattern + "'");
  CHECK_THROWS_AS(gt::run_source(describe_lines(), {{"path", ""}}), ParamError);
}

TEST_CASE("lines hands a line over max_record_bytes to on_error with its size and line, and reads on",
          "[plugins][lines]") {
  TempDir dir;
  auto path = write(dir.path() / "huge.txt", "first\n" + std::string(5 << 20, 'x') + "\nlast\n");
  gt::SourceHarness h(describe_lines(), {{"path", path}}, {.on_error = "drop"});
  h.open();
  CHECK(gt::strings(h.read(), "line") == std::vector<std::string>{"first", "last"});
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].second == path + ":2: record of at least 1048577 bytes exceeds max_record_bytes = 1048576");
  CHECK(rejected[0].first == std::string(1024, 'x'));  // the error record holds its first 1 KiB only

  // Under the default on_error = "fail": the lines before it go out, then the run fails.
  gt::SourceHarness failing(describe_lines(), {{"path", path}, {"max_record_bytes", 100}});
  failing.open();
  auto before = failing.next();
  REQUIRE(before);
  CHECK(gt::strings(before, "line") == std::vector<std::string>{"first"});
  CHECK_THROWS_WITH(failing.next(), Catch::StartsWith(path + ":2: record of at least ") &&
                                        Catch::EndsWith(" bytes exceeds max_record_bytes = 100"));
}
