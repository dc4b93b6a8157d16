#pragma once
// A pattern with named groups (RE2) that turns text into fields: each named group is a
// field, a string or converted to a declared type. Compiled once; matching is const and
// thread-safe (RE2 objects are).
#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/params.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner::plugins {

/// A pattern RE2 refuses, or one this stage cannot use; the message quotes RE2's.
class RegexError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class RegexFields {
 public:
  /// Longest pattern accepted: a log pattern is a line; a longer one is a mistake or hostile.
  static constexpr std::size_t max_pattern_bytes = 4096;
  /// RE2's memory budget for the compiled program and its DFA caches (RE2's default is 8 MiB
  /// as well, stated here so it cannot change under us): the compile fails beyond it, and a
  /// DFA that outgrows it falls back to the NFA -- slower, still linear in the input.
  static constexpr std::int64_t max_mem = 8 << 20;

  enum class Conversion { string, int64, float64, boolean };
  struct Group {
    std::string name;
    Field field;
    int index;  // RE2's group number (1-based)
    Conversion conversion = Conversion::string;
  };

  /// Throws RegexError: a pattern too long, refused by RE2, without named groups, or `types`
  /// naming a group the pattern lacks or a type other than string, int, double or bool.
  RegexFields(std::string_view pattern, const StringMap& types);

  const std::vector<Group>& groups() const noexcept { return groups_; }

  /// Whether `text` matches (anywhere, unless the pattern anchors it). On a match
  /// `captures[i]` is group i's text (data() == nullptr: the group took no part).
  bool match(std::string_view text, std::vector<re2::StringPiece>& captures) const;

  /// `text` as a value of `c`'s type (a string value points into `text`); false with
  /// `error` set when it does not convert.
  static bool convert(Conversion c, std::string_view text, Value& out, std::string& error);

 private:
  std::unique_ptr<const re2::RE2> re_;
  std::vector<Group> groups_;
};

}  // namespace graph_runner::plugins
