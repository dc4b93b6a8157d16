#pragma once
// From simdjson On-Demand values to record fields, for the jsonl source: the values of a batch
// of records, built outside any BatchBuilder so that a worker thread can build it.
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

namespace graph_runner::plugins {

/// Records parsed from JSON, column by column, with the arena their strings live in.
struct ParsedBatch {
  std::vector<std::pair<Field, std::vector<Value>>> columns;  // by JsonFields slot; empty: unused
  std::size_t rows = 0;
  std::size_t capacity = 256;  // records it will hold at most: columns reserve this much
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

  /// Drops the values record `row` got so far (a record that failed half way).
  void truncate(std::size_t row) {
    for (auto& c : columns)
      if (c.second.size() > row) c.second.resize(row);
  }
  /// Appends these records to `out` (moving the columns when `out` is empty) and keeps the
  /// arena alive with the batch.
  void move_into(BatchBuilder& out);
};

/// Converts one JSON value: numbers to int (integers that fit int64) or double, strings
/// (copied into `arena`), bools, null; objects and arrays to a string of their JSON text.
simdjson::error_code to_value(simdjson::ondemand::value& json, Arena& arena, Value& result);

/// The keys seen so far, each a slot with its interned Field. Most JSON lines repeat the
/// previous line's keys in the same order, so a key is first compared with the key seen at
/// the same position last time: a memcmp, not a hash lookup and a Field interning per key.
class JsonFields {
 public:
  /// Adds the members of `object` as record `row` of `batch` (the columns of records before
  /// it that lack a key are padded with null). On an error, `what` says where.
  simdjson::error_code add(simdjson::ondemand::object& object, ParsedBatch& batch, std::size_t row, std::string& what);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  // The key last seen at one position of an object. Keys of up to 8 bytes compare as one
  // masked 64-bit word (a memcmp call per key cost more than the rest of the key lookup).
  struct Seen {
    std::size_t slot = 0;
    std::size_t size = 0;
    bool comparable = false;  // the key's text has no '\\' or '"': its raw JSON form is itself
    std::uint64_t head = 0, mask = 0;
  };
  simdjson::error_code slot(simdjson::ondemand::field& f, std::size_t position, std::size_t& out_slot);

  std::vector<Field> fields_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> by_name_;
  std::vector<Seen> by_position_;
};

}  // namespace graph_runner::plugins
