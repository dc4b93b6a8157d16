// The record language's functions: strings, regex, conversions, time, math (docs/expressions.md).
#include <catch2/catch.hpp>

#include "expr_support.hpp"

using namespace expr_tests;
namespace gt = graph_runner::testing;
using Strings = std::vector<std::string>;

TEST_CASE("string functions", "[expr][functions]") {
  CHECK(value_of("starts_with(\"/api/x\", \"/api\")") == "true");
  CHECK(value_of("ends_with(\"a.gz\", \".gz\")") == "true");
  CHECK(value_of("contains(\"googlebot/2\", \"bot\")") == "true");
  CHECK(value_of("lower(\"MiXeD\")") == "string \"mixed\"");
  CHECK(value_of("upper(\"de\")") == "string \"DE\"");
  CHECK(value_of("trim(\"  x y \\t\")") == "string \"x y\"");
  CHECK(value_of("len(\"h\\u00e9\")") == "int 3");  // bytes
  CHECK(value_of("substr(\"abcdef\", 2)") == "string \"cdef\"");
  CHECK(value_of("substr(\"abcdef\", 1, 3)") == "string \"bcd\"");
  CHECK(value_of("substr(\"abcdef\", -2)") == "string \"ef\"");
  CHECK(value_of("substr(\"abc\", 10, 3)") == "string \"\"");
  CHECK(value_of("replace(\"a//b//c\", \"//\", \"/\")") == "string \"a/b/c\"");
  CHECK(value_of("split(\"a,b,,c\", \",\")") == "json [\"a\",\"b\",\"\",\"c\"]");
  CHECK(value_of("split(\"a,b\", \",\")[1]") == "string \"b\"");
  CHECK(value_of("join(split(\"a,b,c\", \",\"), \"-\")") == "string \"a-b-c\"");
  CHECK(value_of("join([1, \"x\", true], \"+\")") == "string \"1+x+true\"");
}

TEST_CASE("string functions over columns, with views longer and shorter than 12 bytes", "[expr][functions]") {
  auto b = gt::make_batch({{{"p", "/api/users/42"}}, {{"p", "/a"}}, {{"p", "/static/very/long/asset/path.css"}}, {{"q", 1}}});
  CHECK(run("starts_with(p, \"/api\")", b).values == Strings{"true", "false", "false", "null"});
  CHECK(run("ends_with(p, \".css\")", b).values == Strings{"false", "false", "true", "null"});
  CHECK(run("contains(p, \"long\")", b).values == Strings{"false", "false", "true", "null"});
  CHECK(run("upper(p)", b).values[1] == "string \"/A\"");
  CHECK(run("substr(p, 1, 3)", b).values == Strings{"string \"api\"", "string \"a\"", "string \"sta\"", "null"});
}

TEST_CASE("regex functions use RE2, compiled once", "[expr][functions]") {
  auto b = gt::make_batch({{{"p", "/api/v2/users/42"}}, {{"p", "/web"}}, {{"p", "/api/v10/orders/7/items/9"}}});
  CHECK(run("matches(p, \"^/api/v[0-9]+/\")", b).values == Strings{"true", "false", "true"});
  CHECK(run("extract(p, \"/(users|orders)/([0-9]+)\")", b).values == Strings{"string \"users\"", "null", "string \"orders\""});
  CHECK(run("extract(p, \"[0-9]+\")", b).values == Strings{"string \"2\"", "null", "string \"10\""});  // no group: the match
  CHECK(run("replace_all(p, \"[0-9]+\", \"N\")", b).values[2] == "string \"/api/vN/orders/N/items/N\"");
  CHECK(run("replace_all(p, \"/([a-z]+)\", \"<\\\\1>\")", b).values[1] == "string \"<web>\"");
}

