#include "lexer.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "expr.hpp"

namespace graph_runner::expr {
namespace {

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A string literal from `i` (at its quote); returns the position after the closing quote.
std::size_t read_string(std::string_view text, std::size_t i, Token& t) {
  const char quote = text[i];
  const std::size_t start = i++;
  while (true) {
    if (i >= text.size()) throw CompileError(start, "string not closed: a " + std::string(1, quote) + " is missing");
    const char c = text[i];
    if (c == quote) return i + 1;
    if (c != '\\') {
      t.text += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) throw CompileError(i, "string not closed: a " + std::string(1, quote) + " is missing");
    const char e = text[i + 1];
    switch (e) {
      case '"': case '\'': case '\\': case '/': t.text += e; break;
      case 'n': t.text += '\n'; break;
      case 't': t.text += '\t'; break;
      case 'r': t.text += '\r'; break;
      case 'u': {
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < 4; ++k) {
          const char h = i + 2 + k < text.size() ? text[i + 2 + k] : '\0';
          const int v = digit(h) ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
          if (v < 0) throw CompileError(i, "\\u needs 4 hex digits, e.g. \\u00e9");
          cp = cp * 16 + static_cast<std::uint32_t>(v);
        }
        append_utf8(t.text, cp);
        i += 4;
        break;
      }
      default: throw CompileError(i, std::string("unknown escape \\") + e + " (use \\\" \\' \\\\ \\n \\t \\r or \\uXXXX)");
    }
    i += 2;
  }
}

std::size_t read_number(std::string_view text, std::size_t i, Token& t) {
  const std::size_t start = i;
  while (i < text.size() && digit(text[i])) ++i;
  bool is_double = false;
  if (i + 1 < text.size() && text[i] == '.' && digit(text[i + 1])) {
    is_double = true;
    for (++i; i < text.size() && digit(text[i]);) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
    if (j < text.size() && digit(text[j])) {
      is_double = true;
      for (i = j; i < text.size() && digit(text[i]);) ++i;
    }
  }
  if (i < text.size() && ident_char(text[i])) throw CompileError(i, "a number cannot go on with '" + std::string(1, text[i]) + "'");
  t.text = std::string(text.substr(start, i - start));
  errno = 0;
  if (is_double) {
    t.kind = Tok::number;
    t.number = std::strtod(t.text.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(t.number)) throw CompileError(start, "the number " + t.text + " is beyond the range of a double");
  } else {
    t.kind = Tok::integer;
    t.integer = std::strtoll(t.text.c_str(), nullptr, 10);
    if (errno == ERANGE) {  // beyond int64: read it as a double, as JSON readers do
      t.kind = Tok::number;
      t.number = std::strtod(t.text.c_str(), nullptr);
    }
  }
  return i;
}

}  // namespace

std::string describe(const Token& t) {
  if (t.kind == Tok::end) return "the end of the expression";
  if (t.kind == Tok::string) return "a string";
  return "\"" + t.text + "\"";
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    Token t;
    t.column = i;
    if (i >= text.size()) {
      out.push_back(std::move(t));
      return out;
    }
    const char c = text[i];
    const char n = i + 1 < text.size() ? text[i + 1] : '\0';
    auto op = [&](Tok k, std::size_t len) {
      t.kind = k;
      t.text = std::string(text.substr(i, len));
      i += len;
    };
    if (digit(c)) {
      i = read_number(text, i, t);
    } else if (ident_start(c)) {
      const std::size_t s = i;
      while (i < text.size() && ident_char(text[i])) ++i;
      t.kind = Tok::ident;
      t.text = std::string(text.substr(s, i - s));
    } else if (c == '"' || c == '\'') {
      t.kind = Tok::string;
      i = read_string(text, i, t);
    } else if (c == '&' && n == '&') op(Tok::and_, 2);
    else if (c == '|' && n == '|') op(Tok::or_, 2);
    else if (c == '?' && n == '?') op(Tok::coalesce, 2);
    else if (c == '=' && n == '=') op(Tok::eq, 2);
    else if (c == '!' && n == '=') op(Tok::ne, 2);
    else if (c == '<' && n == '=') op(Tok::le, 2);
    else if (c == '>' && n == '=') op(Tok::ge, 2);
    else if (c == '=') throw CompileError(i, "'=' would assign; use '==' to compare");
    else if (c == '&' || c == '|') throw CompileError(i, std::string("'") + c + "' alone is not an operator; use '" + c + c + "'");
    else {
      static constexpr std::string_view singles = "()[],.+-*/%^!<>?:";
      static constexpr Tok kinds[] = {Tok::lparen, Tok::rparen, Tok::lbracket, Tok::rbracket, Tok::comma, Tok::dot,
                                      Tok::plus, Tok::minus, Tok::star, Tok::slash, Tok::percent, Tok::caret,
                                      Tok::bang, Tok::lt, Tok::gt, Tok::question, Tok::colon};
      const auto k = singles.find(c);
      if (k == std::string_view::npos) {
        if (c == '\0') throw CompileError(i, "the expression contains a NUL character (\\u0000)");
        const bool printable = static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f;
        throw CompileError(i, printable ? "unexpected character '" + std::string(1, c) + "'" : "unexpected byte in the expression");
      }
      op(kinds[k], 1);
    }
    out.push_back(std::move(t));
  }
}

}  // namespace graph_runner::expr
