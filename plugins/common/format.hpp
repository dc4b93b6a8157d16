#pragma once
// Writing values and records as text, shared by the jsonl, stdout and http sinks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/column.hpp"
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
/// base64 string; json values (arrays, empty objects, big numbers) verbatim.
void append_json_value(std::string& out, const Value& v);

/// How a batch's columns are written as JSON objects: made once per batch (json_layout())
/// for append_json_record(). Field names are paths (graph_runner/field_path.hpp): the
/// fields of a record that share a prefix, one after the other, are written as one nested
/// object (`user.id`, `user.name` -> `"user":{"id":..,"name":..}`).
///
/// Its buffers are reused from batch to batch: sparse records make batches of a few rows
/// and a hundred columns, and a string per key and column cost more than writing the rows.
struct JsonLayout {
  struct Entry {
    const Column* column = nullptr;
    std::uint32_t first_key = 0;  // its keys are key(first_key .. first_key + levels]
    std::uint32_t levels = 0;     // objects around the value (0: a top-level name)
  };
  std::vector<Entry> columns;  // in column order
  bool nested = false;         // some name has more than one level

  /// `"key":` of level `level` (0: outermost) of `e`'s path.
  std::string_view key(const Entry& e, std::size_t level) const noexcept {
    const auto [offset, size] = keys[e.first_key + level];
    return {text.data() + offset, size};
  }

  std::string text;                                          // every `"key":`, one after the other
  std::vector<std::pair<std::uint32_t, std::uint32_t>> keys;  // (offset, size) in `text`
};

/// Fills `layout` for `batch`.
void json_layout(const Batch& batch, JsonLayout& layout);

/// Appends record `i` of `batch` (a record index: through its selection) as one JSON object
/// (no newline), fields in column order. Absent fields are left out, explicit nulls are `null`.
void append_json_record(std::string& out, const Batch& batch, std::size_t i, const JsonLayout& layout);

/// Appends a value for people to read: as JSON, but non-finite doubles print as nan/inf.
void append_readable_value(std::string& out, const Value& v);

}  // namespace graph_runner::plugins
