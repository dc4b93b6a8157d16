#include <catch2/catch.hpp>

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <thread>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "jsonl_parser.hpp"
#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_read_jsonl();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_read_jsonl;
using plugin_tests::TempDir;

namespace {
std::string write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

// The message read_jsonl fails with on `text`.
std::string error_reading(const std::string& path) {
  try {
    gt::run_source(describe_read_jsonl(), {{"path", path}});
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// Makes a pipe standard input while it lives (as in lines_test.cpp); the test writes to it.
class StdinPipe {
 public:
  StdinPipe() {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    saved_ = ::dup(0);
    ::dup2(fds[0], 0);
    ::close(fds[0]);
    write_end_ = fds[1];
  }
  ~StdinPipe() {
    close_input();
    ::dup2(saved_, 0);
    ::close(saved_);
  }
  void write(const std::string& text) { REQUIRE(::write(write_end_, text.data(), text.size()) == static_cast<ssize_t>(text.size())); }
  void close_input() {
    if (write_end_ >= 0) ::close(write_end_);
    write_end_ = -1;
  }

 private:
  int saved_, write_end_;
};

double cpu_seconds() {  // of the whole process: every thread
  timespec t;
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
}  // namespace

TEST_CASE("read_jsonl turns each key into a typed field", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "types.jsonl",
                    R"({"i":-42,"big":18446744073709551615,"huge":1e400,"d":2.5,"whole":3.0,"s":"caf\u00e9 \"q\"\n","t":true,"f":false,"n":null,"o":{"a":[1, 2]},"arr":[1,"x"]})"
                    "\n");
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}});
  REQUIRE(gt::count_records(batches) == 1);
  const BatchPtr& b = batches[0];
  CHECK(b->get(0, field("i")) == Value::of(std::int64_t{-42}));
  // SDK 2.0: above int64 (or double), a json value keeping the digits.
  CHECK(b->get(0, field("big")).type() == Type::json);
  CHECK(b->get(0, field("big")).as_string() == "18446744073709551615");
  CHECK(b->get(0, field("d")) == Value::of(2.5));
  CHECK(b->get(0, field("whole")) == Value::of(3.0));  // written as a decimal: stays a double
  CHECK(b->get(0, field("s")).as_string() == "caf\xc3\xa9 \"q\"\n");
  CHECK(b->get(0, field("t")) == Value::of(true));
  CHECK(b->get(0, field("f")) == Value::of(false));
  CHECK(b->get(0, field("n")).is_null());
  // SDK 2.0: a non-empty object is flattened into dotted fields; arrays are json values, as written.
  CHECK(b->find(field("o")) == nullptr);
  CHECK(b->get(0, field("o.a")).type() == Type::json);
  CHECK(b->get(0, field("o.a")).as_string() == "[1, 2]");
  CHECK(b->get(0, field("arr")).as_string() == R"([1,"x"])");
  CHECK(b->get(0, field("huge")).type() == Type::json);
  CHECK(b->get(0, field("huge")).as_string() == "1e400");
}

TEST_CASE("read_jsonl lines up fields whatever the key order, null where a line lacks one", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "mixed.jsonl",
                    "{\"id\":1,\"name\":\"a\"}\n"
                    "\n"
                    "   \n"
                    "{\"name\":\"b\",\"id\":2}\r\n"
                    "{\"id\":3,\"extra\":true}\n"
                    "{\"id\":4,\"id\":5}\n"  // a repeated key: the last value wins
                    "{\"na\\u006de\":\"escaped key\",\"id\":6}\n"
                    "{}\n");
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}}, 0, {.batch_size = 2});
  // A line whose keys come in another order than the batch's columns starts a new batch
  // (the writers keep each line's key order): {name,id} after {id,name}, twice.
  CHECK(batches.size() == 4);
  auto ids = gt::column(batches, "id");
  REQUIRE(ids.size() == 6);
  CHECK(ids[0] == Value::of(std::int64_t{1}));
  CHECK(ids[1] == Value::of(std::int64_t{2}));
  CHECK(ids[3] == Value::of(std::int64_t{5}));
  CHECK(ids[5].is_null());
  auto names = gt::column(batches, "name");
  CHECK(names[1].as_string() == "b");
  CHECK(names[2].is_null());
  CHECK(names[4].as_string() == "escaped key");
  auto extra = gt::column(batches, "extra");
  CHECK(extra[2] == Value::of(true));
  CHECK(extra[3].is_null());
}

