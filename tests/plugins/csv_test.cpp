#include <catch2/catch.hpp>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_read_csv();
PluginDescriptor describe_csv();
}  // namespace graph_runner::plugins

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_csv;
using plugins::describe_read_csv;
using plugin_tests::read_file;
using plugin_tests::TempDir;

namespace {
std::string write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

std::string error_reading(const gt::ParamMap& params) {
  try {
    gt::run_source(describe_read_csv(), params);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("read_csv follows RFC 4180 quoting: delimiters, doubled quotes and newlines inside quotes", "[plugins][csv]") {
  TempDir dir;
  auto path = write(dir.path() / "q.csv",
                    "name,quote,n\r\n"
                    "\"Smith, John\",\"he said \"\"hi\"\"\",1\r\n"
                    "\"two\nlines\",plain,2\n"
                    "\n"  // a blank line is no record
                    "last,,3");
  auto batches = gt::run_source(describe_read_csv(), {{"path", path}});
  CHECK(gt::strings(batches, "name") == std::vector<std::string>{"Smith, John", "two\nlines", "last"});
  auto quote = gt::column(batches, "quote");
  CHECK(quote[0].as_string() == "he said \"hi\"");
  CHECK(quote[1].as_string() == "plain");
  CHECK(quote[2].is_null());  // an empty field
  CHECK(gt::ints(batches, "n") == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("read_csv infers int, double, bool, string and null per value", "[plugins][csv]") {
  TempDir dir;
  auto path = write(dir.path() / "types.csv",
                    "v\n42\n-7\n2.5\n1e3\ntrue\nhello\n\n007\n\"42\"\n\"\"\nnan\n9223372036854775808\n");
  auto batches = gt::run_source(describe_read_csv(), {{"path", path}});  // the values point into them
  auto v = gt::column(batches, "v");
  REQUIRE(v.size() == 11);
  CHECK(v[0] == Value::of(std::int64_t{42}));
  CHECK(v[1] == Value::of(std::int64_t{-7}));
  CHECK(v[2] == Value::of(2.5));
  CHECK(v[3] == Value::of(1000.0));
  CHECK(v[4] == Value::of(true));
  CHECK(v[5].as_string() == "hello");
  CHECK(v[6].as_string() == "007");  // a leading zero: an identifier, kept as text
  CHECK(v[7].type() == Type::string);  // quoted: text, not a number
  CHECK(v[7].as_string() == "42");
  CHECK(v[8].type() == Type::string);  // "" is the empty string, not null
  CHECK(v[9].as_string() == "nan");
  CHECK(v[10] == Value::of(9223372036854775808.0));  // beyond int64: a double
}

TEST_CASE("read_csv applies declared types and names file, line and column of a bad value", "[plugins][csv]") {
  TempDir dir;
  auto path = write(dir.path() / "users.csv", "id,age,balance,ok\n1, 30 ,\"12\",yes\n");
  CHECK_THAT(error_reading({{"path", path}, {"types", StringMap{{"age", "int"}, {"ok", "bool"}}}}),
             Catch::Equals(path + ":2: column 'ok': 'yes' is not a valid bool"));
  write(path, "id,age,balance,ok\n1, 30 ,\"12\",TRUE\n2,,,0\n");
  auto b = gt::run_source(describe_read_csv(),
                          {{"path", path}, {"types", StringMap{{"age", "int"}, {"balance", "double"}, {"ok", "bool"}, {"id", "string"}}}});
  CHECK(gt::strings(b, "id") == std::vector<std::string>{"1", "2"});
  auto age = gt::column(b, "age");
  CHECK(age[0] == Value::of(std::int64_t{30}));  // spaces around a declared number are fine
  CHECK(age[1].is_null());
  CHECK(gt::column(b, "balance")[0] == Value::of(12.0));  // a declared type reads quoted fields too
  CHECK(gt::column(b, "ok")[1] == Value::of(false));
  CHECK_THAT(error_reading({{"path", path}, {"types", StringMap{{"agee", "int"}}}}),
             Catch::Contains("`types` names column 'agee', which the header does not have"));
  CHECK_THROWS_AS(gt::run_source(describe_read_csv(), {{"path", path}, {"types", StringMap{{"age", "integer"}}}}),
                  ParamError);
}

TEST_CASE("read_csv reports rows with another number of fields than the header, and unclosed quotes, with their line",
          "[plugins][csv]") {
  TempDir dir;
  auto wide = write(dir.path() / "wide.csv", "a,b\n1,2\n1,2,3\n");
  CHECK(error_reading({{"path", wide}}) == wide + ":3: row has 3 fields, the header has 2");
  CHECK(error_reading({{"path", wide}, {"ragged", "null"}}) == wide + ":3: row has 3 fields, the header has 2");
  auto open = write(dir.path() / "open.csv", "a,b\n1,2\n3,\"never\nclosed\n");
  CHECK(error_reading({{"path", open}}) == open + ":3: a quoted field is not closed before the end of the file");
  auto narrow = write(dir.path() / "narrow.csv", "a,b,c\n1,2,3\n1\n");
  CHECK(error_reading({{"path", narrow}}) == narrow + ":3: row has 1 fields, the header has 3");
  auto headerless = write(dir.path() / "headerless.csv", "1,2\n");
  CHECK(error_reading({{"path", headerless}, {"header", false}, {"columns", std::vector<std::string>{"a", "b", "c"}}}) ==
        headerless + ":1: row has 2 fields, `columns` names 3");
}

TEST_CASE("read_csv with ragged = \"null\" fills a short row with nulls, and still rejects a long one",
          "[plugins][csv]") {
  TempDir dir;
  auto path = write(dir.path() / "ragged.csv", "a,b,c\n1\n2,x\n3,y,z,extra\n4,w,v\n");
  gt::SourceHarness h(describe_read_csv(), {{"path", path}, {"ragged", "null"}}, {.on_error = "drop"});
  h.open();
  auto b = h.read();
  CHECK(gt::ints(b, "a") == std::vector<std::int64_t>{1, 2, 4});
  auto bs = gt::column(b, "b");
  REQUIRE(bs.size() == 3);
  CHECK(bs[0].is_null());
  CHECK(bs[1].as_string() == "x");
  auto cs = gt::column(b, "c");
  REQUIRE(cs.size() == 3);
  CHECK(cs[0].is_null());  // missing trailing fields are null
  CHECK(cs[1].is_null());
  CHECK(cs[2].as_string() == "v");
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == 1);
  CHECK(rejected[0].first == "3,y,z,extra");  // an extra field is never dropped silently
  CHECK(rejected[0].second == path + ":4: row has 4 fields, the header has 3");
  CHECK_THROWS_WITH(gt::run_source(describe_read_csv(), {{"path", path}, {"ragged", "fill"}}),
                    "plugin 'csv': parameter 'ragged' must be one of error, null, got 'fill' (did you mean 'null'?)");
}

TEST_CASE("read_csv reads a glob of files, each with its own header, and headerless files", "[plugins][csv]") {
  TempDir dir;
  write(dir.path() / "a.csv", "id,x\n1,a\n");
  write(dir.path() / "b.csv", "x,id\nb,2\nc,3\n");
  auto b = gt::run_source(describe_read_csv(), {{"path", (dir.path() / "*.csv").string()}}, 0, {.batch_size = 2});
  CHECK(gt::ints(b, "id") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(gt::strings(b, "x") == std::vector<std::string>{"a", "b", "c"});
  auto semi = write(dir.path() / "semi.txt", "1;x\n2;y\n");
  auto h = gt::run_source(describe_read_csv(), {{"path", semi}, {"header", false},
                                                {"columns", std::vector<std::string>{"n", "s"}}, {"delimiter", ";"}});
  CHECK(gt::ints(h, "n") == std::vector<std::int64_t>{1, 2});
  CHECK(gt::strings(h, "s") == std::vector<std::string>{"x", "y"});
  CHECK_THROWS_AS(gt::run_source(describe_read_csv(), {{"path", semi}, {"header", false}}), ParamError);
}

TEST_CASE("csv then read_csv round-trips every value and its type", "[plugins][csv]") {
  TempDir dir;
  const auto path = (dir.path() / "out" / "round.csv").string();
  const std::vector<std::string> tricky = {"plain", "comma, inside", "quote \" inside", "new\nline", " edge ",
                                           "42", "2.5", "true", "", "007"};
  std::vector<gt::Row> rows;
  for (std::size_t i = 0; i < tricky.size(); ++i)
    rows.push_back({{"id", static_cast<int>(i)}, {"text", tricky[i]}, {"x", 0.1 * static_cast<double>(i)},
                    {"flag", i % 2 == 0}, {"none", nullptr}});
  gt::run_sink(describe_csv(), {{"path", path}}, {gt::make_batch(rows)});
  auto back = gt::run_source(describe_read_csv(), {{"path", path}});
  CHECK(gt::strings(back, "text") == tricky);
  CHECK(gt::ints(back, "id") == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto x = gt::column(back, "x");
  CHECK(x[0] == Value::of(0.0));  // written "0.0": still a double
  CHECK(x[3] == Value::of(0.1 * 3));
  CHECK(gt::column(back, "flag")[1] == Value::of(false));
  for (const Value& v : gt::column(back, "none")) CHECK(v.is_null());
}

TEST_CASE("csv writes the first batch's fields as header and leaves later new fields out", "[plugins][csv]") {
  TempDir dir;
  const auto path = (dir.path() / "h.csv").string();
  gt::SinkHarness h(describe_csv(), {{"path", path}, {"delimiter", ";"}});
  h.open();
  h.write(gt::make_batch({{{"a", 1}, {"b", "x;y"}}}));
  h.write(gt::make_batch({{{"b", "z"}, {"c", 3}}}));  // no a: empty; c: not a column
  h.close();
  CHECK(read_file(path) == "a;b\n1;\"x;y\"\n;z\n");
  REQUIRE(h.context().logs().size() == 1);
  CHECK_THAT(h.context().logs()[0], Catch::StartsWith("warn: field 'c' is not a column"));
  gt::run_sink(describe_csv(), {{"path", path}, {"delimiter", ";"}, {"append", true}}, {gt::make_batch({{{"a", 2}}})});
  CHECK(read_file(path) == "a;b\n1;\"x;y\"\n;z\n2\n");  // appended without a second header
}

TEST_CASE("csv instances writing one path share one file, columns and header", "[plugins][csv]") {
  // concurrency = N makes N instances; the second must neither truncate the file nor write a
  // header of its own, and the columns are those of the first batch any instance wrote.
  TempDir dir;
  const auto path = (dir.path() / "shared.csv").string();
  gt::SinkHarness a(describe_csv(), {{"path", path}});
  gt::SinkHarness b(describe_csv(), {{"path", path}});
  a.open();
  b.open();
  b.write(gt::make_batch({{{"a", 1}, {"b", 2}}}));
  a.write(gt::make_batch({{{"b", 3}, {"a", 4}, {"c", 5}}}));  // b's columns; c is not one
  CHECK(read_file(path) == "a,b\n1,2\n4,3\n");                 // written before close
  b.write(gt::make_batch({{{"c", 6}}}));                       // c: warned once for the file
  a.close();
  b.close();
  CHECK(read_file(path) == "a,b\n1,2\n4,3\n,\n");
  CHECK(a.context().logs().size() + b.context().logs().size() == 1);
}

TEST_CASE("csv fails the write() of a batch that cannot be written (/dev/full)", "[plugins][csv]") {
  gt::SinkHarness full(describe_csv(), {{"path", "/dev/full"}});
  full.open();
  CHECK_THROWS_WITH(full.write(gt::make_batch({{{"n", 1}}})), "csv: cannot write '/dev/full': No space left on device");
  CHECK_NOTHROW(full.close());
}

TEST_CASE("read_csv hands bad rows to Context::reject_input with FILE:LINE and reads on", "[plugins][csv]") {
  TempDir dir;
  auto path = write(dir.path() / "rows.csv", "n,s\n1,a\n2,b,extra\nx,\"multi\nline\"\n4,d\n");
  gt::SourceHarness h(describe_read_csv(), {{"path", path}, {"types", StringMap{{"n", "int"}}}}, {.on_error = "route"});
  h.open();
  auto batches = h.read();
  CHECK(gt::ints(batches, "n") == std::vector<std::int64_t>{1, 4});
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0].first == "2,b,extra");
  CHECK(rejected[0].second == path + ":3: row has 3 fields, the header has 2");
  CHECK(rejected[1].first == "x,\"multi\nline\"");  // the whole record, over both lines
  CHECK(rejected[1].second == path + ":4: column 'n': 'x' is not a valid int");
}

TEST_CASE("read_csv hands a record over max_record_bytes to on_error, one long line or a quoted field over many",
          "[plugins][csv]") {
  TempDir dir;
  std::string many_lines = "3,\"";
  for (int i = 0; i < 20; ++i) many_lines += "a line of a long quoted field\n";
  auto path = write(dir.path() / "long.csv",
                    "n,s\n1,ok\n2," + std::string(500, 'x') + "\n" + many_lines + "end\"\n4,fine\n");
  gt::SourceHarness h(describe_read_csv(), {{"path", path}, {"max_record_bytes", 100}}, {.on_error = "drop"});
  h.open();
  auto b = h.read();
  CHECK(gt::ints(b, "n") == std::vector<std::int64_t>{1, 4});  // reading goes on after each
  auto rejected = h.context().rejected_inputs();
  REQUIRE(rejected.size() == 2);
  CHECK(rejected[0].second == path + ":3: record of 502 bytes exceeds max_record_bytes = 100");
  CHECK(rejected[1].second == path + ":4: record of at least 122 bytes exceeds max_record_bytes = 100");
  CHECK_THAT(rejected[1].first, Catch::StartsWith("3,\"a line of a long quoted field\na line"));
  // A header over the limit is a bad file.
  auto wide_header = write(dir.path() / "header.csv", std::string(200, 'h') + "\n1\n");
  CHECK(error_reading({{"path", wide_header}, {"max_record_bytes", 100}}) ==
        wide_header + ":1: record of 200 bytes exceeds max_record_bytes = 100 (the header)");
}
