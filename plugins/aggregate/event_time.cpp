#include "event_time.hpp"

#include <cmath>

namespace graph_runner::plugins::agg {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view s) {
  std::size_t p = 0;
  int year, month, day, hour, minute, second;
  if (!digits(s, p, 4, year) || !expect(s, p, '-') || !digits(s, p, 2, month) || !expect(s, p, '-') ||
      !digits(s, p, 2, day))
    return std::nullopt;
  if (p >= s.size() || (s[p] != 'T' && s[p] != 't' && s[p] != ' ')) return std::nullopt;
  ++p;
  if (!digits(s, p, 2, hour) || !expect(s, p, ':') || !digits(s, p, 2, minute) || !expect(s, p, ':') ||
      !digits(s, p, 2, second))
    return std::nullopt;
  static constexpr int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > month_days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0)) return std::nullopt;
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;  // 60: a leap second
  std::int64_t ms = 0;
  if (p < s.size() && s[p] == '.') {
    ++p;
    std::size_t n = 0;
    std::int64_t scale = 100;
    for (; p < s.size() && s[p] >= '0' && s[p] <= '9'; ++p, ++n) {
      if (n < 3) ms += (s[p] - '0') * scale;
      scale /= 10;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  std::int64_t offset_minutes = 0;
  if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
    ++p;
  } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
    const int sign = s[p++] == '-' ? -1 : 1;
    int oh, om;
    if (!digits(s, p, 2, oh) || !expect(s, p, ':') || !digits(s, p, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;  // RFC 3339 requires the offset
  }
  if (p != s.size()) return std::nullopt;
  const std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
                               hour * 3600 + minute * 60 + std::min(second, 59) - offset_minutes * 60;
  return seconds * 1000 + ms;
}

std::optional<std::int64_t> event_time_ms(const Value& v) {
  switch (v.type()) {
    case Type::int64: return v.as_int();
    case Type::float64:
      if (!std::isfinite(v.as_double()) || std::fabs(v.as_double()) > 9e18) return std::nullopt;
      return static_cast<std::int64_t>(std::floor(v.as_double()));
    case Type::string: return parse_rfc3339_ms(v.as_string());
    default: return std::nullopt;
  }
}

}  // namespace graph_runner::plugins::agg