TEST_CASE("read_jsonl tells apart keys that share a long prefix, in any order", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "long.jsonl",
                    "{\"long_key_number_one\":1,\"long_key_number_two\":2,\"k\":0}\n"
                    "{\"long_key_number_two\":3,\"long_key_number_one\":4,\"kk\":0}\n"
                    "{\"long_key_number_one\":5,\"long_key_number_on\":6,\"k\":0}\n");
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}});
  auto one = gt::column(batches, "long_key_number_one");
  CHECK(one == std::vector<Value>{Value::of(std::int64_t{1}), Value::of(std::int64_t{4}), Value::of(std::int64_t{5})});
  auto two = gt::column(batches, "long_key_number_two");
  CHECK(two == std::vector<Value>{Value::of(std::int64_t{2}), Value::of(std::int64_t{3}), Value{}});
  CHECK(gt::column(batches, "long_key_number_on")[2] == Value::of(std::int64_t{6}));
  CHECK(gt::column(batches, "kk")[1] == Value::of(std::int64_t{0}));
  CHECK(gt::column(batches, "k")[1].is_null());
}

TEST_CASE("read_jsonl tells apart long keys at the same position under other parents, with dots or escapes", "[plugins][read_jsonl]") {
  // The parser compares a key with the one seen at its position last time, against the end of
  // that field's interned name: the parent, dots and escapes must not make two keys the same.
  TempDir dir;
  auto path = write(dir.path() / "paths.jsonl",
                    "{\"a\":{\"long_key_name\":1}}\n"
                    "{\"b\":{\"long_key_name\":2}}\n"
                    "{\"b\":{\"long_key_name\":3}}\n"
                    "{\"x.long_key_name\":4}\n"
                    "{\"x.long_key_name\":5}\n"
                    "{\"long_key_name\\u0021\":6}\n"
                    "{\"long_key_name!\":7}\n");
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}});
  auto value = [](std::int64_t i) { return Value::of(i); };
  CHECK(gt::column(batches, "a.long_key_name")[0] == value(1));
  CHECK(gt::column(batches, "a.long_key_name")[1].is_null());
  CHECK(gt::column(batches, "b.long_key_name")[1] == value(2));
  CHECK(gt::column(batches, "b.long_key_name")[2] == value(3));
  CHECK(gt::column(batches, "x\\.long_key_name")[3] == value(4));
  CHECK(gt::column(batches, "x\\.long_key_name")[4] == value(5));
  CHECK(gt::column(batches, "long_key_name!")[5] == value(6));
  CHECK(gt::column(batches, "long_key_name!")[6] == value(7));
}

TEST_CASE("read_jsonl keeps every value of a field first seen late in a batch, then in every record", "[plugins][read_jsonl]") {
  // Such a column starts with room up to its row (sparse keys) and grows as records come.
  TempDir dir;
  std::string text;
  for (int i = 0; i < 600; ++i)
    text += i % 256 < 3 ? "{\"id\":" + std::to_string(i) + "}\n"
                        : "{\"id\":" + std::to_string(i) + ",\"late\":\"v" + std::to_string(i) + "\"}\n";
  auto path = write(dir.path() / "late.jsonl", text);
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}});
  auto ids = gt::column(batches, "id");
  auto late = gt::column(batches, "late");
  REQUIRE(ids.size() == 600);
  REQUIRE(late.size() == 600);
  for (int i = 0; i < 600; ++i) {
    CHECK(ids[i] == Value::of(std::int64_t{i}));
    if (i % 256 < 3) CHECK(late[i].is_null());
    else CHECK(late[i].as_string() == "v" + std::to_string(i));
  }
}

