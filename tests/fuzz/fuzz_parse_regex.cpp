// Fuzz target: parse_regex's pattern compiler and matcher (plugins/parse_regex/regex_fields.*).
// The input's first line is a pattern (often hostile: nested quantifiers, huge repetitions),
// the rest lines to match. Any pattern must either compile within RE2's memory budget or be
// refused with RegexError; matching a compiled one must finish (RE2 is linear) and every
// capture must lie inside its line and convert, or fail to, without crashing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "regex_fields.hpp"

namespace gp = graph_runner::plugins;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;  // longer than the pattern limit plus a few lines adds nothing
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view pattern = input.substr(0, newline);
  std::string_view rest = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  try {
    // Declare the first group an int, to exercise the conversions and the types check.
    graph_runner::StringMap types;
    const gp::RegexFields probe(pattern, {});
    types.emplace_back(probe.groups().front().name, "int");
    const gp::RegexFields regex(pattern, types);
    std::vector<re2::StringPiece> captures;
    std::string error;
    while (true) {
      const std::size_t end = rest.find('\n');
      const std::string_view line = rest.substr(0, end);
      if (regex.match(line, captures)) {
        for (const auto& g : regex.groups()) {
          const re2::StringPiece& piece = captures.at(static_cast<std::size_t>(g.index));
          if (piece.data() == nullptr) continue;
          if (piece.data() < line.data() || piece.data() + piece.size() > line.data() + line.size()) __builtin_trap();
          graph_runner::Value v;
          for (auto c : {gp::RegexFields::Conversion::string, gp::RegexFields::Conversion::int64,
                         gp::RegexFields::Conversion::float64, gp::RegexFields::Conversion::boolean})
            if (!gp::RegexFields::convert(c, std::string_view(piece.data(), piece.size()), v, error) && error.empty())
              __builtin_trap();  // a failed conversion always says why
        }
      }
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  } catch (const gp::RegexError&) {
  }
  return 0;
}
