#pragma once
// Reading input files for the file sources (lines, jsonl, csv): expanding a `path`
// parameter to files, and splitting them into lines in large chunks.
//
// Why not std::getline: a read(2) of 1 MiB and memchr over it costs ~0.2 ns per byte; a
// getline per line costs a stream sentry, a string copy and a virtual call per line, several
// times the cost of parsing a short JSON line with simdjson.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "block_reader.hpp"

namespace graph_runner::plugins {

/// The files a source's `path` names, in reading order:
/// - "-": standard input;
/// - a pattern with `*`, `?`, `[` or `{`: the matching files, sorted (glob(3) with brace
///   expansion); an error when none matches;
/// - anything else: that file, which must be readable.
/// Throws std::runtime_error with a message naming the path.
std::vector<std::string> expand_input_paths(const std::string& path);
/// The first line of the file `path` (without "\n", "\r\n" or a UTF-8 byte order mark),
/// at most `max_bytes` long: a CSV header, when reading resumes further on.
std::string read_first_line(const std::string& path, std::size_t max_bytes);
/// True when `path` is a glob pattern (holds `*`, `?`, `[` or `{`).
bool is_pattern(const std::string& path);
/// The files (not folders) a glob pattern matches now, sorted; none is not an error.
std::vector<std::string> match_input_paths(const std::string& pattern);

/// Reads files one after the other and hands out their lines as views into its buffer:
/// no copy per line. A line excludes its "\n" (and a "\r" before it); the last line of a
/// file needs no newline. A UTF-8 byte order mark at the start of a file is skipped.
/// Lines are read in blocks (BlockReader), which also bounds their length: a line longer
/// than `max_record_bytes` is Status::oversized, not a line.
class LineReader {
 public:
  enum class Status { line, oversized, waiting, end };

  explicit LineReader(std::vector<std::string> paths, std::size_t max_record_bytes = default_max_record_bytes,
                      std::size_t block_bytes = std::size_t{1} << 20);
  /// Reads `files` (checkpoints, follow: see file_set.hpp).
  LineReader(std::unique_ptr<FileSet> files, std::size_t max_record_bytes, std::size_t block_bytes = std::size_t{1} << 20);

  /// The next line. `oversized`: the next line was too long; oversized() says where, and
  /// reading goes on after it. `waiting`: standard input or a pipe had no complete line
  /// within `wait_ms` (never returned for regular files, or when wait_ms < 0). `end`: every
  /// file is read. The view is valid until the next call. Throws std::runtime_error when a
  /// file cannot be opened or read.
  Status next(std::string_view& line, int wait_ms = -1);

  /// The file of the line last returned ("<stdin>" for "-"), and its 1-based number.
  const std::string& file() const noexcept { return file_; }
  std::uint64_t line_no() const noexcept { return line_no_; }
  /// The line of the last Status::oversized.
  const OversizedRecord& oversized() const noexcept { return blocks_.oversized(); }
  const BlockReader& blocks() const noexcept { return blocks_; }
  BlockReader& blocks() noexcept { return blocks_; }
  /// Appends the positions reached in each file since the last call, the current one
  /// last (after the last line returned): what a checkpoint commits once they are acknowledged.
  void take_positions(std::vector<FilePosition>& out);

 private:
  BlockReader blocks_;
  TextBlock block_;
  std::size_t pos_ = 0;  // the first byte of block_ not yet handed out
  std::string file_;
  std::uint64_t line_no_ = 0;
  std::vector<FilePosition> passed_;  // the ends of blocks handed out whole since take_positions
};

/// How long one Source::read() call may wait for input from a pipe (LineReader::next's
/// wait_ms): up to 100 ms for a first record (read() then returns none and is called again,
/// so a stop request is seen), and once it has records, until `linger_ms` after the call
/// began: a slow pipe still sends its records in time.
class ReadDeadline {
 public:
  explicit ReadDeadline(std::size_t linger_ms)
      : end_(std::chrono::steady_clock::now() + std::chrono::milliseconds(linger_ms)) {}
  int wait_ms(bool have_records) const {
    if (!have_records) return 100;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - std::chrono::steady_clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
  }

 private:
  std::chrono::steady_clock::time_point end_;
};

}  // namespace graph_runner::plugins
