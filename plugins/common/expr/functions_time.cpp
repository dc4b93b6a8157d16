// Time: instants are ints, milliseconds since 1970-01-01T00:00:00Z (UTC throughout).
#include <chrono>
#include <cstring>
#include <ctime>
#include <string>

#include "functions.hpp"

namespace graph_runner::expr {
namespace {

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm; proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// RFC 3339: 2026-12-05T16:38:29.123Z or +01:00; 'T' may be 't' or a space.
bool parse_rfc3339(std::string_view s, std::int64_t& ms) {
  int y, mo, d, h, mi, sec;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d) ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, sec))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  std::size_t i = 19;
  std::int64_t frac_ms = 0;
  if (i < s.size() && s[i] == '.') {
    int scale = 100, n = 0;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n) {
      frac_ms += (s[i] - '0') * scale;
      scale /= 10;
    }
    if (n == 0) return false;
  }
  std::int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om)) return false;
    offset_min = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  const std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  ms = secs * 1000 + frac_ms;
  return true;
}

Value parse_time(CallContext& c, std::span<const Value> a) {
  const std::string_view s = need_string(c, a, 0);
  std::int64_t ms = 0;
  if (a.size() == 1) {
    if (!parse_rfc3339(s, ms)) c.fail("cannot read \"" + std::string(s.substr(0, 40)) + "\" as an RFC 3339 time such as 2026-12-05T16:38:29Z");
    return Value::of(ms);
  }
  const std::string text(s), pattern(need_string(c, a, 1));
  std::tm tm{};
  const char* end = strptime(text.c_str(), pattern.c_str(), &tm);
  if (!end || *end != '\0') c.fail("cannot read \"" + std::string(s.substr(0, 40)) + "\" with the pattern \"" + pattern + "\"");
  const std::int64_t secs = days_from_civil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday)) * 86400 +
                            tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - tm.tm_gmtoff;
  return Value::of(secs * 1000);
}

Value format_time(CallContext& c, std::span<const Value> a) {
  const std::int64_t ms = need_int(c, a, 0);
  const std::string pattern(need_string(c, a, 1));
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) c.fail("time out of range");
  char buf[256];
  const std::size_t n = std::strftime(buf, sizeof buf, pattern.c_str(), &tm);
  if (n == 0 && !pattern.empty()) c.fail("the formatted time is empty or longer than 255 bytes");
  return c.string(std::string_view(buf, n));
}

Value now(CallContext&, std::span<const Value>) {
  using namespace std::chrono;
  return Value::of(static_cast<std::int64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()));
}

}  // namespace

void add_time_functions(std::vector<Function>& t) {
  Function p{"parse_time", 1, 2, "parse_time(s[, \"strptime pattern\"])", "int: ms since 1970 (UTC) from RFC 3339, or from the pattern; fails the record otherwise", "parse_time(ts) > parse_time(\"2026-01-01T00:00:00Z\")", parse_time};
  p.literal_arg = 1;
  t.push_back(p);
  Function f{"format_time", 2, 2, "format_time(ms, \"strftime pattern\")", "string: the instant in UTC, e.g. \"%Y-%m-%d\"", "format_time(ts_ms, \"%Y-%m-%dT%H:%M:%SZ\")", format_time};
  f.literal_arg = 1;
  t.push_back(f);
  Function n{"now", 0, 0, "now()", "int: the current time, ms since 1970 (UTC)", "now() - parse_time(ts) < 60000", now};
  n.pure = false;
  t.push_back(n);
}

}  // namespace graph_runner::expr