TEST_CASE("read_jsonl reads every file a glob matches, in order", "[plugins][read_jsonl]") {
  TempDir dir;
  write(dir.path() / "2.jsonl", "{\"n\":3}\n");
  write(dir.path() / "1.jsonl", "{\"n\":1}\n{\"n\":2}");  // no final newline
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", (dir.path() / "*.jsonl").string()}});
  CHECK(gt::ints(batches, "n") == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("read_jsonl fails on a bad line with FILE:LINE:COL and what is wrong", "[plugins][read_jsonl]") {
  TempDir dir;
  auto broken = write(dir.path() / "broken.jsonl", "{\"a\":1}\n\n{\"a\":2,\"b\":}\n{\"a\":3}\n");
  CHECK_THAT(error_reading(broken), Catch::StartsWith(broken + ":3:") && Catch::Contains("invalid value for key 'b'"));
  auto array = write(dir.path() / "array.jsonl", "{\"a\":1}\n[1,2]\n");
  CHECK_THAT(error_reading(array), Catch::StartsWith(array + ":2") && Catch::Contains("expected a JSON object, found an array"));
  auto trailing = write(dir.path() / "trailing.jsonl", "{\"a\":1} x\n");
  CHECK_THAT(error_reading(trailing), Catch::StartsWith(trailing + ":1") && Catch::Contains("text follows it"));
  auto two = write(dir.path() / "two.jsonl", "{\"a\":1} {\"b\":2}\n");
  CHECK_THAT(error_reading(two), Catch::StartsWith(two + ":1:9: unexpected text after the object"));
  auto truncated = write(dir.path() / "truncated.jsonl", "{\"a\":\"never closed\n{\"a\":4}\n");
  CHECK_THAT(error_reading(truncated), Catch::StartsWith(truncated + ":1"));
  auto pretty = write(dir.path() / "pretty.jsonl", "{\"a\":1}\n{\n\"a\":2}\n");  // one object per line, not two lines
  CHECK_THAT(error_reading(pretty), Catch::StartsWith(pretty + ":2"));
}

TEST_CASE("read_jsonl hands out the records before a bad line, then fails", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "bad5.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":}\n{\"n\":6}\n");
  gt::SourceHarness h(describe_read_jsonl(), {{"path", path}}, {.batch_size = 3});
  h.open();
  auto first = h.next();
  auto second = h.next();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(gt::ints(std::vector<BatchPtr>{first, second}, "n") == std::vector<std::int64_t>{1, 2, 3, 4});
  CHECK_THROWS_WITH(h.next(), Catch::StartsWith(path + ":5:"));
}

TEST_CASE("read_jsonl with path \"-\" reads standard input as it arrives, a line split across writes too", "[plugins][read_jsonl]") {
  StdinPipe input;
  input.write("{\"n\":1}\n{\"n\":");
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));  // read() waits, returns empty, is called again
    input.write("2}\n{\"n\":3}");
    input.close_input();
  });
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", "-"}});
  writer.join();
  CHECK(gt::ints(batches, "n") == std::vector<std::int64_t>{1, 2, 3});
}

// Over 4 MiB, worker threads parse blocks ahead of read(): records still come in file order.
TEST_CASE("read_jsonl parses a big file on several threads, in order, with exact error lines", "[plugins][read_jsonl]") {
  TempDir dir;
  std::string text;
  const int lines = 60'000;  // about 6 MB: six blocks
  for (int i = 0; i < lines; ++i)
    text += "{\"id\":" + std::to_string(i) + ",\"pad\":\"" + std::string(80, 'x') + "\",\"v\":" + std::to_string(i * 0.5) + "}\n";
  auto path = write(dir.path() / "big.jsonl", text);
  auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}, {"threads", 2}}, 0, {.batch_size = 1000});
  REQUIRE(gt::count_records(batches) == lines);
  auto ids = gt::ints(batches, "id");
  bool in_order = true;
  for (int i = 0; i < lines; ++i) in_order = in_order && ids[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
  for (const auto& b : batches) CHECK(b->size() <= 1000);
  text.insert(text.size() - 10 * 100, "{\"id\": nope}\n");  // somewhere in the last block
  auto bad = write(dir.path() / "bad.jsonl", text);
  const std::string expected_line = std::to_string(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(text.find("nope")), '\n') + 1);
  CHECK_THAT(error_reading(bad), Catch::StartsWith(bad + ":" + expected_line + ":"));
}

