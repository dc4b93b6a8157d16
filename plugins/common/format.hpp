#pragma once
// Writing values as text, shared by the jsonl and stdout sinks.
#include <string>
#include <string_view>

#include "graph_runner/value.hpp"

namespace graph_runner::plugins {

/// Appends `s` as a JSON string literal: quoted, with `"`, `\` and control characters
/// escaped; invalid UTF-8 bytes become U+FFFD so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

/// Appends the shortest text that reads back as exactly `d` (std::to_chars). An integral
/// value keeps a ".0" (`3.0`, not `3`) so a reader still sees a double. Non-finite values
/// are `null` when `json` is true (JSON has no NaN), else `nan`, `inf`, `-inf`.
void append_double(std::string& out, double d, bool json);

/// Appends `bytes` in standard base64 (with padding).
void append_base64(std::string& out, std::string_view bytes);

/// Appends a value as JSON: null, true/false, integers, doubles, strings; bytes are a
/// base64 string.
void append_json_value(std::string& out, const Value& v);

/// Appends a value for people to read: as JSON, but non-finite doubles print as nan/inf.
void append_readable_value(std::string& out, const Value& v);

}  // namespace graph_runner::plugins
