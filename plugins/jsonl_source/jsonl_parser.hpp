#pragma once
// Parsing a block of JSON lines into batches of records, for read_jsonl. One parser per
// thread; blocks are independent, so several parsers may work on one file at once.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "block_reader.hpp"
#include "json_fields.hpp"

namespace graph_runner::plugins {

/// A line that is not a JSON object: "FILE:LINE:COL: what is wrong (simdjson's message)".
class JsonlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JsonlParser {
 public:
  explicit JsonlParser(std::size_t batch_records) : batch_records_(batch_records) {}

  /// Appends the records of `block` to `out`, in batches of at most batch_records (the last
  /// batch of `out` is filled up first). Blank lines are skipped. Throws JsonlError at the
  /// first bad line; the records of the lines before it are in `out`.
  void parse(const TextBlock& block, std::vector<ParsedBatch>& out);

 private:
  // Fast path: simdjson's iterate_many over the whole block (one stage-1 pass). Returns the
  // offset of the first line it could not vouch for (block.size when all went well).
  std::size_t parse_many(const TextBlock& block, std::vector<ParsedBatch>& out);
  // Slow path, line by line from `offset`: exact error positions.
  void parse_lines(const TextBlock& block, std::size_t offset, std::vector<ParsedBatch>& out);
  void parse_line(const TextBlock& block, std::string_view line, std::size_t offset, std::vector<ParsedBatch>& out);
  ParsedBatch& batch_for_next_record(std::vector<ParsedBatch>& out);
  [[noreturn]] void fail(const TextBlock& block, std::string_view line, std::size_t offset, const char* at,
                         simdjson::error_code e, const std::string& what) const;

  const std::size_t batch_records_;
  simdjson::ondemand::parser many_, single_;
  JsonFields fields_;
  std::string what_;
};

}  // namespace graph_runner::plugins
