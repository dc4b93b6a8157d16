// The record language: literals, operators, precedence and the null rules (docs/expressions.md).
#include <catch2/catch.hpp>

#include "expr_support.hpp"

using namespace expr_tests;
namespace gt = graph_runner::testing;
using Strings = std::vector<std::string>;

TEST_CASE("literals have their types", "[expr]") {
  CHECK(value_of("42") == "int 42");
  CHECK(value_of("1.5") == "double 1.5");
  CHECK(value_of("1e3") == "double 1000");
  CHECK(value_of("true") == "true");
  CHECK(value_of("null") == "null");
  CHECK(value_of("\"POST\"") == "string \"POST\"");
  CHECK(value_of("'a\\'b'") == "string \"a'b\"");
  CHECK(value_of(R"("q\"\\\n\t\u00e9")") == "string \"q\"\\\n\t\xc3\xa9\"");
  CHECK(value_of("[1, \"a\", null]") == "json [1,\"a\",null]");
  CHECK(value_of("[]") == "json []");
  CHECK(value_of("len([]) + len([[]])") == "int 1");
  CHECK(value_of("_pi > 3.14 && _e < 2.72") == "true");  // muParser's constants
}

TEST_CASE("a folded constant keeps a string that one of its operands owned", "[expr]") {
  // Found by fuzz_expression: folding `?? ` to its first operand read that operand's string
  // after the operand was freed (strings over 12 bytes live outside the 16-byte view).
  CHECK(value_of("\"a string of over twelve bytes\" ?? \"b\"") == "string \"a string of over twelve bytes\"");
  CHECK(value_of("true ? \"another long string here\" : \"x\"") == "string \"another long string here\"");
}

TEST_CASE("arithmetic: int op int stays int, / and ^ give doubles, + joins strings", "[expr]") {
  CHECK(value_of("7 + 3") == "int 10");
  CHECK(value_of("7 - 10") == "int -3");
  CHECK(value_of("7 * 3") == "int 21");
  CHECK(value_of("7 % 3") == "int 1");
  CHECK(value_of("7 / 2") == "double 3.5");
  CHECK(value_of("8 / 2") == "double 4");
  CHECK(value_of("2 ^ 10") == "double 1024");
  CHECK(value_of("1 + 0.5") == "double 1.5");
  CHECK(value_of("-(3)") == "int -3");
  CHECK(value_of("true + true") == "int 2");  // bools count as 0 and 1, as in muParser
  CHECK(value_of("\"ab\" + \"cd\"") == "string \"abcd\"");
  CHECK(value_of("1 / 0") == "double inf");
}

TEST_CASE("precedence: unary, ^, * / %, + -, comparisons, &&, ||, ??, ?:", "[expr]") {
  CHECK(value_of("1 + 2 * 3") == "int 7");
  CHECK(value_of("(1 + 2) * 3") == "int 9");
  CHECK(value_of("-2 ^ 2") == "double -4");  // muParser: ^ binds tighter than unary minus
  CHECK(value_of("2 ^ 3 ^ 2") == "double 512");  // right-associative
  CHECK(value_of("10 - 4 - 3") == "int 3");
  CHECK(value_of("1 < 2 && 3 > 4 || 5 == 5") == "true");
  CHECK(value_of("!(1 < 2) || false") == "false");
  CHECK(value_of("null ?? 1 + 1") == "int 2");
  CHECK(value_of("1 > 2 ? 10 : 2 > 1 ? 20 : 30") == "int 20");
  CHECK(value_of("true ? 1 : 2 ?? 3") == "int 1");
}

