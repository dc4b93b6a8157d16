#pragma once
// From simdjson On-Demand values to record fields, for read_jsonl.
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <simdjson.h>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

/// Converts one JSON value: numbers to int (integers that fit int64) or double, strings
/// (copied into `out`'s arena), bools, null; objects and arrays to a string of their JSON
/// text. Consumes the value.
simdjson::error_code to_value(simdjson::ondemand::value json, BatchBuilder& out, Value& result);

/// The keys seen so far, each a slot with its interned Field, and the builder columns the
/// current batch fills. Most JSON lines repeat the previous line's keys in the same order,
/// so a key is first compared with the key seen at the same position last time: a memcmp
/// instead of a hash lookup and a Field interning per key.
class JsonFields {
 public:
  /// Call at the start of each read(): columns are looked up again in the new builder.
  void begin_batch(BatchBuilder& out);
  /// The slot of `f`'s key, the `position`-th key of its object.
  simdjson::error_code slot(simdjson::ondemand::field& f, std::size_t position, std::size_t& out_slot);
  /// Sets the slot's field of record `row`; records before it that lack the field get null.
  /// A key repeated in one object: the last value wins.
  void set(std::size_t slot, std::size_t row, Value v, BatchBuilder& out) {
    std::vector<Value>*& column = columns_[slot];
    if (!column) column = &out.column(fields_[slot]);
    if (column->size() < row) column->resize(row);
    if (column->size() == row) column->push_back(v);
    else (*column)[row] = v;
  }
  const std::string& name(std::size_t slot) const { return names_[slot]; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct Seen {
    std::size_t slot;
    bool comparable;  // the key's text has no '\\' or '"': its raw JSON form is itself
  };

  std::vector<Field> fields_;
  std::vector<std::string> names_;
  std::vector<std::vector<Value>*> columns_;  // per slot, in the current builder; nullptr: not yet
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_name_;
  std::vector<Seen> by_position_;
};

}  // namespace graph_runner::plugins