namespace {
std::string big_jsonl(int lines) {
  std::string text;
  for (int i = 0; i < lines; ++i) text += "{\"id\":" + std::to_string(i) + ",\"pad\":\"" + std::string(80, 'x') + "\"}\n";
  return text;
}
}  // namespace

// Blocks are parsed ahead as oneTBB tasks: closing the source with tasks in flight, or a
// run cancelled under it, must end at once and cleanly (the sanitizer build checks "cleanly").
TEST_CASE("read_jsonl closed or cancelled with blocks parsed ahead stops its tasks cleanly", "[plugins][read_jsonl]") {
  TempDir dir;
  const int lines = 100'000;  // about 10 MB: ten blocks
  auto path = write(dir.path() / "big.jsonl", big_jsonl(lines));

  SECTION("closed after two batches") {
    auto batches = gt::run_source(describe_read_jsonl(), {{"path", path}, {"threads", 4}}, 2, {.batch_size = 1000});
    REQUIRE(batches.size() == 2);
    CHECK(gt::ints(batches, "id").back() == 1999);
  }
  SECTION("the run's task group cancelled after the first batch") {
    gt::SourceHarness h(describe_read_jsonl(), {{"path", path}, {"threads", 4}}, {.batch_size = 1000});
    std::vector<BatchPtr> got;
    tbb::task_group run;  // stands for the engine's graph: its cancellation reaches the parse tasks
    run.run([&] {
      h.open();
      got.push_back(h.next());
      run.cancel();
      while (BatchPtr b = h.next()) got.push_back(std::move(b));
    });
    run.wait();
    h.close();
    REQUIRE_FALSE(got.empty());
    // What came is the start of the file, in order; the rest was abandoned, not reordered.
    auto ids = gt::ints(got, "id");
    CHECK(ids.size() < static_cast<std::size_t>(lines));
    bool in_order = true;
    for (std::size_t i = 0; i < ids.size(); ++i) in_order = in_order && ids[i] == static_cast<std::int64_t>(i);
    CHECK(in_order);
  }
}

// With one thread in the arena no task parses while the source waits: the source's thread
// claims each block itself, and the tasks left behind find their blocks taken (waiting for
// them in the run's arena hung with one thread).
TEST_CASE("read_jsonl parsing ahead with one thread in its arena reads every block in order", "[plugins][read_jsonl]") {
  TempDir dir;
  const int lines = 100'000;  // about 10 MB: ten blocks
  auto path = write(dir.path() / "big.jsonl", big_jsonl(lines));
  std::vector<BatchPtr> batches;
  tbb::task_arena one(1);
  one.execute([&] {
    batches = gt::run_source(describe_read_jsonl(), {{"path", path}, {"threads", 4}}, 0, {.batch_size = 1000});
  });
  std::vector<std::int64_t> expected(static_cast<std::size_t>(lines));
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(gt::ints(batches, "id") == expected);
}

// Parse speed. Hidden: run it on purpose, in a Release build: plugins_tests "[bench]"
TEST_CASE("read_jsonl parse speed", "[.][bench][read_jsonl_bench]") {
  TempDir dir;
  const auto path = dir.path() / "bench.jsonl";
  {
    std::string text;
    char line[256];
    for (int i = 0; i < 1'000'000; ++i) {
      const int n = std::snprintf(line, sizeof line,
                                  R"({"id":%d,"ts":%lld,"user":"user-%d","type":"click","value":%d.%02d,"ok":true,"tags":["a","b"]})"
                                  "\n",
                                  i, 1700000000000LL + i, i % 1000, i % 500, i % 100);
      text.append(line, static_cast<std::size_t>(n));
    }
    std::ofstream(path, std::ios::binary) << text;
  }
  const auto bytes = static_cast<double>(std::filesystem::file_size(path));
  for (int round = 0; round < 6; ++round) {
    // Parsing in read(), or on a worker per core; GR_BENCH_THREADS=N measures only N.
    const char* only = std::getenv("GR_BENCH_THREADS");
    const int threads = only ? std::atoi(only) : round % 2 == 0 ? 1 : 0;
    gt::SourceHarness h(describe_read_jsonl(), {{"path", path.string()}, {"threads", threads}});
    h.open();
    std::size_t records = 0;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    while (BatchPtr b = h.next()) records += b->size();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = cpu_seconds() - cpu_start;
    // MB per CPU second is the speed per core, whatever else the machine runs meanwhile.
    std::printf("read_jsonl threads=%d: %zu records, %.0f MB in %.3f s (%.3f s CPU): %.0f MB/s, %.0f MB per CPU second\n",
                threads, records, bytes / 1e6, s, cpu, bytes / 1e6 / s, bytes / 1e6 / cpu);
    CHECK(records == 1'000'000);
  }
}