TEST_CASE("comparisons: numbers across int and double, strings bytewise, mixed types", "[expr]") {
  CHECK(value_of("2 == 2.0") == "true");
  CHECK(value_of("2 < 2.5") == "true");
  CHECK(value_of("\"abc\" < \"abd\"") == "true");
  CHECK(value_of("\"B\" < \"a\"") == "true");  // bytewise
  CHECK(value_of("\"a\" == 1") == "false");     // different types are never equal
  CHECK(value_of("\"a\" != 1") == "true");
  CHECK(value_of("1 in [1, 2]") == "true");
  CHECK(value_of("\"PUT\" in [\"POST\", \"PUT\"]") == "true");
  CHECK(value_of("3 in [1, 2]") == "false");
}

TEST_CASE("null rules: missing fields are null, null propagates, comparisons with null are false", "[expr]") {
  auto b = gt::make_batch({{{"a", 1}}, {{"a", nullptr}}, {{"b", 2}}});
  CHECK(run("a + 1", b).values == Strings{"int 2", "null", "null"});
  CHECK(run("a > 0", b).values == Strings{"true", "false", "false"});
  CHECK(run("a <= 0", b).values == Strings{"false", "false", "false"});
  CHECK(run("a == null", b).values == Strings{"false", "true", "true"});
  CHECK(run("a != null", b).values == Strings{"true", "false", "false"});
  CHECK(run("a ?? b ?? 0", b).values == Strings{"int 1", "int 0", "int 2"});
  CHECK(run("is_null(a)", b).values == Strings{"false", "true", "true"});
  CHECK(run("exists(a)", b).values == Strings{"true", "true", "false"});  // an explicit null exists
  CHECK(run("!a", b).values == Strings{"false", "true", "true"});  // null counts as false
  CHECK(run("len(missing)", b).values == Strings{"null", "null", "null"});
  CHECK(run("a > 0 ? \"yes\" : \"no\"", b).values == Strings{"string \"yes\"", "string \"no\"", "string \"no\""});
}

TEST_CASE("null rules hold where one operand's column has no gaps and the other's has", "[expr]") {
  // `a` has a value in every record (its vectors carry no null bytes); `b` has a null and a gap.
  auto b = gt::make_batch({{{"a", 1}, {"b", 0}, {"s", "5"}},
                           {{"a", 2}, {"b", nullptr}, {"s", "x"}},
                           {{"a", 3}, {"s", "7"}},
                           {{"a", 4}, {"b", 40}, {"s", "8"}}});
  CHECK(run("a + b", b).values == Strings{"int 1", "null", "null", "int 44"});
  CHECK(run("a > b", b).values == Strings{"true", "false", "false", "false"});  // absent and null hold 0 inside
  CHECK(run("a * 2 > 4", b).values == Strings{"false", "false", "true", "true"});
  CHECK(run("a > 2 ? b : a", b).values == Strings{"int 1", "int 2", "null", "int 40"});
  CHECK(run("a > 2 ? a : 0", b).values == Strings{"int 0", "int 0", "int 3", "int 4"});
  CHECK(run("a + 1 > 2 && b > 0", b).values == Strings{"false", "false", "false", "true"});
  CHECK(run("b ?? a", b).values == Strings{"int 0", "int 2", "int 3", "int 40"});
  CHECK(run("b > 5 ? 1 : 2", b).values == Strings{"int 2", "int 2", "int 2", "int 1"});  // literals: one loop
  CHECK(run("a > 2 ? true : false", b).values == Strings{"false", "false", "true", "true"});
  CHECK(run("a > 2 ? 1.5 : 2", b).values == Strings{"int 2", "int 2", "double 1.5", "double 1.5"});
  auto r = run("a > 1 ? int(s) : a", b);  // a failed record is null in a result that has no other null
  CHECK(r.values == Strings{"int 1", "null", "int 7", "int 8"});
  CHECK(r.errors.size() == 1);
  const std::uint32_t last_three[] = {1, 2, 3};
  CHECK(run("a - b", b->select(last_three)).values == Strings{"null", "null", "int -36"});
}

