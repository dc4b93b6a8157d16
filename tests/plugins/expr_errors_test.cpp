// The record language's errors: compile errors carry the column inside the expression; run-time
// type errors are per record, naming the field, the type found and the record.
#include <catch2/catch.hpp>

#include "expr_support.hpp"

using namespace expr_tests;
namespace gt = graph_runner::testing;
using Strings = std::vector<std::string>;

TEST_CASE("syntax errors say what was expected, at which column", "[expr][errors]") {
  CHECK(compile_error("a &&") == "column 4: expected an expression after \"&&\", found the end of the expression");
  CHECK(compile_error("value >>= 0") == "column 7: expected an expression after \">\", found \">=\"");
  CHECK(compile_error("(value + 1") == "column 10: expected ')' (for the one at column 0), found the end of the expression");
  CHECK(compile_error("value + 1)") == "column 9: unbalanced ')': no '(' opens it");
  CHECK(compile_error("") == "column 0: the expression is empty");
  CHECK(compile_error("id = 3") == "column 3: '=' would assign; use '==' to compare");
  CHECK(compile_error("a & b") == "column 2: '&' alone is not an operator; use '&&'");
  CHECK(compile_error("\"open") == "column 0: string not closed: a \" is missing");
  CHECK(compile_error("'\\q'") == "column 1: unknown escape \\q (use \\\" \\' \\\\ \\n \\t \\r or \\uXXXX)");
  CHECK(compile_error("a b") == "column 2: expected an operator, found \"b\"");
  CHECK(compile_error("x ? 1") == "column 5: expected ':' of the '?' (for the one at column 2), found the end of the expression");
  CHECK(compile_error("12abc") == "column 2: a number cannot go on with 'a'");
  CHECK(compile_error(std::string(300, '(') + "1" + std::string(300, ')')).find("nests too deeply") != std::string::npos);
}

TEST_CASE("unknown functions suggest the closest; arity is checked", "[expr][errors]") {
  CHECK(compile_error("lenght(x) > 1") == "column 0: unknown function \"lenght\" (did you mean \"len\"?)");
  CHECK(compile_error("x + starts_wth(p, \"a\")") == "column 4: unknown function \"starts_wth\" (did you mean \"starts_with\"?)");
  CHECK(compile_error("frobnicate(x)") == "column 0: unknown function \"frobnicate\"");
  CHECK(compile_error("len(a, b)") == "column 0: len takes 1 argument, got 2");
  CHECK(compile_error("substr(a)") == "column 0: substr takes 2 or 3 arguments, got 1");
  CHECK(compile_error("exists(1)") == "column 7: exists takes a field path, e.g. exists(user.email)");
}

TEST_CASE("regex patterns are string literals, checked when compiled", "[expr][errors]") {
  CHECK(compile_error("matches(p, \"(unclosed\")") == "column 11: bad regular expression: missing ): (unclosed");
  CHECK(compile_error("matches(p, q)") == "column 11: matches: argument 2 must be a string literal (the regex is compiled once)");
  CHECK(compile_error("matches(p, \"" + std::string(1001, 'a') + "\")") == "column 11: regular expression longer than 1000 bytes");
  CHECK(compile_error("matches(p, \"(a{1000}){1000}\")").find("bad regular expression") != std::string::npos);  // beyond max_mem
}

TEST_CASE("constant expressions are folded; a constant that fails is a compile error", "[expr][errors]") {
  CHECK(compile_error("int(\"abc\") > 1") == "column 0: int(): cannot read string \"abc\" as an int");
  CHECK(compile_error("\"a\" * 2") == "column 4: the operand at column 0: expected a number for \"*\", found string \"a\"");
  CHECK(compile_error("1 + 2 * 3") == "compiled");
}

TEST_CASE("run-time type errors name the field, the type found and the record", "[expr][errors]") {
  auto b = gt::make_batch({{{"status", 500}}, {{"status", "abc"}}, {{"status", 200}}});
  auto r = run("status >= 500", b);
  CHECK(r.values == Strings{"true", "null", "false"});
  CHECK(r.errors == Strings{"1: field \"status\": expected a number for \">=\", found string \"abc\" (record 1 of the batch)"});
  r = run("status + 1", b);
  CHECK(r.errors == Strings{"1: field \"status\": expected a number (or two strings to join) for \"+\", found string \"abc\" (record 1 of the batch)"});
  r = run("status == 500", b);  // == across types is false, not an error
  CHECK(r.values == Strings{"true", "false", "false"});
  CHECK(r.errors.empty());
  r = run("starts_with(status, \"5\")", b);
  CHECK(r.errors.size() == 2);
  CHECK(r.errors[0] == "0: field \"status\" in starts_with(): argument 1 should be a string, found int 500 (record 0 of the batch)");
  r = run("status && true", b);
  CHECK(r.errors == Strings{"1: field \"status\": expected a bool, found string \"abc\" (record 1 of the batch)"});
}

TEST_CASE("integer overflow and % 0 fail the record", "[expr][errors]") {
  auto b = gt::make_batch({{{"n", INT64_MAX}}, {{"n", 1}}});
  auto r = run("n + 1", b);
  CHECK(r.values == Strings{"null", "int 2"});
  CHECK(r.errors == Strings{"0: \"+\" at column 2: integer overflow (int is 64-bit; use double(...)) (record 0 of the batch)"});
  r = run("n % (n - 1)", b);
  CHECK(r.errors == Strings{"1: \"%\" at column 2: division by zero (% 0) (record 1 of the batch)"});
}
