#include "block_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace graph_runner::plugins {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

constexpr std::size_t max_free_buffers = 16;

}  // namespace

// std::count vectorizes poorly here (64-bit lane counters): it cost 10% of the jsonl source's
// time. Sixteen bytes at a time (SSE2, which every x86-64 has; eight elsewhere), with one
// 8-bit counter per byte lane, summed every 255 steps before a lane can overflow. The SSE2
// loop takes a quarter of the instructions of the 8-byte one (6% of a nested-JSONL run).
std::uint64_t count_newlines(const char* p, std::size_t n) {
  std::uint64_t total = 0;
  std::size_t i = 0;
#ifdef __SSE2__
  const __m128i newlines = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    __m128i lanes = zero;
    for (int k = 0; k < 255 && i + 16 <= n; ++k, i += 16) {
      const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(w, newlines));  // -1 where a newline is
    }
    const __m128i sums = _mm_sad_epu8(lanes, zero);  // the lanes summed, in two 64-bit halves
    total += static_cast<std::uint64_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
  }
#else
  constexpr std::uint64_t ones = 0x0101010101010101ULL, low7 = 0x7F7F7F7F7F7F7F7FULL, newlines = ones * '\n';
  while (i + 8 <= n) {
    std::uint64_t lanes = 0;
    for (int k = 0; k < 255 && i + 8 <= n; ++k, i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      w ^= newlines;                                    // a newline byte is now 0
      const std::uint64_t nonzero = ((w & low7) + low7) | w;  // high bit set in every byte that is not 0
      lanes += (~nonzero >> 7) & ones;                  // 1 in each lane that held a newline
    }
    // Sum of the eight lanes (at most 255 each): pairs into 16-bit lanes, then those.
    const std::uint64_t pairs = (lanes & 0x00FF00FF00FF00FFULL) + ((lanes >> 8) & 0x00FF00FF00FF00FFULL);
    total += (pairs * 0x0001000100010001ULL) >> 48;
  }
#endif
  for (; i < n; ++i) total += p[i] == '\n';
  return total;
}

namespace {

// Where in text[0, n) the first line longer than `max` bytes (without its "\n") starts, or
// npos. Jumps with memrchr over max + 1 bytes: a newline in that window ends every line
// before it in time, so a block costs about n / max calls, not one per line.
std::size_t find_long_line(const char* text, std::size_t n, std::size_t max) {
  std::size_t line = 0;
  while (n - line > max) {
    const void* nl = ::memrchr(text + line, '\n', max + 1);
    if (!nl) return line;
    line = static_cast<std::size_t>(static_cast<const char*>(nl) - text) + 1;
  }
  return std::string::npos;
}

}  // namespace

std::string OversizedRecord::head_of(std::string_view text) {
  if (text.size() <= head_bytes) return std::string(text);
  std::size_t n = head_bytes;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // text[n] continues a character
  return std::string(text.substr(0, n));
}

std::string OversizedRecord::message() const {
  std::string m = file;
  m += ':';
  m += std::to_string(line);
  m += complete ? ": record of " : ": record of at least ";
  m += std::to_string(bytes);
  m += " bytes exceeds max_record_bytes = ";
  m += std::to_string(limit);
  return m;
}

BlockReader::BlockReader(std::vector<std::string> paths, std::size_t block_bytes, std::size_t max_record_bytes)
    : BlockReader(std::make_unique<FileSet>(std::move(paths)), block_bytes, max_record_bytes) {}

BlockReader::BlockReader(std::unique_ptr<FileSet> files, std::size_t block_bytes, std::size_t max_record_bytes)
    : files_(std::move(files)), block_bytes_(block_bytes), max_record_bytes_(std::max<std::size_t>(max_record_bytes, 1)) {}

BlockReader::~BlockReader() = default;  // the FileSet closes the files

// The current file is done: without follow, or (follow) gone and read to its end.
void BlockReader::close_current() noexcept {
  if (!cur_) return;
  if (files_->follow() && FileSet::deleted(*cur_)) deleted_.push_back(cur_->id);
  files_->close(*cur_);
  cur_ = nullptr;
  fd_ = -1;
}