TEST_CASE("read_jsonl hands bad lines to Context::reject_input in file order and reads on", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "mixed.jsonl", "{\"n\":1}\n{\"n\":}\n{\"n\":3}\nnope\n\n[4]\n{\"n\":6}\n");
  gt::SourceHarness h(describe_read_jsonl(), {{"path", path}}, {.batch_size = 2, .on_error = "drop"});
  h.open();
  auto batches = h.read();
  CHECK(gt::ints(batches, "n") == std::vector<std::int64_t>{1, 3, 6});
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == 3);
  CHECK(rejected[0].first == "{\"n\":}");
  CHECK_THAT(rejected[0].second, Catch::StartsWith(path + ":2:"));
  CHECK(rejected[1].first == "nope");
  CHECK_THAT(rejected[1].second, Catch::StartsWith(path + ":4"));
  CHECK(rejected[2].first == "[4]");
  CHECK_THAT(rejected[2].second, Catch::StartsWith(path + ":6") && Catch::Contains("found an array"));
}

// Bad lines spread over a big file parsed by the worker pool: every one is reported, with
// its exact line, and every good record arrives, in order.
TEST_CASE("read_jsonl on several threads reports every bad line of a big file with its line number", "[plugins][read_jsonl]") {
  TempDir dir;
  std::string text;
  std::vector<std::string> expected_lines;
  std::int64_t good = 0;
  for (int i = 0; i < 60'000; ++i) {
    if (i % 10'000 == 5) {
      text += "{\"id\": bad}\n";
      expected_lines.push_back(std::to_string(i + 1));
    } else {
      text += "{\"id\":" + std::to_string(good++) + ",\"pad\":\"" + std::string(80, 'x') + "\"}\n";
    }
  }
  auto path = write(dir.path() / "big_bad.jsonl", text);
  gt::SourceHarness h(describe_read_jsonl(), {{"path", path}, {"threads", 2}}, {.batch_size = 1000, .on_error = "route"});
  h.open();
  auto batches = h.read();
  auto ids = gt::ints(batches, "id");
  REQUIRE(static_cast<std::int64_t>(ids.size()) == good);
  bool in_order = true;
  for (std::int64_t i = 0; i < good; ++i) in_order = in_order && ids[static_cast<std::size_t>(i)] == i;
  CHECK(in_order);
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == expected_lines.size());
  for (std::size_t i = 0; i < rejected.size(); ++i)
    CHECK_THAT(rejected[i].second, Catch::StartsWith(path + ":" + expected_lines[i] + ":"));
}

// A 5 MB line among good ones: the good records arrive, the line is one bad record with its
// size and line, whether the file is parsed ahead on worker threads or in read().
TEST_CASE("read_jsonl hands a line over max_record_bytes to on_error and reads on", "[plugins][read_jsonl]") {
  TempDir dir;
  auto path = write(dir.path() / "huge.jsonl", "{\"n\":1}\n{\"s\":\"" + std::string(5 << 20, 'x') + "\"}\n{\"n\":3}\n");
  for (const std::int64_t threads : {1, 2}) {
    INFO("threads = " << threads);
    gt::SourceHarness h(describe_read_jsonl(), {{"path", path}, {"threads", threads}}, {.on_error = "route"});
    h.open();
    CHECK(gt::ints(h.read(), "n") == std::vector<std::int64_t>{1, 3});
    auto rejected = h.context().rejected_inputs();
    REQUIRE(rejected.size() == 1);
    CHECK(rejected[0].second == path + ":2: record of at least 1048577 bytes exceeds max_record_bytes = 1048576");
    CHECK(rejected[0].first == "{\"s\":\"" + std::string(1024 - 6, 'x'));  // its first 1 KiB
  }
}

