// String functions. Lengths and offsets count bytes (UTF-8 text is not decoded).
#include <algorithm>
#include <cctype>

#include "functions.hpp"
#include "json.hpp"
#include "ops.hpp"

namespace graph_runner::expr {
namespace {

Value starts_with(CallContext& c, std::span<const Value> a) {
  return Value::of(need_string(c, a, 0).starts_with(need_string(c, a, 1)));
}
Value ends_with(CallContext& c, std::span<const Value> a) {
  return Value::of(need_string(c, a, 0).ends_with(need_string(c, a, 1)));
}
Value contains(CallContext& c, std::span<const Value> a) {
  return Value::of(need_string(c, a, 0).find(need_string(c, a, 1)) != std::string_view::npos);
}

template <int (*F)(int)>
Value map_chars(CallContext& c, std::span<const Value> a) {
  std::string s(need_string(c, a, 0));
  for (char& ch : s) ch = static_cast<char>(F(static_cast<unsigned char>(ch)));
  return c.string(s, a[0].type());
}

Value trim(CallContext& c, std::span<const Value> a) {
  std::string_view s = need_string(c, a, 0);
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return Value::string_ref("", a[0].type());
  const auto e = s.find_last_not_of(" \t\r\n");
  return Value::string_ref(s.substr(b, e - b + 1), a[0].type());  // a view of the argument: no copy
}

Value len(CallContext& c, std::span<const Value> a) {
  if (a[0].type() == Type::json) {
    std::int64_t n = 0;
    try {
      for_each_json_element(a[0].as_string(), [&](const Value&) { ++n; });
    } catch (const RowFailure&) {
      c.type_error(0, "a string or an array", a[0]);
    }
    return Value::of(n);
  }
  return Value::of(static_cast<std::int64_t>(need_string(c, a, 0).size()));
}

Value substr(CallContext& c, std::span<const Value> a) {
  std::string_view s = need_string(c, a, 0);
  const auto size = static_cast<std::int64_t>(s.size());
  std::int64_t start = need_int(c, a, 1);
  if (start < 0) start = std::max<std::int64_t>(0, size + start);
  start = std::min(start, size);
  std::int64_t count = a.size() > 2 ? need_int(c, a, 2) : size - start;
  count = std::clamp<std::int64_t>(count, 0, size - start);
  return Value::string_ref(s.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(count)), a[0].type());
}

Value replace(CallContext& c, std::span<const Value> a) {
  std::string_view s = need_string(c, a, 0), from = need_string(c, a, 1), to = need_string(c, a, 2);
  if (from.empty()) return a[0];
  std::string out;
  std::size_t p = 0;
  for (std::size_t f; (f = s.find(from, p)) != std::string_view::npos; p = f + from.size()) out.append(s.substr(p, f - p)).append(to);
  out.append(s.substr(p));
  return c.string(out, a[0].type());
}

Value split(CallContext& c, std::span<const Value> a) {
  std::string_view s = need_string(c, a, 0), sep = need_string(c, a, 1);
  std::string out = "[";
  auto piece = [&](std::string_view p) {
    if (out.size() > 1) out += ',';
    append_json(out, Value::string_ref(p));
  };
  if (sep.empty()) {
    for (std::size_t i = 0; i < s.size(); ++i) piece(s.substr(i, 1));
  } else {
    std::size_t p = 0;
    for (std::size_t f; (f = s.find(sep, p)) != std::string_view::npos; p = f + sep.size()) piece(s.substr(p, f - p));
    piece(s.substr(p));
  }
  out += ']';
  return c.string(out, Type::json);
}

Value join(CallContext& c, std::span<const Value> a) {
  if (a[0].type() != Type::json) c.type_error(0, "an array", a[0]);
  std::string_view sep = need_string(c, a, 1);
  std::string out;
  bool first = true;
  for_each_json_element(a[0].as_string(), [&](const Value& e) {
    if (!first) out.append(sep);
    first = false;
    if (e.type() == Type::string) out.append(e.as_string());
    else append_json(out, e);
  });
  return c.string(out);
}

}  // namespace

void add_string_functions(std::vector<Function>& t) {
  t.push_back({"starts_with", 2, 2, "starts_with(s, prefix)", "bool: `s` begins with `prefix`", "starts_with(path, \"/api\")", starts_with});
  t.push_back({"ends_with", 2, 2, "ends_with(s, suffix)", "bool: `s` ends with `suffix`", "ends_with(file, \".gz\")", ends_with});
  t.push_back({"contains", 2, 2, "contains(s, part)", "bool: `part` occurs in `s`", "contains(agent, \"bot\")", contains});
  t.push_back({"lower", 1, 1, "lower(s)", "string: ASCII letters in lower case", "lower(method) == \"get\"", map_chars<std::tolower>});
  t.push_back({"upper", 1, 1, "upper(s)", "string: ASCII letters in upper case", "upper(country)", map_chars<std::toupper>});
  t.push_back({"trim", 1, 1, "trim(s)", "string: without leading and trailing spaces, tabs and line breaks", "trim(name)", trim});
  t.push_back({"len", 1, 1, "len(x)", "int: bytes of a string, elements of an array", "len(tags) > 0", len});
  t.push_back({"substr", 2, 3, "substr(s, start[, count])", "string: `count` bytes (default: the rest) from byte `start` (negative: from the end)", "substr(id, 0, 8)", substr});
  t.push_back({"replace", 3, 3, "replace(s, from, to)", "string: every `from` (plain text) replaced by `to`", "replace(path, \"//\", \"/\")", replace});
  t.push_back({"split", 2, 2, "split(s, sep)", "array of strings: `s` cut at each `sep` (empty `sep`: single bytes)", "split(tags, \",\")[0]", split});
  t.push_back({"join", 2, 2, "join(array, sep)", "string: the elements joined by `sep` (non-strings as JSON)", "join(tags, \";\")", join});
}

}  // namespace graph_runner::expr
