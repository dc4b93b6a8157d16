#pragma once
// A record's event time in milliseconds since the Unix epoch: an int (epoch ms), a double
// (epoch ms, fraction dropped) or an RFC 3339 string ("2026-12-05T16:38:29.123Z",
// "2026-12-05T17:38:29+01:00"; 'T' or ' ' between date and time; up to 9 fraction digits).
#include <cstdint>
#include <optional>
#include <string_view>

#include "graph_runner/value.hpp"

namespace graph_runner::plugins::agg {

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);
// nullopt when `v` is null, of another type, or a string that is not RFC 3339.
std::optional<std::int64_t> event_time_ms(const Value& v);

}  // namespace graph_runner::plugins::agg
