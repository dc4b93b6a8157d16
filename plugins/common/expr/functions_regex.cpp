// Regular expressions (RE2: linear time, safe on untrusted input). The pattern is a string
// literal, compiled once when the expression is (Node::regex); matching is thread-safe.
#include <re2/re2.h>

#include "functions.hpp"

namespace graph_runner::expr {
namespace {

re2::StringPiece piece(std::string_view s) { return re2::StringPiece(s.data(), s.size()); }

Value matches(CallContext& c, std::span<const Value> a) {
  return Value::of(re2::RE2::PartialMatch(piece(need_string(c, a, 0)), *c.node().regex));
}

Value extract(CallContext& c, std::span<const Value> a) {
  const re2::RE2& re = *c.node().regex;
  const std::string_view s = need_string(c, a, 0);
  re2::StringPiece groups[2];
  const int n = re.NumberOfCapturingGroups() >= 1 ? 2 : 1;
  if (!re.Match(piece(s), 0, s.size(), re2::RE2::UNANCHORED, groups, n)) return Value{};
  const re2::StringPiece& g = groups[n - 1];
  if (g.data() == nullptr) return Value{};  // the group did not take part in the match
  return Value::string_ref(std::string_view(g.data(), g.size()), a[0].type());  // a view of the argument
}

Value replace_all(CallContext& c, std::span<const Value> a) {
  std::string s(need_string(c, a, 0));
  const std::string_view rewrite = need_string(c, a, 2);
  std::string error;
  if (!c.node().regex->CheckRewriteString(piece(rewrite), &error)) c.fail("bad replacement: " + error);
  re2::RE2::GlobalReplace(&s, *c.node().regex, piece(rewrite));
  return c.string(s, a[0].type());
}

}  // namespace

void add_regex_functions(std::vector<Function>& t) {
  t.push_back({"matches", 2, 2, "matches(s, \"regex\")", "bool: the RE2 regex matches somewhere in `s` (anchor with ^ $)", "matches(path, \"^/api/v[0-9]+/\")", matches, false, true, 1});
  t.push_back({"extract", 2, 2, "extract(s, \"regex\")", "string: the first capture group (the whole match without groups), null when no match", "extract(path, \"/users/([0-9]+)\")", extract, false, true, 1});
  t.push_back({"replace_all", 3, 3, "replace_all(s, \"regex\", rewrite)", "string: every match replaced; `\\1` in `rewrite` is group 1", "replace_all(msg, \"[0-9]+\", \"N\")", replace_all, false, true, 1});
}

}  // namespace graph_runner::expr
