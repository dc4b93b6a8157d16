#pragma once
// Reading arrays kept as JSON text (Type::json columns, array literals, split()): indexing
// (`tags[0]`), `in`, join(). simdjson's DOM parser, one per thread.
#include <functional>
#include <string_view>

#include "graph_runner/batch.hpp"

namespace graph_runner::expr {

/// Calls `f` with each element of the JSON array `text` (strings point into a per-thread
/// buffer: valid during the call). Throws RowFailure when `text` is not valid JSON.
void for_each_json_element(std::string_view text, const std::function<void(const Value&)>& f);
/// Element `index` of the JSON array `text` (negative: from the end), null when out of range;
/// strings, arrays and objects are copied into `arena`.
Value json_element(std::string_view text, std::int64_t index, Arena& arena);

bool compare_equal_loosely(const Value& a, const Value& b);

}  // namespace graph_runner::expr
