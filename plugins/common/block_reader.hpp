#pragma once
// Reading files in blocks of whole lines, for parsers that work on many lines at once
// (the jsonl source hands a block to simdjson's iterate_many, or to a worker thread), and for
// LineReader (lines, the csv source). The one place that bounds the length of a line: a record
// longer than max_record_bytes is reported, not held (see OversizedRecord).
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "file_set.hpp"
#include "state_file.hpp"

namespace graph_runner::plugins {

/// Whole lines of one file, in a buffer of their own (followed by `padding` zero bytes).
struct TextBlock {
  static constexpr std::size_t padding = 64;  // simdjson's SIMDJSON_PADDING
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;     // bytes of data before the padding
  std::size_t size = 0;         // bytes of text: whole lines, the last one may lack "\n"
  std::string file;             // "<stdin>" for "-"
  std::uint64_t first_line = 0; // 1-based number of the block's first line in its file
  // Where it is in its file (regular files): for checkpoints.
  FileId id;
  std::uint64_t start_offset = 0;  // the file offset of text()[0]
  std::uint64_t end_line = 0;      // the number of the line after the block
  std::string_view text() const noexcept { return {data.get(), size}; }
  /// The position right after the block: what a checkpoint commits once its records are in.
  FilePosition end_position() const { return FilePosition{file, id, start_offset + size, end_line}; }
};

/// The number of "\n" in [p, p + n), fast (a block's lines, bad lines' line numbers).
std::uint64_t count_newlines(const char* p, std::size_t n);

/// The default of the sources' `max_record_bytes` parameter: 1 MiB.
inline constexpr std::size_t default_max_record_bytes = std::size_t{1} << 20;

/// A line longer than the reader's max_record_bytes (without its "\n"): skipped up to its
/// newline, and reported in its place so that the source hands it to its `on_error`.
struct OversizedRecord {
  /// How much of its text is kept for the error record (Context::reject_input's `input`).
  static constexpr std::size_t head_bytes = 1024;
  std::string file;
  std::uint64_t line = 0;
  std::size_t bytes = 0;        // its length, or as much as was seen when !complete
  bool complete = false;        // its end was seen before it was reported
  std::size_t limit = 0;        // the reader's max_record_bytes
  std::string head;             // its first bytes, at most head_bytes (cut at a UTF-8 character)

  /// "FILE:LINE: record of [at least ]N bytes exceeds max_record_bytes = M".
  std::string message() const;
  /// The first head_bytes of `text` at most, not cutting a UTF-8 character in two (an error
  /// record with half a character would be invalid UTF-8 in a JSON sink).
  static std::string head_of(std::string_view text);
};

/// Reads files one after the other (see expand_input_paths) in blocks of about
/// `block_bytes` of whole lines; a longer line gets a block of its own, up to
/// `max_record_bytes`. A UTF-8 byte order mark at the start of a file is skipped. Used from
/// one thread, except recycle().
///
/// Memory: a line longer than max_record_bytes is never held whole. The reader holds at most
/// about max_record_bytes + one block of it, reports it (Status::oversized), then discards
/// the rest of it block by block up to its newline, and reads on from there.
class BlockReader {
 public:
  enum class Status { block, oversized, waiting, end };

  explicit BlockReader(std::vector<std::string> paths, std::size_t block_bytes = std::size_t{1} << 20,
                       std::size_t max_record_bytes = default_max_record_bytes);
  /// Reads the files of `files`: from their checkpoints, and with follow (see file_set.hpp)
  /// as they grow. With follow, an incomplete last line waits for its newline (it is handed
  /// out without one only when its file is gone), and `waiting` means that no file has a
  /// complete new line now (after sleeping up to wait_ms, at most the poll interval).
  BlockReader(std::unique_ptr<FileSet> files, std::size_t block_bytes, std::size_t max_record_bytes);
  ~BlockReader();
  BlockReader(const BlockReader&) = delete;
  BlockReader& operator=(const BlockReader&) = delete;

  /// The next block, or the next line too long to hold (then see oversized(); `block` is
  /// left alone). `waiting`: standard input or a pipe had no complete line within `wait_ms`
  /// (< 0: wait as long as it takes). Throws std::runtime_error naming the file when it
  /// cannot be opened or read.
  Status next(TextBlock& block, int wait_ms = -1);
  /// The record of the last Status::oversized, valid until the next call of next().
  const OversizedRecord& oversized() const noexcept { return oversized_; }
  /// Gives a block's buffer back for reuse, from any thread (buffers of 1 MiB are costly
  /// to allocate: fresh pages fault in one by one).
  void recycle(TextBlock&& block);

  std::size_t max_record_bytes() const noexcept { return max_record_bytes_; }
  /// The capacity of the largest buffer allocated so far: what the memory bound is about.
  std::size_t largest_buffer() const noexcept { return largest_buffer_; }
  /// Files closed for good because they were deleted (follow), since the last call: their
  /// checkpoint entries can go once what was read before is committed.
  std::vector<FileId> take_deleted() { return std::exchange(deleted_, {}); }

 private:
  bool open_next();
  void close_current() noexcept;
  void switch_to(TrackedFile* f);
  // Follow, the current file read to its end without a complete line: truncated, gone, or
  // another file to read; false: wait.
  bool follow_on(int wait_ms);
  std::size_t capacity_for(std::size_t carry) const noexcept;
  std::unique_ptr<char[]> buffer(std::size_t capacity, std::size_t& got);
  // Reads into [p + size, p + capacity) until full, the end of the file, or (a pipe) what
  // has arrived; false when a pipe had nothing within wait_ms.
  bool fill(char* p, std::size_t capacity, std::size_t& size, int wait_ms);
  // The line at data[at...] is too long: sets oversized_, then skips it.
  void take_oversized(const char* data, std::size_t at, std::size_t size);
  // Discards the rest of an oversized line, up to its newline; false: a pipe is waiting.
  bool skip_oversized(int wait_ms);

  std::unique_ptr<FileSet> files_;
  TrackedFile* cur_ = nullptr;
  const std::size_t block_bytes_;
  const std::size_t max_record_bytes_;
  int fd_ = -1;
  std::uint64_t pos_ = 0;      // the file offset after the bytes read so far
  bool pipe_ = false, eof_ = false, file_start_ = false;
  bool final_ = false;         // follow: the file is gone; its end is the end
  std::vector<FileId> deleted_;
  bool skipping_ = false;      // inside an oversized line, discarding up to its newline
  std::string file_;
  std::uint64_t line_ = 1;     // number of the next line of the file
  std::string carry_;          // the start of a line not yet complete
  OversizedRecord oversized_;
  std::size_t largest_buffer_ = 0;
  std::mutex free_mutex_;
  std::vector<std::unique_ptr<char[]>> free_;  // recycled buffers of block_bytes_
};

}  // namespace graph_runner::plugins
