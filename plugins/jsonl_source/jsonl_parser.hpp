#pragma once
// Parsing a block of JSON lines into batches of records, for the jsonl source. One parser per
// thread; blocks are independent, so several parsers may work on one file at once.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "block_reader.hpp"
#include "json_fields.hpp"

namespace graph_runner::plugins {

/// What stands for a line too long to read (BlockReader::Status::oversized): a batch with no
/// records and the line (its head) in bad_lines.
ParsedBatch oversized_batch(const OversizedRecord& r);

class JsonlParser {
 public:
  explicit JsonlParser(std::size_t batch_records) : batch_records_(batch_records) {
    // The window covers the whole block, so simdjson never needs its stage-1 thread; but it
    // started one whenever a block ended in an incomplete line (a thread per bad block).
#ifdef SIMDJSON_THREADS_ENABLED
    many_.threaded = false;
#endif
  }

  /// Appends the records of `block` to `out`, in batches of at most batch_records (the last
  /// batch of `out` is filled up first). Blank lines are skipped. A line that is not a JSON
  /// object is kept in ParsedBatch::bad_lines of the batch that holds the records before
  /// it, as "FILE:LINE:COL: what is wrong (simdjson's message)"; parsing goes on.
  void parse(const TextBlock& block, std::vector<ParsedBatch>& out);

  /// Bytes handed to simdjson's stage 1 (iterate_many) so far: about the bytes parsed, and
  /// not much more when lines are bad (the tests check that bad lines cost no re-scans).
  std::uint64_t indexed_bytes() const noexcept { return indexed_bytes_; }

 private:
  // Fast path: simdjson's iterate_many over the lines of the block in [offset, end) (both
  // line starts, or end = block.size; one stage-1 pass). Returns the offset of the first
  // line it could not vouch for (`end` when all went well).
  std::size_t parse_many(const TextBlock& block, std::size_t offset, std::size_t end, std::vector<ParsedBatch>& out);
  // Slow path, one line: exact error positions.
  void parse_line(const TextBlock& block, std::string_view line, std::size_t offset, std::vector<ParsedBatch>& out);
  ParsedBatch& batch_for_next_record(std::vector<ParsedBatch>& out);
  void reject(const TextBlock& block, std::string_view line, std::size_t offset, const char* at,
              simdjson::error_code e, const std::string& what, std::vector<ParsedBatch>& out) const;

  // The stretch of lines the fast path first takes after a bad line, and the most it takes
  // in one go after that (see parse()). Measured on 0.5 % bad lines: 4 KiB, or no cap,
  // wasted more stage 1; the cost per call is small.
  static constexpr std::size_t restart_bytes = 1024, restart_cap = 16 * 1024;

  const std::size_t batch_records_;
  simdjson::ondemand::parser many_, single_;
  JsonFields fields_;
  std::string what_;
  std::uint64_t indexed_bytes_ = 0;
  // Records of the last batch this parser filled, or 1 when most of its cells were absent:
  // what a new batch's columns reserve (sparse keys end batches early, see
  // ParsedBatch::full()).
  std::size_t last_rows_ = SIZE_MAX;
  // Newlines before counted_offset_ of the block at counted_block_ (reject's line numbers).
  mutable const char* counted_block_ = nullptr;
  mutable std::size_t counted_offset_ = 0;
  mutable std::uint64_t counted_lines_ = 0;
};

}  // namespace graph_runner::plugins
