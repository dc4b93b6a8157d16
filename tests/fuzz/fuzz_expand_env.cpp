// Fuzz target: one string to ${VAR} expansion alone (parse/expand_env), with fixed
// predefined variables so that a run does not depend on the environment's. Any input must
// end in a string or an error with a message: never a crash, a stack overflow (defaults
// nest, capped at max_expand_depth), a hang or undefined behaviour. Checked as well:
//   - text without '$' comes back unchanged;
//   - escaping every '$' as "$$" gives back exactly the input, with no error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "parse/expand_env.hpp"

namespace pd = graph_runner::engine::parse_detail;

namespace {

const pd::PredefinedVars vars = {{"A", "a"}, {"B", ""}, {"NESTED", "${A}"}, {"DOLLAR", "$$"}, {"GRAPH_DIR", "/g"}};

std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) out += c == '$' ? std::string("$$") : std::string(1, c);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<pd::ExpandError> error;
  const std::string out = pd::expand_env(text, error, vars);
  if (error && error->message.empty()) __builtin_trap();  // every refusal says why
  if (!error && text.find('$') == std::string_view::npos && out != text) __builtin_trap();

  std::optional<pd::ExpandError> escape_error;
  if (pd::expand_env(escaped(text), escape_error, vars) != text || escape_error) __builtin_trap();
  return 0;
}
