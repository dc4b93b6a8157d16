#include "parse/expand_env.hpp"

#include <cstdlib>

#include "parse/toml_reader.hpp"

namespace graph_runner::engine::parse_detail {
namespace {

bool is_name_char(char c, bool first) {
  return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (!first && c >= '0' && c <= '9');
}

// Index of the '}' closing the '{' at `open`, honouring nested ${...} in defaults.
std::size_t matching_brace(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    else if (text[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::string expand_nested(std::string_view text, std::optional<ExpandError>& error, const PredefinedVars& predefined,
                          int depth);

// Expands the inside of one ${...}; false with `error` set on failure. `level` counts this
// ${...} and those around it: defaults recurse, so the level is capped before the call stack is.
bool expand_reference(std::string_view inside, std::string& out, std::optional<ExpandError>& error,
                      const PredefinedVars& predefined, int level) {
  if (level > max_expand_depth) {
    error = ExpandError{"nested ${...} deeper than " + std::to_string(max_expand_depth),
                        "a default may hold a ${...}, but not more than " + std::to_string(max_expand_depth) +
                            " levels deep"};
    return false;
  }
  std::size_t n = 0;
  while (n < inside.size() && is_name_char(inside[n], n == 0)) ++n;
  const std::string name(inside.substr(0, n));
  const std::string_view rest = inside.substr(n);
  if (name.empty() || (!rest.empty() && rest.substr(0, 2) != ":-" && rest.substr(0, 2) != ":?")) {
    error = ExpandError{"invalid variable reference '${" + std::string(inside) + "}'",
                        "write ${NAME}, ${NAME:-default} or ${NAME:?message}; $$ is a literal '$'"};
    return false;
  }
  const char* value = std::getenv(name.c_str());
  for (const auto& [defined, text] : predefined)
    if (defined == name) value = text.c_str();
  const bool unset_or_empty = value == nullptr || *value == '\0';
  if (rest.empty()) {
    if (value == nullptr) {
      error = ExpandError{"environment variable '" + name + "' is not set",
                          "set it, or give a default: ${" + name + ":-default}"};
      return false;
    }
    out += value;
  } else if (!unset_or_empty) {
    out += value;
  } else if (rest[1] == '-') {
    std::string expanded = expand_nested(rest.substr(2), error, predefined, level);
    if (error) return false;
    out += expanded;
  } else {
    std::string_view message = rest.substr(2);
    error = ExpandError{name + ": " + (message.empty() ? std::string("not set") : std::string(message)), {}};
    return false;
  }
  return true;
}

void expand_node(toml::node& node, const std::string& file, Diagnostics& diags, const PredefinedVars& predefined) {
  if (auto* s = node.as_string()) {
    std::optional<ExpandError> error;
    std::string expanded = expand_env(s->get(), error, predefined);
    if (error) diags.error(position(node, file), std::move(error->message), std::move(error->hint));
    else s->get() = std::move(expanded);  // in place: the value keeps its source position
  } else if (auto* array = node.as_array()) {
    for (auto& item : *array) expand_node(item, file, diags, predefined);
  } else if (auto* table = node.as_table()) {
    for (auto&& [key, value] : *table) expand_node(value, file, diags, predefined);
  }
}

std::string expand_nested(std::string_view text, std::optional<ExpandError>& error, const PredefinedVars& predefined,
                          int depth) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '$' || i + 1 == text.size()) {
      out += c;
    } else if (text[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (text[i + 1] == '{') {
      std::size_t close = matching_brace(text, i + 1);
      if (close == std::string_view::npos) {
        error = ExpandError{"unterminated '${' in string", "close it with '}', or write $$ for a literal '$'"};
        return {};
      }
      if (!expand_reference(text.substr(i + 2, close - i - 2), out, error, predefined, depth + 1)) return {};
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string expand_env(std::string_view text, std::optional<ExpandError>& error, const PredefinedVars& predefined) {
  return expand_nested(text, error, predefined, 0);
}

void expand_env_in_document(toml::table& root, const std::string& file, Diagnostics& diags,
                            const PredefinedVars& predefined) {
  for (auto&& [key, value] : root) expand_node(value, file, diags, predefined);
}

}  // namespace graph_runner::engine::parse_detail