TEST_CASE("&& and || short-circuit per record: the right side runs only where needed", "[expr]") {
  auto b = gt::make_batch({{{"s", "12"}, {"n", 1}}, {{"s", "abc"}, {"n", 0}}});
  // int("abc") would fail record 1; the left side decides that record first.
  auto r = run("n == 1 && int(s) > 10", b);
  CHECK(r.values == Strings{"true", "false"});
  CHECK(r.errors.empty());
  r = run("n == 0 || int(s) > 10", b);
  CHECK(r.values == Strings{"true", "true"});
  CHECK(r.errors.empty());
  r = run("n == 1 ? int(s) : -1", b);
  CHECK(r.values == Strings{"int 12", "int -1"});
  CHECK(r.errors.empty());
}

TEST_CASE("a chain of ?: over literals is one blend, and fails no record its inner conditions do not reach", "[expr]") {
  auto b = gt::make_batch({{{"v", 100.0}, {"n", 1}, {"s", "abc"}},
                           {{"v", 500.0}, {"n", 0}, {"s", "5"}},
                           {{"v", 1500.0}, {"n", 0}, {"s", "1"}},
                           {{"v", nullptr}, {"n", 0}, {"s", "xyz"}}});
  CHECK(run("v < 200 ? 0.0 : (v < 1000 ? 1.0 : 2.0)", b).values ==
        Strings{"double 0", "double 1", "double 2", "double 2"});  // a null condition counts as false
  CHECK(run("v < 200 ? (n == 1 ? 1 : 2) : (v < 1000 ? 3 : 4)", b).values == Strings{"int 1", "int 3", "int 4", "int 4"});
  const std::uint32_t some[] = {1, 2};
  CHECK(run("v < 200 ? 0.0 : (v < 1000 ? 1.0 : 2.0)", b->select(some)).values == Strings{"double 1", "double 2"});
  // int("abc") fails record 0 only if the inner condition runs there: it must not.
  auto r = run("n == 1 ? 10 : (int(s) > 3 ? 20 : 30)", b);
  CHECK(r.values == Strings{"int 10", "int 20", "int 30", "null"});
  REQUIRE(r.errors.size() == 1);  // record 3 reaches int("xyz")
  CHECK(r.errors[0].rfind("3: ", 0) == 0);
}

TEST_CASE("fields: typed columns, nested paths, quoted keys, selections", "[expr]") {
  graph_runner::BatchBuilder bb;
  for (int i = 0; i < 4; ++i) {
    const std::size_t r = bb.add_record();
    bb.set(r, graph_runner::field("user.country"), bb.string(i % 2 ? "DE" : "FR"));
    bb.set(r, graph_runner::field(graph_runner::path_join("", "my key")), graph_runner::Value::of(std::int64_t{i}));
    bb.set(r, graph_runner::field(graph_runner::path_join("user", "e.mail")), bb.string("u" + std::to_string(i) + "@example.org"));
    bb.set(r, graph_runner::field("tags"), bb.json(i == 3 ? "[]" : "[\"a\",\"b\",[1]]"));
  }
  auto all = bb.finish();
  CHECK(run("user.country", all).values == Strings{"string \"FR\"", "string \"DE\"", "string \"FR\"", "string \"DE\""});
  CHECK(run(".\"my key\" * 10", all).values == Strings{"int 0", "int 10", "int 20", "int 30"});
  CHECK(run("user.\"e.mail\"", all).values[1] == "string \"u1@example.org\"");
  CHECK(run("tags[0]", all).values == Strings{"string \"a\"", "string \"a\"", "string \"a\"", "null"});
  CHECK(run("tags[-1]", all).values[0] == "json [1]");
  CHECK(run("len(tags)", all).values == Strings{"int 3", "int 3", "int 3", "int 0"});
  CHECK(run("\"b\" in tags", all).values == Strings{"true", "true", "true", "false"});
  CHECK(run("user", all).values[0] == "null");  // an object prefix is not a field
  const std::uint32_t odd[] = {1, 3};
  auto selected = all->select(odd);
  CHECK(run("user.country + \":\" + string(.\"my key\")", selected).values == Strings{"string \"DE:1\"", "string \"DE:3\""});
  CHECK(expr::compile("user.country == \"DE\" && .\"my key\" > 1").fields() == Strings{"user.country", "my key"});
}

