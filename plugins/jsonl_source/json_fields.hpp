#pragma once
// From simdjson On-Demand values to record fields (SDK 2.0), for the jsonl source: the typed
// columns of a batch of records, built outside any BatchBuilder so that a worker thread can
// build it.
//
// Nested data: a non-empty object is flattened into fields with dotted paths
// (graph_runner/field_path.hpp: `{"user":{"country":"DE"}}` is the field `user.country`);
// arrays, empty objects and numbers beyond int64/double (big integers: their digits) are
// Type::json values, their JSON text kept verbatim. A key the line lacks stays absent; a
// JSON null is an explicit null. The JSON writers (plugins/common/format.hpp) nest the
// paths again and write the columns in batch order, so a batch keeps every record's key
// order: a record whose keys come in another order than the batch's columns starts a new
// batch (ParsedBatch::reordered()).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "graph_runner/batch.hpp"
#include "graph_runner/column.hpp"
#include "parsed_batch.hpp"

namespace graph_runner::plugins {

/// Whether `json` is a non-empty object, whose members become fields with paths under its
/// key (the jsonl source, http_call's answers); empty objects stay json values. Reads only
/// its first token: "{" and the whitespace up to the next structural character.
inline bool is_nested_object(std::string_view token) {
  return !token.empty() && token[0] == '{' && token.data()[token.size()] != '}';
}
inline bool is_nested_object(simdjson::ondemand::value& json) { return is_nested_object(json.raw_json_token()); }

/// Converts one JSON scalar or verbatim value: numbers to int (integers that fit int64),
/// double, or json (integers beyond 64 bits, numbers beyond double: their text); strings
/// (copied into `arena`; with `copy_short = false` a string of up to 12 bytes points into
/// the parser's buffer, for a caller that sets it into a column at once), bools, null; arrays
/// and objects to json values of their text (verbatim). Used by http_call for values it
/// does not flatten.
simdjson::error_code to_value(simdjson::ondemand::value& json, Arena& arena, Value& result, bool copy_short = true);

/// The keys seen so far, each a slot (a field path) with its interned Field. Most JSON lines
/// repeat the previous line's keys in the same order, so a key is first compared with the key
/// seen at the same position last time (in the same parent object): a memcmp, not a hash
/// lookup and a Field interning per key.
class JsonFields {
 public:
  /// `prefix` (a path, escaped; empty: the top level): the object's keys become fields under
  /// it, `prefix.key` (parse_json's `target`).
  explicit JsonFields(std::string prefix = {}) : prefix_(std::move(prefix)) {}
  /// Adds the members of `object` as record `batch.rows` of `batch`, non-empty objects
  /// flattened into paths. Does not end the record (see ParsedBatch::end_record()). On an
  /// error, `what` says where.
  simdjson::error_code add(simdjson::ondemand::object& object, ParsedBatch& batch, std::string& what);

 private:
  static constexpr std::uint32_t top = UINT32_MAX;  // the parent slot of top-level keys
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // The key last seen at one position of a record (members counted depth first). Keys of up
  // to 8 bytes compare as one masked 64-bit word (a memcmp call per key cost more than the
  // rest of the key lookup).
  struct Seen {
    std::uint32_t slot = 0;
    std::uint32_t parent = top;
    std::size_t size = 0;
    bool comparable = false;  // the key's text has no '\\' or '"': its raw JSON form is itself
    std::uint64_t head = 0, mask = 0;
  };
  struct Slot {
    std::string path;      // escaped (field_path.hpp)
    std::string key;       // the key within its parent, unescaped
    Field field;           // interned when first used as a field
    std::uint32_t column = 0;  // its column in the batch being built (ParsedBatch::set's hint)
  };
  simdjson::error_code add_members(simdjson::ondemand::object& object, std::uint32_t parent, ParsedBatch& batch,
                                   std::size_t& position, std::string& what, int depth);
  // Sets the value `json` (whose raw token is `token`) of slot `s` in record batch.rows.
  simdjson::error_code add_value(simdjson::ondemand::value& json, std::string_view token, std::uint32_t s,
                                 ParsedBatch& batch);
  // The slot of the key of `f`: the key seen at `position` last time, compared in line (the
  // common case, inlined into add_members), else new_slot().
  [[gnu::always_inline]] inline simdjson::error_code slot(simdjson::ondemand::field& f, std::uint32_t parent,
                                                          std::size_t position, std::uint32_t& out_slot);
  simdjson::error_code new_slot(simdjson::ondemand::field& f, std::uint32_t parent, std::size_t position,
                                std::uint32_t& out_slot);
  Field field_of(std::uint32_t s) {
    Slot& slot = slots_[s];
    if (!slot.field.valid()) slot.field = field(slot.path);
    return slot.field;
  }

  std::vector<Slot> slots_;
  const ParsedBatch* batch_ = nullptr;  // the batch the slots' column hints are about
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> by_path_;
  std::vector<Seen> by_position_;
  std::string path_;  // scratch: the path of a key being looked up
  std::string prefix_;
};

}  // namespace graph_runner::plugins
