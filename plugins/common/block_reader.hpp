#pragma once
// Reading files in blocks of whole lines, for parsers that work on many lines at once
// (read_jsonl hands a block to simdjson's iterate_many, or to a worker thread).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace graph_runner::plugins {

/// Whole lines of one file, in a buffer of their own (followed by `padding` zero bytes).
struct TextBlock {
  static constexpr std::size_t padding = 64;  // simdjson's SIMDJSON_PADDING
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;     // bytes of data before the padding
  std::size_t size = 0;         // bytes of text: whole lines, the last one may lack "\n"
  std::string file;             // "<stdin>" for "-"
  std::uint64_t first_line = 0; // 1-based number of the block's first line in its file
  std::string_view text() const noexcept { return {data.get(), size}; }
};

/// Reads files one after the other (see expand_input_paths) in blocks of about
/// `block_bytes` of whole lines; a longer line gets a block of its own. A UTF-8 byte order
/// mark at the start of a file is skipped. Used from one thread, except recycle().
class BlockReader {
 public:
  enum class Status { block, waiting, end };

  explicit BlockReader(std::vector<std::string> paths, std::size_t block_bytes = std::size_t{1} << 20);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  /// The next block. `waiting`: standard input or a pipe had no complete line within
  /// `wait_ms` (< 0: wait as long as it takes). Throws std::runtime_error naming the file
  /// when it cannot be opened or read.
  Status next(TextBlock& block, int wait_ms = -1);
  /// Gives a block's buffer back for reuse, from any thread (buffers of 1 MiB are costly
  /// to allocate: fresh pages fault in one by one).
  void recycle(TextBlock&& block);

 private:
  bool open_next();
  void close_current() noexcept;
  std::unique_ptr<char[]> buffer(std::size_t capacity, std::size_t& got);

  std::vector<std::string> paths_;
  std::size_t next_path_ = 0;
  const std::size_t block_bytes_;
  int fd_ = -1;
  bool pipe_ = false, eof_ = false, file_start_ = false;
  std::string file_;
  std::uint64_t line_ = 1;     // number of the next line of the file
  std::string carry_;          // the start of a line not yet complete
  std::mutex free_mutex_;
  std::vector<std::unique_ptr<char[]>> free_;  // recycled buffers of block_bytes_
};

}  // namespace graph_runner::plugins
