#pragma once
// The JSON response of an http_call request -> items: per item of the response, the values
// of the fields the stage takes, its key and its keep flag. Matching items to records and
// merging them is merge.hpp's job.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

/// A response the stage cannot use at all (not JSON, not the expected shape): the call
/// fails as a permanent error.
class ResponseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ResponseSpec {
  std::vector<std::string> take;  ///< response fields to take; with take_all: every field
  bool take_all = false;          ///< every field but `key` and `keep`
  std::string key;                ///< the response's key field ("": not matching by key)
  std::string keep;               ///< filter mode: the bool field of an object item ("": not filtering)
  std::string results;            ///< the member of a top-level object holding the items ("": none)
};

struct ResponseItem {
  enum class Kind : std::uint8_t { object, boolean, null, other, failed };
  Kind kind = Kind::null;
  std::vector<std::pair<std::uint32_t, Value>> values;  ///< (slot, value): the taken fields it has
  std::optional<std::string> key;                       ///< the key as text (see key_text)
  std::optional<bool> keep;                             ///< a bool item, or its `keep` field when a bool
  std::string problem;  ///< failed: why (its record is rejected); else why `keep` is missing
};

struct ResponseItems {
  std::vector<ResponseItem> items;
  std::shared_ptr<Arena> arena = std::make_shared<Arena>();  ///< the items' strings
};

/// A value as key text: strings as their content, numbers in JSON (integral doubles as
/// integers, so 7 and 7.0 match), bools as true/false; false (no key) for null and bytes.
bool key_text(const Value& v, std::string& out);

class ResponseParser {
 public:
  explicit ResponseParser(ResponseSpec spec);

  /// The items of a response to a batch: a JSON array, NDJSON (objects one after the
  /// other), or with `results` an object whose member holds the array. Appends to `out`.
  void parse_batch(std::string_view body, ResponseItems& out);
  /// The item of a response to one record: one JSON value. Appends one item to `out`.
  void parse_record(std::string_view body, ResponseItems& out);

  /// The response field name of each slot (slots grow with take_all as fields appear, and
  /// with the paths of a taken member's nested object: `user` taken gives `user.country`).
  const std::vector<std::string>& slot_names() const noexcept { return names_; }

 private:
  template <class Json>
  simdjson::error_code read_item(Json& json, ResponseItems& out);
  simdjson::error_code read_object(simdjson::ondemand::object& object, ResponseItem& item, Arena& arena);
  static simdjson::error_code as_nested(simdjson::ondemand::value& json, simdjson::ondemand::object& object, bool& nested);
  simdjson::error_code read_nested(simdjson::ondemand::object& object, std::string& path, ResponseItem& item,
                                   Arena& arena, int depth);
  // Objects nested deeper are kept as json text (a hostile answer cannot recurse without end).
  static constexpr int max_nesting = 64;
  // The slot of response field `name`, or -1 when the stage does not take it.
  std::int64_t slot_of(std::string_view name);
  std::uint32_t add_slot(std::string_view name);

  ResponseSpec spec_;
  simdjson::ondemand::parser parser_;
  std::unordered_map<std::string, std::uint32_t> slots_;
  std::vector<std::string> names_;
};

}  // namespace graph_runner::plugins
