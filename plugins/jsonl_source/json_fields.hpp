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
#include "string_cells.hpp"

namespace graph_runner::plugins {

/// Records parsed from JSON, column by column, with the arena their long strings live in.
struct ParsedBatch {
  std::vector<Column> columns;            // in the order fields first appeared: the batch's column order
  std::vector<std::uint32_t> slot_of;     // index in columns -> JsonFields slot
  std::size_t rows = 0;
  std::size_t capacity = 256;  // records it will hold at most
  /// Rows a new column reserves (at most capacity; the column grows by doubling beyond):
  /// the parser sets the size of its previous batch, so a batch of sparse records does not
  /// reserve `capacity` rows for each of its many mostly absent columns.
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
    for (const Column& c : columns) cells += std::min(c.size(), rows);  // (columns grow ahead)
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
  /// Sets field `f` (slot `slot`) of record `rows` to `v` (a repeated key: the last wins).
  /// `column`: where the slot's column was last seen, in this batch or another one (a hint
  /// kept by JsonFields, one per slot, updated here). The slot -> column map lives with the
  /// parser, not the batch: a table per batch sized by every key ever seen made sparse keys
  /// cost batches x keys (400 KB per batch for 100,000 names).
  void set(std::uint32_t slot, std::uint32_t& column, Field f, Value v) {
    Column& c = cell(slot, column, f, v.type());
    // A value of the column's type is written in place (Column::set, out of line in the
    // SDK library, cost a call, a type check and a resize per value); the rest through set().
    switch (c.type()) {
      case ColumnType::int64:
        if (v.type() != Type::int64) break;
        c.ints_for_write()[rows] = v.as_int();
        return c.mark_valid(rows);
      case ColumnType::float64:
        if (v.type() != Type::float64) break;
        c.doubles_for_write()[rows] = v.as_double();
        return c.mark_valid(rows);
      case ColumnType::boolean:
        if (v.type() != Type::boolean) break;
        c.bools_for_write()[rows] = v.as_bool() ? 1 : 0;
        return c.mark_valid(rows);
      default: break;
    }
    c.set(rows, v);
  }
  /// set() for a string or json value `s` (`t`) that stands in simdjson's padded input:
  /// copied into the arena when longer than StringView::max_inline, else into the cell.
  void set_text(std::uint32_t slot, std::uint32_t& column, Field f, std::string_view s, Type t) {
    Column& c = cell(slot, column, f, t);
    if (c.type() != (t == Type::string ? ColumnType::string : ColumnType::json)) {
      c.set(rows, Value::string_ref(s.size() <= StringView::max_inline ? s : arena->copy(s), t));
      return;
    }
    StringView& view = c.strings_for_write()[rows];
    if (s.size() <= StringView::max_inline) store_short_string(view, s);
    else store_long_string(view, arena->copy(s));
    c.mark_valid(rows);
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
  // The column of `slot` for a value of type `t` at row `rows` (the cell counted).
  Column& cell(std::uint32_t slot, std::uint32_t& column, Field f, Type t) {
    std::uint32_t index = column;
    if (index >= columns.size() || slot_of[index] != slot) index = add_column(slot, column, f, t);
    const auto i = static_cast<std::int64_t>(index);
    if (i <= last_index_) reordered_ = true;
    last_index_ = i;
    Column& c = columns[index];
    if (c.size() <= rows) grow(c);
    ++cells;
    return c;
  }
  // A new column for `slot` (its first value of type `t`), noted in the hint `column`.
  std::uint32_t add_column(std::uint32_t slot, std::uint32_t& column, Field f, Type t);
  // Makes row `rows` of `c` exist: columns grow ahead of the records (absent rows), so
  // that a record does not resize each of them; move_into() and truncate() trim them.
  void grow(Column& c) const { c.resize(std::max(rows + 1, std::min(capacity, 2 * c.size()))); }

  std::size_t record_columns_ = 0, record_cells_ = 0;
  std::int64_t last_index_ = -1;
  bool reordered_ = false;
};

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
  simdjson::error_code slot(simdjson::ondemand::field& f, std::uint32_t parent, std::size_t position,
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