TEST_CASE("conversions", "[expr][functions]") {
  CHECK(value_of("int(\"500\")") == "int 500");
  CHECK(value_of("int(\"-7\")") == "int -7");
  CHECK(value_of("int(2.9)") == "int 2");
  CHECK(value_of("int(true)") == "int 1");
  CHECK(value_of("double(\"1.5e3\")") == "double 1500");
  CHECK(value_of("double(2)") == "double 2");
  CHECK(value_of("string(42)") == "string \"42\"");
  CHECK(value_of("string(0.1)") == "string \"0.1\"");
  CHECK(value_of("string(true)") == "string \"true\"");
  CHECK(value_of("bool(\"true\")") == "true");
  CHECK(value_of("bool(0)") == "false");
  CHECK(value_of("type_of(null)") == "string \"null\"");
  CHECK(value_of("type_of([1])") == "string \"array\"");
  CHECK(value_of("type_of(1.5)") == "string \"double\"");
  CHECK(value_of("hash(\"a\")") == "int " + std::to_string(static_cast<std::int64_t>(0xaf63dc4c8601ec8cull)));  // FNV-1a 64
}

TEST_CASE("a conversion that cannot read its argument fails the record, never null", "[expr][functions]") {
  auto b = gt::make_batch({{{"s", "12"}}, {{"s", "abc"}}, {{"s", "7"}}});
  auto r = run("int(s) * 2", b);
  CHECK(r.values == Strings{"int 24", "null", "int 14"});
  CHECK(r.errors == Strings{"1: int(): cannot read string \"abc\" as an int (record 1 of the batch)"});
  CHECK(run("int(s) ?? 0", b).errors.size() == 1);  // ?? does not hide a failure
}

TEST_CASE("time functions: RFC 3339, patterns, UTC", "[expr][functions]") {
  CHECK(value_of("parse_time(\"1970-01-01T00:00:01Z\")") == "int 1000");
  CHECK(value_of("parse_time(\"2026-12-05T16:38:29.5+01:00\")") == "int 1796485109500");
  CHECK(value_of("parse_time(\"05/12/2026 10:00\", \"%d/%m/%Y %H:%M\")") == "int 1796464800000");
  CHECK(value_of("format_time(1796485109500, \"%Y-%m-%dT%H:%M:%SZ\")") == "string \"2026-12-05T15:38:29Z\"");
  auto r = run("parse_time(t)", gt::make_batch({{{"t", "yesterday"}}}));
  CHECK(r.errors == Strings{"0: parse_time(): cannot read \"yesterday\" as an RFC 3339 time such as 2026-12-05T16:38:29Z (record 0 of the batch)"});
  CHECK(value_of("now() > parse_time(\"2020-01-01T00:00:00Z\")") == "true");
}

TEST_CASE("math functions", "[expr][functions]") {
  CHECK(value_of("abs(-3)") == "int 3");
  CHECK(value_of("abs(-2.5)") == "double 2.5");
  CHECK(value_of("min(3, 1, 2)") == "int 1");
  CHECK(value_of("max(1, 2.5)") == "double 2.5");
  CHECK(value_of("sqrt(16)") == "double 4");
  CHECK(value_of("floor(2.7)") == "double 2");
  CHECK(value_of("ceil(2.1)") == "double 3");
  CHECK(value_of("round(2.5)") == "double 3");
  CHECK(value_of("rint(2.5)") == "double 2");
  CHECK(value_of("pow(2, 8)") == "double 256");
  CHECK(value_of("log(1)") == "double 0");
  CHECK(value_of("log10(1000)") == "double 3");
  CHECK(value_of("exp(0)") == "double 1");
  CHECK(value_of("sin(0) + cos(0)") == "double 1");
  CHECK(value_of("sign(-4)") == "double -1");
}

TEST_CASE("every function's documented example compiles", "[expr][functions]") {
  const auto docs = expr::function_docs();
  CHECK(docs.size() >= 40);
  for (const auto& d : docs) {
    INFO(d.name << ": " << d.example);
    CHECK(compile_error(std::string(d.example)) == "compiled");
  }
  CHECK(expr::function_table_markdown().find("| `matches(s, \"regex\")` |") != std::string::npos);
}