TEST_CASE("strings shorter and longer than 12 bytes compare and concatenate right", "[expr]") {
  auto b = gt::make_batch({{{"s", "short"}}, {{"s", "exactly12byt"}}, {{"s", "a string longer than twelve bytes"}}, {{"s", ""}}});
  CHECK(run("s == \"exactly12byt\"", b).values == Strings{"false", "true", "false", "false"});
  CHECK(run("s == \"a string longer than twelve bytes\"", b).values == Strings{"false", "false", "true", "false"});
  CHECK(run("s == \"a string longer than twelve bytez\"", b).values == Strings{"false", "false", "false", "false"});
  CHECK(run("s < \"f\"", b).values == Strings{"false", "true", "true", "true"});
  CHECK(run("s != \"\"", b).values == Strings{"true", "true", "true", "false"});
  CHECK(run("s + s", b).values[2] == "string \"a string longer than twelve bytesa string longer than twelve bytes\"");
  CHECK(run("s in [\"short\", \"a string longer than twelve bytes\"]", b).values == Strings{"true", "false", "true", "false"});
}

TEST_CASE("a filter keeps the records where the condition is true, narrowing for &&", "[expr]") {
  auto b = gt::make_batch({{{"m", "POST"}, {"p", "/api/x"}}, {{"m", "GET"}, {"p", "/api/y"}}, {{"m", "POST"}, {"p", "/web"}},
                           {{"p", "/api"}}, {{"m", "POST"}, {"p", "/api/a/long/path/here"}}});
  const expr::Program p = expr::compile("m == \"POST\" && starts_with(p, \"/api\")");
  auto s = p.make_scratch();
  std::vector<std::uint32_t> kept;
  p.filter(*b, *s, kept);
  CHECK(kept == std::vector<std::uint32_t>{0, 4});
  const std::uint32_t some[] = {1, 2, 4};
  kept.clear();
  p.filter(*b->select(some), *s, kept);
  CHECK(kept == std::vector<std::uint32_t>{2});
  // numbers as conditions: not 0 keeps (muParser's rule)
  kept.clear();
  const expr::Program n = expr::compile("len(p) - 4");
  auto sn = n.make_scratch();
  n.filter(*b, *sn, kept);
  CHECK(kept == std::vector<std::uint32_t>{0, 1, 4});  // "/web" and "/api" give 0
}

TEST_CASE("?: and ?? keep each record's value and type whatever the branches' types", "[expr]") {
  // Branches of one type are merged typed, others value by value: the results must agree.
  auto b = gt::make_batch({{{"a", 1}, {"x", 2.5}, {"s", "a string of over twelve bytes"}},
                           {{"a", -1}, {"x", nullptr}, {"s", "short"}},
                           {{"x", 7.0}}});
  CHECK(run("a > 0 ? x : x * 2", b).values == Strings{"double 2.5", "null", "double 14"});
  CHECK(run("a > 0 ? 1 : 2.0", b).values == Strings{"int 1", "double 2", "double 2"});
  CHECK(run("a > 0 ? s : \"no\"", b).values ==
        Strings{"string \"a string of over twelve bytes\"", "string \"no\"", "string \"no\""});
  CHECK(run("a > 0 ? null : s", b).values == Strings{"null", "string \"short\"", "null"});
  CHECK(run("a > 0 ? a : (x > 5 ? 0 : 1)", b).values == Strings{"int 1", "int 1", "int 0"});
  CHECK(run("x ?? a ?? -1", b).values == Strings{"double 2.5", "int -1", "double 7"});
  CHECK(run("s ?? 3", b).values == Strings{"string \"a string of over twelve bytes\"", "string \"short\"", "int 3"});
}
