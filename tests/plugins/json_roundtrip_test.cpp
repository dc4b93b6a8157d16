// jsonl source -> jsonl sink gives every line back as it was (issue 14: nested data, sparse
// and wide records): same keys in the same order, nesting, arrays, absent keys, big numbers.
//
// Byte identity holds for canonical input: simdjson unescapes strings and the writer escapes
// again only `"`, `\` and control characters (\n \t \r \b \f, others as \u00XX), writing
// other characters as UTF-8; doubles are written in their shortest form with a ".0" kept
// ("2.5", "3.0"). So `"caf\u00e9"` comes back as `"café"` (the same JSON, other bytes), and
// `1E2` as `100.0`. Arrays, empty objects and numbers beyond int64/double are kept verbatim.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_read_jsonl();
PluginDescriptor describe_jsonl();
}  // namespace graph_runner::plugins

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::read_file;
using plugin_tests::TempDir;
using plugin_tests::write_file;

namespace {

struct RoundTrip {
  std::string text;
  std::size_t batches = 0;
};

RoundTrip round_trip(const std::string& in_path, const std::filesystem::path& out_path, std::size_t batch_size) {
  gt::Options o;
  o.batch_size = batch_size;
  auto batches = gt::run_source(plugins::describe_read_jsonl(), {{"path", in_path}, {"threads", std::int64_t{1}}}, 0, o);
  gt::run_sink(plugins::describe_jsonl(), {{"path", out_path.string()}}, batches);
  return {read_file(out_path), batches.size()};
}

const char* const nested_lines =
    R"({"id":1,"user":{"name":"ann","country":"DE","tags":["a","b"]},"score":2.5})" "\n"
    R"({"id":2,"user":{"name":"bob"},"empty":{},"list":[],"n":null})" "\n"
    R"({"id":3,"big":123456789012345678901234567890,"neg":-98765432109876543210,"huge":1e400})" "\n"
    R"({"a.b":1,"c\\d":{"e.f":"x"},"user":{"x.y":{"z":null}}})" "\n"
    R"({"s":"café \"q\" \\ /\n\t\u0001 ☃"})" "\n"
    R"({})" "\n"
    R"({"deep":{"a":{"b":{"c":1}},"d":2},"e":true,"f":false,"w":3.0,"m":[{"k":{}},null,[]]})" "\n"
    R"({"id":4})" "\n"
    R"({"user":{"country":"FR","name":"cy"},"id":5})" "\n"
    R"({"id":6,"user":{"name":null}})" "\n"
    R"({"id":7,"score":-0.125,"user":{}})" "\n"
    R"({"id":8,"u64":18446744073709551615,"i64":-9223372036854775808})" "\n";

}  // namespace

TEST_CASE("jsonl source -> jsonl sink gives each line back byte for byte", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  const std::string in = write_file(dir.path() / "in.jsonl", nested_lines);
  for (std::size_t batch_size : {std::size_t{1}, std::size_t{3}, std::size_t{256}}) {
    CAPTURE(batch_size);
    CHECK(round_trip(in, dir.path() / "out.jsonl", batch_size).text == nested_lines);
  }
}

TEST_CASE("nested objects become dotted fields, arrays and big numbers json values", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  const std::string in = write_file(dir.path() / "in.jsonl",
                                    R"({"user":{"country":"DE","e.mail":"x"},"a":[1],"b":12345678901234567890123,"e":{}})" "\n"
                                    R"({"n":null})" "\n");
  auto batches = gt::run_source(plugins::describe_read_jsonl(), {{"path", in}});
  REQUIRE(batches.size() == 1);
  const Batch& b = *batches[0];
  CHECK(b.get(0, field("user.country")).as_string() == "DE");
  CHECK(b.get(0, field("user.e\\.mail")).as_string() == "x");
  CHECK(b.get(0, field("a")).type() == Type::json);
  CHECK(b.get(0, field("a")).as_string() == "[1]");
  CHECK(b.get(0, field("b")).type() == Type::json);
  CHECK(b.get(0, field("b")).as_string() == "12345678901234567890123");
  CHECK(b.get(0, field("e")).as_string() == "{}");
  // Absent vs null.
  const Column* n = b.find(field("n"));
  REQUIRE(n);
  CHECK_FALSE(n->present(b.row(0)));
  CHECK(n->present(b.row(1)));
  CHECK_FALSE(n->valid(b.row(1)));
  CHECK_FALSE(b.find(field("user.country"))->present(b.row(1)));
}

