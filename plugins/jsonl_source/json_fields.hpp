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

/// The keys seen so far, each known by its interned Field.
/// Most JSON lines repeat the previous line's keys in the same order, so a key is first
/// compared with the key seen at the same position last time (in the same parent object): a
/// memcmp, not a hash lookup and a Field interning per key.
///
/// Per key it keeps 4 bytes (a column hint): the names live once, in the process's field
/// table. Owning each key's path and name again here, with a hash map over them, cost ~150
/// bytes per key: 15 MB of a sparse-keys run's 65 MB for 100,000 names.
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
  static constexpr Field top{};  // the parent of top-level keys (an invalid Field)
  // The key last seen at one position of a record (members counted depth first). Keys of up
  // to 8 bytes compare as one masked 64-bit word (a memcmp call per key cost more than the
  // rest of the key lookup); longer ones with the end of the field's interned name.
  struct Seen {
    Field field;
    Field parent = top;
    std::size_t size = 0;
    bool comparable = false;  // the key's text has no '\\', '"' or '.': its raw JSON form and its
                              // form in the path are itself
    std::uint64_t head = 0, mask = 0;
    const char* text = nullptr;  // the key at the end of the field's name (stable: field_name)
  };
  simdjson::error_code add_members(simdjson::ondemand::object& object, Field parent, ParsedBatch& batch,
                                   std::size_t& position, std::string& what, int depth);
  // Sets the value `json` (whose raw token is `token`) of field `key` in record batch.rows.
  simdjson::error_code add_value(simdjson::ondemand::value& json, std::string_view token, Field key,
                                 ParsedBatch& batch);
  // The field of the key of `f`: the key seen at `position` last time, compared in line (the
  // common case, inlined into add_members), else new_key_field().
  [[gnu::always_inline]] inline simdjson::error_code key_field(simdjson::ondemand::field& f, Field parent,
                                                               std::size_t position, Field& out);
  simdjson::error_code new_key_field(simdjson::ondemand::field& f, Field parent, std::size_t position, Field& out);
  // ParsedBatch::set's hint for `f`: where its column was last seen.
  std::uint32_t& column_of(Field f) {
    if (f.id >= columns_.size()) columns_.resize(std::size_t{f.id} + 1 + f.id / 2);
    return columns_[f.id];
  }

  std::vector<std::uint32_t> columns_;  // field id -> column hint
  const ParsedBatch* batch_ = nullptr;  // the batch the column hints are about
  std::vector<Seen> by_position_;
  std::string path_;  // scratch: the path of a key being looked up
  std::string prefix_;
};

}  // namespace graph_runner::plugins
