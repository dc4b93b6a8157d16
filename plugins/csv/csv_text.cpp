#include "csv_text.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "format.hpp"

namespace graph_runner::plugins {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t i;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return i;
}

// Finite decimal numbers only: from_chars also reads "nan" and "inf", which in a CSV file
// are more likely words than numbers.
std::optional<double> parse_double(std::string_view s) {
  if (s.empty()) return std::nullopt;
  const char first = s[0] == '-' ? (s.size() > 1 ? s[1] : '\0') : s[0];
  if (!std::isdigit(static_cast<unsigned char>(first)) && first != '.') return std::nullopt;
  double d;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return d;
}

bool leading_zero(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  return s.size() > 1 && s[0] == '0' && std::isdigit(static_cast<unsigned char>(s[1]));
}

bool equals_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

std::optional<Value> inferred(std::string_view s, BatchBuilder& out) {
  if (s.empty()) return Value{};
  if (!leading_zero(s)) {
    if (auto i = parse_int(s)) return Value::of(*i);
    if (auto d = parse_double(s)) return Value::of(*d);
  }
  if (s == "true" || s == "false") return Value::of(s == "true");
  return out.string(s);
}

}  // namespace

void CsvSplitter::end_field() {
  ends_.push_back(text_.size());
  quoted_fields_.push_back(quoted_);
  quoted_ = false;
  state_ = State::start;
}

bool CsvSplitter::feed(std::string_view line) {
  if (state_ == State::quoted) {
    text_ += '\n';  // the record continues: the newline belongs to the quoted field
  } else {
    text_.clear();
    ends_.clear();
    quoted_fields_.clear();
    state_ = State::start;
    quoted_ = false;
  }
  for (char c : line) {
    switch (state_) {
      case State::start:
        if (c == '"') {
          state_ = State::quoted;
          quoted_ = true;
        } else if (c == delimiter_) {
          end_field();
        } else {
          text_ += c;
          state_ = State::unquoted;
        }
        break;
      case State::unquoted:
        if (c == delimiter_) end_field();
        else text_ += c;
        break;
      case State::quoted:
        if (c == '"') state_ = State::quote_in_quoted;
        else text_ += c;
        break;
      case State::quote_in_quoted:
        if (c == '"') {  // "" inside quotes: one quote
          text_ += '"';
          state_ = State::quoted;
        } else if (c == delimiter_) {
          end_field();
        } else {  // text after the closing quote: kept
          text_ += c;
          state_ = State::unquoted;
        }
        break;
    }
  }
  if (state_ == State::quoted) return false;
  end_field();
  fields_.clear();
  std::size_t start = 0;
  for (std::size_t i = 0; i < ends_.size(); ++i) {
    fields_.push_back(CsvField{std::string_view(text_).substr(start, ends_[i] - start), quoted_fields_[i]});
    start = ends_[i];
  }
  return true;
}

std::optional<CsvType> csv_type(std::string_view name) {
  if (name == "int") return CsvType::integer;
  if (name == "double") return CsvType::number;
  if (name == "string") return CsvType::string;
  if (name == "bool") return CsvType::boolean;
  return std::nullopt;
}

std::optional<Value> csv_value(const CsvField& f, CsvType type, BatchBuilder& out) {
  if (type == CsvType::infer) return f.quoted ? out.string(f.text) : inferred(f.text, out);
  if (type == CsvType::string) return f.text.empty() && !f.quoted ? Value{} : out.string(f.text);
  const std::string_view s = trim(f.text);
  if (s.empty()) return Value{};
  switch (type) {
    case CsvType::integer:
      if (auto i = parse_int(s[0] == '+' ? s.substr(1) : s)) return Value::of(*i);
      return std::nullopt;
    case CsvType::number:
      if (auto d = parse_double(s[0] == '+' ? s.substr(1) : s)) return Value::of(*d);
      return std::nullopt;
    case CsvType::boolean:
      if (equals_nocase(s, "true") || s == "1") return Value::of(true);
      if (equals_nocase(s, "false") || s == "0") return Value::of(false);
      return std::nullopt;
    default: return std::nullopt;
  }
}

bool csv_needs_quotes(std::string_view text, char delimiter) {
  if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.front() == '\t' || text.back() == '\t')
    return true;
  if (text.find_first_of("\"\r\n") != std::string_view::npos || text.find(delimiter) != std::string_view::npos)
    return true;
  if (text == "true" || text == "false") return true;
  return !leading_zero(text) && (parse_int(text) || parse_double(text));
}

void append_csv_field(std::string& out, std::string_view text, char delimiter) {
  if (!csv_needs_quotes(text, delimiter)) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_csv_value(std::string& out, const Value& v, char delimiter) {
  switch (v.type()) {
    case Type::null: return;  // an empty field
    case Type::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Type::int64: out += std::to_string(v.as_int()); return;
    case Type::float64:
      if (std::isfinite(v.as_double())) append_double(out, v.as_double(), false);  // else empty, as JSON's null
      return;
    case Type::string:
    case Type::json: append_csv_field(out, v.as_string(), delimiter); return;  // json: its text, verbatim
    case Type::bytes: {
      std::string text;
      append_base64(text, v.as_string());
      append_csv_field(out, text, delimiter);
      return;
    }
  }
}

}  // namespace graph_runner::plugins
