#pragma once
// Reading input files for the file sources (lines, read_jsonl, read_csv): expanding a `path`
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

namespace graph_runner::plugins {

/// The files a source's `path` names, in reading order:
/// - "-": standard input;
/// - a pattern with `*`, `?`, `[` or `{`: the matching files, sorted (glob(3) with brace
///   expansion); an error when none matches;
/// - anything else: that file, which must be readable.
/// Throws std::runtime_error with a message naming the path.
std::vector<std::string> expand_input_paths(const std::string& path);

/// Reads files one after the other and hands out their lines as views into its buffer:
/// no copy per line. A line excludes its "\n" (and a "\r" before it); the last line of a
/// file needs no newline. A UTF-8 byte order mark at the start of a file is skipped.
class LineReader {
 public:
  /// Bytes after the end of every line that may be read (simdjson's SIMDJSON_PADDING).
  static constexpr std::size_t padding = 64;
  enum class Status { line, waiting, end };

  explicit LineReader(std::vector<std::string> paths, std::size_t chunk_bytes = std::size_t{1} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  /// The next line. `waiting`: standard input or a pipe had no complete line within
  /// `wait_ms` (never returned for regular files, or when wait_ms < 0). `end`: every file
  /// is read. The view is valid until the next call. Throws std::runtime_error when a
  /// file cannot be opened or read.
  Status next(std::string_view& line, int wait_ms = -1);

  /// The file of the line last returned ("<stdin>" for "-"), and its 1-based number.
  const std::string& file() const noexcept { return display_name_; }
  std::uint64_t line_no() const noexcept { return line_no_; }
  /// How many bytes from line.data() may be read (line.size() + at least `padding`).
  std::size_t capacity_from(std::string_view line) const noexcept {
    return static_cast<std::size_t>(buffer_.get() + capacity_ + padding - line.data());
  }

 private:
  bool open_next();
  void close_current() noexcept;
  bool fill(int wait_ms);  // false: a pipe had nothing within wait_ms

  std::vector<std::string> paths_;
  std::size_t next_path_ = 0;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_;
  char* begin_;               // first byte not yet returned
  char* end_;                 // end of the bytes read
  std::size_t scanned_ = 0;   // bytes after begin_ known to hold no '\n'
  int fd_ = -1;
  bool pipe_ = false, eof_ = false, file_start_ = false;
  std::string display_name_;
  std::uint64_t line_no_ = 0;
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