// 10 MB of random bytes (no '{', so no line is an object): every non-blank line is reported
// with its line number, quickly. Before, each bad line re-scanned the rest of its block.
TEST_CASE("read_jsonl reports every line of 10 MB of garbage, in seconds", "[plugins][read_jsonl]") {
  TempDir dir;
  std::string text;
  std::vector<std::uint64_t> expected;
  std::uint64_t seed = 12345, line = 1;
  bool blank = true;
  for (std::size_t i = 0; i < 10'000'000; ++i) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    char c = static_cast<char>(seed >> 56);
    if (c == '{') c = '}';
    text += c;
    if (c == '\n') {
      if (!blank) expected.push_back(line);
      ++line;
      blank = true;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      blank = false;
    }
  }
  if (!blank) expected.push_back(line);
  auto path = write(dir.path() / "garbage.jsonl", text);
  const auto start = std::chrono::steady_clock::now();
  gt::SourceHarness h(describe_read_jsonl(), {{"path", path}, {"threads", 1}}, {.on_error = "drop"});
  h.open();
  CHECK(h.read().empty());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == expected.size());
  std::size_t wrong_lines = 0;
  for (std::size_t i = 0; i < rejected.size(); ++i)
    wrong_lines += rejected[i].second.rfind(path + ":" + std::to_string(expected[i]) + ":", 0) != 0;
  CHECK(wrong_lines == 0);
  CHECK(seconds < 30);  // ~0.3 s here; minutes when bad lines were quadratic

  // The same bytes without newlines: one record over max_record_bytes, reported once.
  text.erase(std::remove(text.begin(), text.end(), '\n'), text.end());
  write(path, text);
  gt::SourceHarness one(describe_read_jsonl(), {{"path", path}, {"threads", 1}}, {.on_error = "drop"});
  one.open();
  CHECK(one.read().empty());
  REQUIRE(one.context().rejected_inputs().size() == 1);
  CHECK_THAT(one.context().rejected_inputs()[0].second, Catch::StartsWith(path + ":1: record of at least "));
}

// The fast path's stage 1 after a bad line covers short stretches, not the rest of the block
// once per line: with a bad line every 200 (0.5 %), the bytes indexed stay a few times the
// block's (~3.5x here, a whole-block pass included); they were hundreds of times.
TEST_CASE("read_jsonl's parser indexes bad lines' blocks about once", "[plugins][read_jsonl]") {
  plugins::TextBlock block;
  std::string text;
  std::size_t bad = 0;
  for (int i = 0; i < 8000; ++i) {
    std::string line = "{\"id\":" + std::to_string(i) + ",\"user\":\"user-" + std::to_string(i % 500) + "\",\"value\":1.5}";
    if (i % 200 == 7) {
      line.resize(line.size() / 2);  // truncated: leaves a string open
      ++bad;
    }
    text += line + "\n";
  }
  block.capacity = block.size = text.size();
  block.data = std::make_unique<char[]>(text.size() + plugins::TextBlock::padding);
  std::memcpy(block.data.get(), text.data(), text.size());
  block.file = "events.jsonl";
  block.first_line = 1;
  plugins::JsonlParser parser(1024);
  std::vector<plugins::ParsedBatch> out;
  parser.parse(block, out);
  std::size_t rows = 0, rejected = 0;
  for (const auto& b : out) {
    rows += b.rows;
    rejected += b.bad_lines.size();
  }
  CHECK(rows == 8000 - bad);
  CHECK(rejected == bad);
  CHECK(out.size() == 8);  // bad lines do not split batches
  INFO("indexed " << parser.indexed_bytes() << " bytes of a " << text.size() << "-byte block");
  CHECK(parser.indexed_bytes() < 4 * text.size());
}
