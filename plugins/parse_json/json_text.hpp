#pragma once
// One field's JSON text to record fields, with read_jsonl's flattening (json_fields.hpp):
// an object's keys become fields under a prefix, anything else is one value.
#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "json_fields.hpp"

namespace graph_runner::plugins {

class JsonText {
 public:
  /// `prefix`: where an object's keys go (empty: the record root).
  explicit JsonText(std::string prefix) : fields_(std::move(prefix)) {}

  /// Parses `text` as physical row `row` of `out`: an object's members as fields of that row
  /// (`is_object` true), any other JSON value into `value` (its strings in out.arena). Returns
  /// what is wrong, with the 1-based character position, or an empty string.
  std::string parse(std::string_view text, std::size_t row, ParsedBatch& out, Value& value, bool& is_object);

 private:
  std::string parse_value(std::string_view text, std::size_t row, ParsedBatch& out, Value& value, bool& is_object);
  std::string failure(simdjson::error_code e, const char* at, std::string_view text, const std::string& what) const;

  simdjson::ondemand::parser parser_;
  JsonFields fields_;
  std::vector<char> buffer_;  // "[" text "]" and simdjson's padding
  std::string what_;
};

}  // namespace graph_runner::plugins