void BlockReader::switch_to(TrackedFile* f) {
  cur_ = f;
  fd_ = f->fd;
  file_ = f->path;
  pipe_ = f->pipe;
  pos_ = f->offset;
  line_ = f->line;
  eof_ = final_ = skipping_ = false;
  file_start_ = pos_ == 0;
  carry_.clear();
}

bool BlockReader::open_next() {
  close_current();
  TrackedFile* f = files_->next(nullptr);
  if (!f) return false;
  switch_to(f);
  return true;
}

bool BlockReader::follow_on(int wait_ms) {
  switch (files_->check(*cur_, pos_)) {
    case FileSet::Change::truncated: switch_to(cur_); return true;
    case FileSet::Change::gone: final_ = true; eof_ = false; return true;
    case FileSet::Change::none: break;
  }
  // Leave this file at the start of its incomplete line, and read whichever file has more.
  cur_->offset = pos_ - carry_.size();
  cur_->line = line_;
  if (TrackedFile* f = files_->next(cur_)) {
    switch_to(f);
    return true;
  }
  if (::lseek(fd_, static_cast<off_t>(cur_->offset), SEEK_SET) < 0) fail("seek in", file_, errno);
  switch_to(cur_);
  const auto poll = std::chrono::milliseconds(wait_ms < 0 ? INT32_MAX : wait_ms);
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(poll, std::chrono::milliseconds(50)));
  return false;
}

// A block, unless the carried line needs more: doubled as it grows, but straight to
// max_record_bytes + 1 (enough to tell that a line is too long) from half of that on, so
// that the carry and the new buffer together stay about max_record_bytes + a block.
std::size_t BlockReader::capacity_for(std::size_t carry) const noexcept {
  if (2 * carry <= block_bytes_) return block_bytes_;
  const std::size_t enough = max_record_bytes_ + 1;
  const std::size_t want = 2 * carry <= enough / 2 ? 2 * carry : enough;
  return std::max({want, carry, block_bytes_});
}

std::unique_ptr<char[]> BlockReader::buffer(std::size_t capacity, std::size_t& got) {
  if (capacity <= block_bytes_) {
    got = block_bytes_;
    std::lock_guard lock(free_mutex_);
    if (!free_.empty()) {
      auto b = std::move(free_.back());
      free_.pop_back();
      return b;
    }
  } else {
    got = capacity;
  }
  largest_buffer_ = std::max(largest_buffer_, got);
  return std::unique_ptr<char[]>(new char[got + TextBlock::padding]);
}

void BlockReader::recycle(TextBlock&& block) {
  if (!block.data || block.capacity != block_bytes_) return;
  std::lock_guard lock(free_mutex_);
  if (free_.size() < max_free_buffers) free_.push_back(std::move(block.data));
}