TEST_CASE("unicode escapes are unescaped and written back as UTF-8", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  const std::string in = write_file(dir.path() / "in.jsonl", R"({"s":"caf\u00e9 \u2603 \/"})" "\n");
  CHECK(round_trip(in, dir.path() / "out.jsonl", 256).text == R"({"s":"café ☃ /"})" "\n");
}

TEST_CASE("strings of every length up to three words, an escape anywhere in them, come back as they were",
          "[plugins][jsonl][roundtrip]") {
  // The source reads a string without escapes from the input a word at a time, and packs
  // one of up to 12 bytes into its cell: every length and escape position around those sizes.
  TempDir dir;
  std::string text;
  for (std::size_t size = 0; size <= 24; ++size) {
    for (std::size_t at = 0; at <= size; ++at) {  // at == size: no escape
      std::string s(size, 'a');
      for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
      if (at < size) s.replace(at, 1, at % 2 ? "\\\\" : "\\\"");
      text += R"({"s":")" + s + R"(","a":[")" + s + R"("],"n":)" + std::to_string(size) + "}\n";
    }
  }
  // One field taking every type in turn (a mixed column), then a typed one that turns mixed.
  text += R"({"s":"x","a":[],"n":1})" "\n" R"({"s":5,"a":"[]","n":"1"})" "\n" R"({"s":[1],"a":true,"n":2.5})" "\n"
          R"({"s":true,"a":null,"n":18446744073709551615})" "\n" R"({"s":null,"a":-7,"n":false})" "\n";
  const std::string in = write_file(dir.path() / "in.jsonl", text);
  for (std::size_t batch_size : {std::size_t{1}, std::size_t{7}, std::size_t{1024}}) {
    CAPTURE(batch_size);
    CHECK(round_trip(in, dir.path() / "out.jsonl", batch_size).text == text);
  }
}

TEST_CASE("a line whose keys come in another order starts a new batch", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 50; ++i) {
    const std::string id = std::to_string(i);
    if (i % 3 == 0) text += R"({"b":)" + id + R"(,"a":"x","c":{"d":1,"e":2}})" "\n";
    else if (i % 3 == 1) text += R"({"a":"y","b":)" + id + R"(,"c":{"e":2,"d":1}})" "\n";
    else text += R"({"c":{"d":)" + id + R"(},"a":"z"})" "\n";
  }
  const std::string in = write_file(dir.path() / "in.jsonl", text);
  auto big = round_trip(in, dir.path() / "out.jsonl", 256);
  CHECK(big.text == text);
  CHECK(big.batches > 1);
  CHECK(round_trip(in, dir.path() / "out1.jsonl", 1).text == text);
}

TEST_CASE("sparse wide records: batches end early, output unchanged", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 600; ++i) text += R"({"k)" + std::to_string(i) + R"(":)" + std::to_string(i) + "}\n";
  const std::string in = write_file(dir.path() / "in.jsonl", text);
  auto r = round_trip(in, dir.path() / "out.jsonl", 256);
  CHECK(r.text == text);
  CHECK(r.batches > 3);  // not 3 batches of 256 columns x 256 rows, nearly all absent
  CHECK(round_trip(in, dir.path() / "out1.jsonl", 1).text == text);
}

TEST_CASE("one-line files fill batches across files", "[plugins][jsonl][roundtrip]") {
  TempDir dir;
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%04d.jsonl", i);
    const std::string line = R"({"id":)" + std::to_string(i) + R"(,"v":{"x":"s"}})" "\n";
    write_file(dir.path() / name, line);
    expected += line;
  }
  gt::Options o;
  auto batches = gt::run_source(plugins::describe_read_jsonl(), {{"path", (dir.path() / "*.jsonl").string()}}, 0, o);
  CHECK(batches.size() == 2);  // 256 + 44, not 300 batches of one record
  CHECK(gt::count_records(batches) == 300);
  gt::run_sink(plugins::describe_jsonl(), {{"path", (dir.path() / "out.json").string()}}, batches);
  CHECK(read_file(dir.path() / "out.json") == expected);
}
