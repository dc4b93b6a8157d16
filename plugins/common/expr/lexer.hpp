#pragma once
// Tokens of the record language. Positions are 0-based byte columns in the expression text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace graph_runner::expr {

enum class Tok : std::uint8_t {
  end, integer, number, string, ident,
  lparen, rparen, lbracket, rbracket, comma, dot,
  plus, minus, star, slash, percent, caret, bang,
  lt, le, gt, ge, eq, ne, and_, or_, coalesce, question, colon,
};

struct Token {
  Tok kind = Tok::end;
  std::size_t column = 0;
  std::string text;        // identifier, the string literal's value, or the token as written
  std::int64_t integer = 0;
  double number = 0;
};

/// Splits `text` into tokens (the last one Tok::end); throws CompileError.
std::vector<Token> tokenize(std::string_view text);
/// How a token reads in a message: `"&&"`, `end of expression`.
std::string describe(const Token& t);

}  // namespace graph_runner::expr
