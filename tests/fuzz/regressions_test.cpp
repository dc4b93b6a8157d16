// Every input that crashed a fuzz target (tests/fuzz/corpus/*/crash-*), as the behaviour a
// user would notice. The corpus replay (fuzz.TARGET.corpus) feeds the raw inputs again;
// these tests say what the right answer is.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "expr/expr.hpp"
#include "jsonl_parser.hpp"
#include "regex_fields.hpp"

namespace gp = graph_runner::plugins;
namespace expr = graph_runner::expr;

namespace {

gp::TextBlock block_of(const std::string& text) {
  gp::TextBlock block;
  block.capacity = block.size = text.size();
  block.data = std::make_unique<char[]>(text.size() + gp::TextBlock::padding);
  std::copy(text.begin(), text.end(), block.data.get());
  block.file = "in.jsonl";
  block.first_line = 1;
  return block;
}

}  // namespace

// corpus/expression/crash-nul-character: muParser stopped reading at the NUL, so
// `where = "va\u0000>= 0 && value < 900"` filtered on the value of `va` alone. The record
// language's lexer refuses the byte at its column.
TEST_CASE("an expression holding a NUL character is refused with its position", "[fuzz][expression]") {
  const std::string text("va\0>= 0 && value < 900", 22);
  try {
    expr::Program p = expr::compile(text);
    FAIL("accepted, reading fields " << p.fields().size());
  } catch (const expr::CompileError& e) {
    CHECK(std::string(e.what()) == "column 2: the expression contains a NUL character (\\u0000)");
  }
}

// corpus/jsonl/crash-empty-block: simdjson's truncated_bytes() of an empty buffer is
// uninitialised; the parser computed a negative memrchr length from it.
TEST_CASE("an empty block of JSON lines parses to no records", "[fuzz][jsonl]") {
  gp::JsonlParser parser(3);
  std::vector<gp::ParsedBatch> out;
  parser.parse(block_of(""), out);
  CHECK(out.empty());
  parser.parse(block_of("{\"a\":1}\n"), out);  // and the parser still works afterwards
  REQUIRE(out.size() == 1);
  CHECK(out[0].rows == 1);
}

// corpus/expression/crash-number-beyond-double: muParser could not read 1e309 as a number
// and took it for a variable name, which the per-thread copy then failed to define -- with
// an exception not derived from std::exception, at the first batch instead of at load.
TEST_CASE("a number beyond double range is refused when the expression is compiled", "[fuzz][expression]") {
  for (const char* text : {"1e309 * 2", "x + 1e309"}) {
    INFO(text);
    CHECK_THROWS_WITH(expr::compile(text), Catch::Contains("the number 1e309 is beyond the range of a double"));
  }
  graph_runner::Batch one;
  one.set_physical_size(1);
  const expr::Program fine = expr::compile("1e308 * 1");  // the largest powers of ten still work
  auto scratch = fine.make_scratch();
  CHECK(fine.evaluate(one, *scratch).get(0) == graph_runner::Value::of(1e308));
}

// corpus/expression/crash-top-level-comma: muParser evaluates `a, b` to b, while
// is_condition() judged a -- so `x > 1, y` passed for a condition that yields y.
TEST_CASE("two comma-separated expressions are refused; commas inside function calls are fine", "[fuzz][expression]") {
  CHECK_THROWS_WITH(expr::compile("x > 1, y"), "column 5: expected an operator, found \",\"");
  const expr::Program call = expr::compile("min(x, 2) > 1");
  CHECK(call.fields() == std::vector<std::string>{"x"});
}

// parse_regex (corpus/parse_regex): hostile patterns are refused when compiled, or matched in
// time linear in the line -- never a hang nor a crash.
TEST_CASE("hostile regex patterns are refused or matched in linear time", "[fuzz][parse_regex]") {
  using graph_runner::plugins::RegexError;
  using graph_runner::plugins::RegexFields;
  CHECK_THROWS_AS(RegexFields("(?P<x>a{1000}{1000})", {}), RegexError);       // repetition beyond 1000
  CHECK_THROWS_AS(RegexFields("(?P<x>(?:x{1000}){1000})", {}), RegexError);   // nested, 10^6 in all
  CHECK_THROWS_AS(RegexFields(R"((?P<w>\pL{1000}))", {}), RegexError);        // beyond max_mem (8 MiB)
  CHECK_THROWS_AS(RegexFields("(a|aa)+$", {}), RegexError);                   // no named group
  const RegexFields nested("^(?P<a>(a+)+)$", {});
  std::vector<re2::StringPiece> captures;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(nested.match(std::string(1 << 20, 'a') + "b", captures));  // backtracking: 2^(1 MiB) steps
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(nested.match("aaaa", captures));
  CHECK(captures[1] == "aaaa");
}

// corpus/jsonl/crash-unclosed-string-at-end: a record whose string value is left open at the
// end of the block ("g":\n"00000h, the string on a line of its own). The jsonl source's scan
// for the string's end ran through the block's zero padding and past it, and so did
// simdjson's get_string(). The scan stops at a NUL now, and such a string is a bad line.
TEST_CASE("a string left open at the end of a block is a bad line and nothing is read past the block", "[fuzz][jsonl]") {
  for (const std::string& text : {std::string("{\"a\":1,\"g\":\n\"00000h"), std::string("{\"g\":\"0123456789abcdef")}) {
    INFO("block: " << text);
    gp::JsonlParser parser(3);
    std::vector<gp::ParsedBatch> out;
    parser.parse(block_of(text), out);
    std::size_t records = 0, bad = 0;
    for (const auto& b : out) {
      records += b.rows;
      bad += b.bad_lines.size();
    }
    CHECK(records == 0);
    CHECK(bad >= 1);
  }
}