bool BlockReader::fill(char* p, std::size_t capacity, std::size_t& size, int wait_ms) {
  bool got_input = false;
  while (!eof_ && size < capacity) {
    if (pipe_ && got_input) break;  // a pipe: take what has arrived, do not wait for more
    if (pipe_ && wait_ms >= 0) {
      pollfd pfd{fd_, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, wait_ms);
      if (ready < 0 && errno != EINTR) fail("read", file_, errno);
      if (ready <= 0) break;
    }
    const ssize_t n = ::read(fd_, p + size, capacity - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("read", file_, errno);
    if (n == 0) eof_ = true;
    size += static_cast<std::size_t>(n);
    pos_ += static_cast<std::uint64_t>(n);
    got_input = true;
  }
  return got_input;
}

void BlockReader::take_oversized(const char* data, std::size_t at, std::size_t size) {
  const std::string_view rest(data + at, size - at);
  const std::size_t nl = rest.find('\n');
  oversized_.file = file_;
  oversized_.line = line_;
  oversized_.limit = max_record_bytes_;
  const bool at_end = eof_ && (pipe_ || !files_->follow() || final_);
  oversized_.complete = nl != std::string_view::npos || at_end;
  oversized_.bytes = nl != std::string_view::npos ? nl : rest.size();
  oversized_.head = OversizedRecord::head_of(rest.substr(0, oversized_.bytes));
  if (nl != std::string_view::npos) {
    carry_.assign(rest.substr(nl + 1));
    ++line_;
  } else {
    carry_.clear();
    skipping_ = !at_end;
  }
  if (at_end && carry_.empty()) close_current();
  if (eof_ && !at_end) eof_ = false;  // following: the rest comes later
}

bool BlockReader::skip_oversized(int wait_ms) {
  std::size_t capacity, size = 0;
  TextBlock scratch;
  scratch.data = buffer(block_bytes_, capacity);
  scratch.capacity = capacity;
  const bool got_input = fill(scratch.data.get(), capacity, size, wait_ms);
  if (const void* nl = std::memchr(scratch.data.get(), '\n', size)) {
    const char* after = static_cast<const char*>(nl) + 1;
    carry_.assign(after, static_cast<std::size_t>(scratch.data.get() + size - after));
    skipping_ = false;
    ++line_;
  } else if (eof_ && (!files_->follow() || final_)) {
    skipping_ = false;
  }
  if (eof_ && (!files_->follow() || final_) && !skipping_ && carry_.empty()) close_current();
  recycle(std::move(scratch));
  if (files_->follow() && eof_ && skipping_) {  // the rest of the long line is not written yet
    eof_ = false;
    return false;
  }
  return got_input || !pipe_;
}

BlockReader::Status BlockReader::next(TextBlock& block, int wait_ms) {
  for (;;) {
    if (!cur_ && !open_next()) {
      if (!files_->follow()) return Status::end;
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms < 0 ? 50 : std::min(wait_ms, 50)));
      return Status::waiting;
    }
    if (skipping_) {
      if (!skip_oversized(wait_ms)) return Status::waiting;
      continue;
    }
    // A new buffer starting with the carried partial line.
    TextBlock read;
    read.data = buffer(capacity_for(carry_.size()), read.capacity);
    const std::uint64_t base = pos_ - carry_.size();  // the file offset of the buffer's first byte
    std::size_t size = carry_.size();
    std::memcpy(read.data.get(), carry_.data(), size);
    if (carry_.capacity() > block_bytes_) std::string().swap(carry_);  // a long line's memory goes back now
    const bool got_input = fill(read.data.get(), read.capacity, size, wait_ms);
    // Following, the end of a file is only where its writer has got to.
    const bool at_end = eof_ && (pipe_ || !files_->follow() || final_);
    const char* data = read.data.get();
    std::size_t start = 0;
    if (file_start_ && (size >= 3 || at_end)) {
      file_start_ = false;
      if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) start = 3;
    }
    // Whole lines only: the block ends after its last newline, unless the file has ended.
    std::size_t end = size;
    if (!at_end) {
      const void* last = size > start ? ::memrchr(data + start, '\n', size - start) : nullptr;
      end = last ? static_cast<std::size_t>(static_cast<const char*>(last) - data) + 1 : start;
    }
    // A line too long: one of the whole lines (only possible in a block longer than the
    // limit), or the unfinished one when it already has more bytes than the limit.
    std::size_t too_long = find_long_line(data + start, end - start, max_record_bytes_);
    if (too_long != std::string::npos) too_long += start;
    else if (size - end > max_record_bytes_) too_long = end;
    if (too_long == start) {
      take_oversized(data, start, size);
      recycle(std::move(read));
      return Status::oversized;
    }
    if (too_long != std::string::npos) end = too_long;  // the lines before it first
    carry_.assign(data + end, size - end);
    if (end == start) {  // no complete line yet
      recycle(std::move(read));
      if (at_end) {
        close_current();
        continue;
      }
      if (eof_ && !follow_on(wait_ms)) return Status::waiting;  // following: nothing new anywhere
      if (pipe_ && !got_input) return Status::waiting;
      continue;
    }
    if (start > 0) std::memmove(read.data.get(), data + start, end - start);
    block.data = std::move(read.data);
    block.capacity = read.capacity;
    block.size = end - start;
    std::memset(block.data.get() + block.size, 0, TextBlock::padding);
    block.file = file_;
    block.first_line = line_;
    line_ += count_newlines(block.data.get(), block.size);
    block.start_offset = base + start;
    block.end_line = line_ + (block.data.get()[block.size - 1] != '\n' ? 1 : 0);  // a last line without newline
    if (!pipe_) {
      files_->refresh_id(*cur_);
      block.id = cur_->id;
    }
    if (at_end && carry_.empty()) close_current();
    if (eof_ && !at_end) eof_ = false;  // following: read on from here next time
    return Status::block;
  }
}

}  // namespace graph_runner::plugins
