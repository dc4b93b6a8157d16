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

namespace graph_runner::plugins {

/// Records parsed from JSON, column by column, with the arena their long strings live in.
struct ParsedBatch {
  std::vector<Column> columns;  // in the order fields first appeared: the batch's column order
  std::size_t rows = 0;
  std::size_t capacity = 256;  // records it will hold at most
  /// Rows a column of the batch's first record reserves (at most capacity; the column grows
  /// by doubling beyond): the parser sets the size of its previous batch, so a batch of
  /// sparse records does not reserve `capacity` rows for each of its many mostly absent
  /// columns.
  std::size_t expected_rows = SIZE_MAX;
  std::size_t cells = 0;       // values set (the sparse-batch rule of BatchBuilder::full())
  bool closed = false;         // ended before a record whose keys came in another order
  std::shared_ptr<Arena> arena = std::make_shared<Arena>();
  /// Bad lines among this batch's records, in file order, for Context::reject_input: each
  /// after `row` of the batch's records, with its text and "FILE:LINE:COL: what is wrong".
  /// Kept in the batch rather than starting a new one: a batch per bad line made 0.5 % of
  /// bad lines cost 5x the batches downstream.
  struct BadLine {
    std::size_t row;
    std::string input, error;
  };
  std::vector<BadLine> bad_lines;

  /// No more records: capacity reached, ended before a reordered record, or the columns
  /// are mostly absent (the same rule as BatchBuilder::full()).
  bool full() const noexcept {
    return closed || rows >= capacity || (columns.size() > 32 && columns.size() * rows > 8 * cells + 256);
  }

  /// About the memory its columns take: what parsing ahead is bounded by (ParsePool).
  std::size_t bytes() const noexcept {
    std::size_t cells = 0;
    for (const Column& c : columns) cells += c.size();
    return columns.size() * sizeof(Column) + cells * 16;
  }

  // ---- Building record `rows` (JsonFields::add). ----
  /// Starts record `rows`.
  void begin_record() noexcept {
    record_columns_ = columns.size();
    record_cells_ = cells;
    last_index_ = -1;
    reordered_ = false;
  }
  /// Sets field `f` of record `rows` to `v` (a repeated key: the last wins). `column`: where
  /// the field's column was last seen, in this batch or another one (a hint kept by
  /// JsonFields, one per field, updated here). The field -> column map lives with the
  /// parser, not the batch: a table per batch sized by every key ever seen made sparse keys
  /// cost batches x keys (400 KB per batch for 100,000 names).
  void set(std::uint32_t& column, Field f, Value v) {
    std::uint32_t index = column;
    if (index >= columns.size() || columns[index].field() != f) {
      index = static_cast<std::uint32_t>(columns.size());
      columns.emplace_back(f, column_type_for(v.type()), 0);
      // A field the batch's first record lacks is mostly absent (sparse keys: each value a
      // column of its own): room up to its row, growing by doubling if more rows come.
      columns.back().reserve(rows == 0 ? std::min(capacity, expected_rows) : rows + 1);
      column = index;
    }
    const auto i = static_cast<std::int64_t>(index);
    if (i <= last_index_) reordered_ = true;
    last_index_ = i;
    Column& c = columns[index];
    if (c.size() <= rows) c.resize(rows + 1);
    c.set(rows, v);
    ++cells;
  }
  /// Whether record `rows` came with its keys in another order than the records before it.
  bool reordered() const noexcept { return reordered_ && rows > 0; }
  /// Ends record `rows`: it is part of the batch.
  void end_record() noexcept { ++rows; }
  /// Drops what record `rows` got so far (a record that failed half way, or came reordered).
  void drop_record();

  /// Keeps only the first `row` records (the records before a bad line under `fail`).
  void truncate(std::size_t row);
  /// Appends these records to `out` (moving the columns when `out` is empty) and keeps the
  /// arena alive with the batch. Appending to a non-empty `out` keeps each record's key order
  /// only when the columns come in an order `out`'s columns agree with (the source checks).
  void move_into(BatchBuilder& out);

 private:
  std::size_t record_columns_ = 0, record_cells_ = 0;
  std::int64_t last_index_ = -1;
  bool reordered_ = false;
};

/// Whether `json` is a non-empty object, whose members become fields with paths under its
/// key (the jsonl source, http_call's answers); empty objects stay json values. Reads only
/// its first token: "{" and the whitespace up to the next structural character.
inline bool is_nested_object(simdjson::ondemand::value& json) {
  const std::string_view token = json.raw_json_token();
  return !token.empty() && token[0] == '{' && token.data()[token.size()] != '}';
}

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
    bool comparable = false;  // the key's text has no '\', '"' or '.': its raw JSON form and its
                              // form in the path are itself
    std::uint64_t head = 0, mask = 0;
    const char* text = nullptr;  // the key at the end of the field's name (stable: field_name)
  };
  simdjson::error_code add_members(simdjson::ondemand::object& object, Field parent, ParsedBatch& batch,
                                   std::size_t& position, std::string& what, int depth);
  simdjson::error_code key_field(simdjson::ondemand::field& f, Field parent, std::size_t position, Field& out);
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
