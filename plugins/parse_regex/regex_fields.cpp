#include "regex_fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace graph_runner::plugins {

namespace {
RegexFields::Conversion conversion(const std::string& group, const std::string& type) {
  if (type == "string") return RegexFields::Conversion::string;
  if (type == "int") return RegexFields::Conversion::int64;
  if (type == "double") return RegexFields::Conversion::float64;
  if (type == "bool") return RegexFields::Conversion::boolean;
  throw RegexError("types: group '" + group + "' has type '" + type + "'; expected string, int, double or bool");
}
}  // namespace

RegexFields::RegexFields(std::string_view pattern, const StringMap& types) {
  if (pattern.size() > max_pattern_bytes)
    throw RegexError("the pattern is " + std::to_string(pattern.size()) + " bytes long; at most " +
                     std::to_string(max_pattern_bytes) + " are accepted");
  re2::RE2::Options options;
  options.set_max_mem(max_mem);
  options.set_log_errors(false);  // the error goes to the user through param_error
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), options);
  if (!re->ok()) throw RegexError("RE2 refuses the pattern: " + re->error());
  const std::map<std::string, int>& named = re->NamedCapturingGroups();
  if (named.empty()) throw RegexError("the pattern has no named groups: name what to capture, e.g. (?P<ip>\\S+)");
  for (const auto& [name, index] : named) groups_.push_back(Group{name, field(name), index});
  // Fields in the pattern's order, not by name.
  std::sort(groups_.begin(), groups_.end(), [](const Group& a, const Group& b) { return a.index < b.index; });
  for (const auto& entry : types) {
    const std::string& name = entry.first;  // (clang 14 cannot capture a structured binding)
    const std::string& type = entry.second;
    auto g = std::find_if(groups_.begin(), groups_.end(), [&](const Group& x) { return x.name == name; });
    if (g == groups_.end()) throw RegexError("types: the pattern has no group named '" + name + "'");
    g->conversion = conversion(name, type);
  }
  re_ = std::move(re);
}

bool RegexFields::match(std::string_view text, std::vector<re2::StringPiece>& captures) const {
  captures.resize(static_cast<std::size_t>(re_->NumberOfCapturingGroups()) + 1);
  return re_->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), re2::RE2::UNANCHORED, captures.data(),
                    static_cast<int>(captures.size()));
}

bool RegexFields::convert(Conversion c, std::string_view text, Value& out, std::string& error) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  switch (c) {
    case Conversion::string:
      out = Value::string_ref(text);
      return true;
    case Conversion::int64: {
      std::int64_t i = 0;
      auto [p, ec] = std::from_chars(begin, end, i);
      if (ec == std::errc() && p == end && !text.empty()) {
        out = Value::of(i);
        return true;
      }
      error = ec == std::errc::result_out_of_range ? "is beyond a 64-bit int" : "is not an int";
      return false;
    }
    case Conversion::float64: {
      double d = 0;
      auto [p, ec] = std::from_chars(begin, end, d);
      if (ec == std::errc() && p == end && !text.empty() && std::isfinite(d)) {
        out = Value::of(d);
        return true;
      }
      error = "is not a finite double";
      return false;
    }
    case Conversion::boolean:
      if (text == "true" || text == "false") {
        out = Value::of(text == "true");
        return true;
      }
      error = "is not a bool (true or false)";
      return false;
  }
  return false;
}

}  // namespace graph_runner::plugins
