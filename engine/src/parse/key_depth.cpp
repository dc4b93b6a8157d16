// A cheap pass over the text before toml++ sees it: toml++ caps nested arrays and inline
// tables (TOML_MAX_NESTED_VALUES, 256) but not the parts of a header or a dotted key, and the
// tables those make are built and destroyed recursively -- 10^5 parts overflowed the stack.
// A pre-scan was chosen over parsing on a thread with a large stack: it costs one linear pass,
// gives a positioned error instead of a bigger stack that a longer input still overflows, and
// also bounds our own recursion over the parsed tree (expand_env, conversion).
#include "parse/key_depth.hpp"

#include <vector>

namespace graph_runner::engine::parse_detail {
namespace {

class KeyDepthScanner {
 public:
  explicit KeyDepthScanner(std::string_view text) : text_(text) {}

  std::optional<KeyDepthError> run() {
    while (i_ < text_.size() && !error_) {
      if (at_line_start_ && top_level()) {
        skip_blanks();
        at_line_start_ = false;
        if (peek() == '[') {
          header();
          continue;
        }
      }
      step();
    }
    return error_;
  }

 private:
  bool top_level() const { return arrays_ == 0 && inline_bases_.empty(); }
  char peek(std::size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }
  std::size_t base() const { return inline_bases_.empty() ? header_parts_ : inline_bases_.back(); }

  void advance() {
    // Never past the end, whoever calls it (a step at the end of a text ending in blanks
    // did): the text need not end in a NUL.
    if (i_ >= text_.size()) return;
    if (text_[i_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
    ++i_;
  }
  void skip_blanks() {
    while (peek() == ' ' || peek() == '\t') advance();
  }

  void check(std::size_t parts) {
    if (parts > max_key_depth)
      error_ = KeyDepthError{start_line_, start_column_,
                             "table or key nested deeper than " + std::to_string(max_key_depth) + " levels"};
  }

  void reset_run() {
    dots_ = 0;
    run_started_ = false;
  }
  void mark_run() {
    if (run_started_) return;
    run_started_ = true;
    start_line_ = line_;
    start_column_ = column_;
  }

  // [a.b.c] or [[a.b.c]]: its parts are the depth every key below it starts from.
  void header() {
    reset_run();
    mark_run();
    advance();
    if (peek() == '[') advance();
    while (i_ < text_.size() && peek() != ']' && peek() != '\n') {
      if (peek() == '.') ++dots_;
      if (peek() == '"' || peek() == '\'') skip_string();
      else advance();
    }
    header_parts_ = dots_ + 1;
    check(header_parts_);
    reset_run();
  }

  void step() {
    const char c = peek();
    switch (c) {
      case '"':
      case '\'':
        mark_run();
        skip_string();
        return;
      case '#':
        while (i_ < text_.size() && peek() != '\n') advance();
        return;
      case '.': ++dots_; break;
      case '=':
        key_parts_ = base() + dots_ + 1;
        check(key_parts_);
        reset_run();
        break;
      case '{':
        inline_bases_.push_back(key_parts_);
        reset_run();
        break;
      case '}':
        if (!inline_bases_.empty()) inline_bases_.pop_back();
        reset_run();
        break;
      case '[': ++arrays_; reset_run(); break;
      case ']': if (arrays_ > 0) --arrays_; reset_run(); break;
      case ',': reset_run(); break;
      case '\n':
        reset_run();
        at_line_start_ = true;
        break;
      case ' ':
      case '\t':
      case '\r': break;
      default: mark_run();
    }
    advance();
  }

  // Skips one string of any of the four kinds; escapes matter only in basic strings.
  void skip_string() {
    const char quote = peek();
    const bool multiline = peek(1) == quote && peek(2) == quote;
    for (int k = 0; k < (multiline ? 3 : 1); ++k) advance();
    while (i_ < text_.size()) {
      const char c = peek();
      if (c == '\\' && quote == '"') {
        advance();
        advance();
      } else if (c == quote && (!multiline || (peek(1) == quote && peek(2) == quote))) {
        for (int k = 0; k < (multiline ? 3 : 1); ++k) advance();
        while (multiline && peek() == quote) advance();  // """a"""" ends with a quote inside
        return;
      } else if (c == '\n' && !multiline) {
        return;  // unterminated: toml++ reports it
      } else {
        advance();
      }
    }
  }

  std::string_view text_;
  std::size_t i_ = 0;
  int line_ = 1, column_ = 1;
  bool at_line_start_ = true;
  std::size_t arrays_ = 0;
  std::vector<std::size_t> inline_bases_;  // depth at which each open inline table's keys start
  std::size_t header_parts_ = 0, key_parts_ = 0, dots_ = 0;
  bool run_started_ = false;
  int start_line_ = 1, start_column_ = 1;
  std::optional<KeyDepthError> error_;
};

}  // namespace

std::optional<KeyDepthError> check_key_depth(std::string_view text) { return KeyDepthScanner(text).run(); }

}  // namespace graph_runner::engine::parse_detail
