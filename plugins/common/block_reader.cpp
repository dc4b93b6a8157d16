#include "block_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace graph_runner::plugins {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

constexpr std::size_t max_free_buffers = 16;

// Newlines in [p, p + n). std::count vectorizes poorly here (64-bit lane counters): it
// cost 10% of read_jsonl's time. Eight bytes at a time instead, with one 8-bit counter per
// byte lane, summed every 255 words before a lane can overflow.
std::uint64_t count_newlines(const char* p, std::size_t n) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, low7 = 0x7F7F7F7F7F7F7F7FULL, newlines = ones * '\n';
  std::uint64_t total = 0;
  std::size_t i = 0;
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
  for (; i < n; ++i) total += p[i] == '\n';
  return total;
}

}  // namespace

BlockReader::BlockReader(std::vector<std::string> paths, std::size_t block_bytes)
    : paths_(std::move(paths)), block_bytes_(block_bytes) {}

BlockReader::~BlockReader() { close_current(); }

void BlockReader::close_current() noexcept {
  if (fd_ > 0) ::close(fd_);  // fd 0 (stdin) stays open for the process
  fd_ = -1;
}

bool BlockReader::open_next() {
  close_current();
  if (next_path_ >= paths_.size()) return false;
  const std::string& path = paths_[next_path_++];
  if (path == "-") {
    fd_ = 0;
    file_ = "<stdin>";
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail("open", path, errno);
    file_ = path;
  }
  struct stat st;
  pipe_ = ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode);
  if (!pipe_) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  eof_ = false;
  file_start_ = true;
  line_ = 1;
  carry_.clear();
  return true;
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
  return std::unique_ptr<char[]>(new char[got + TextBlock::padding]);
}

void BlockReader::recycle(TextBlock&& block) {
  if (!block.data || block.capacity != block_bytes_) return;
  std::lock_guard lock(free_mutex_);
  if (free_.size() < max_free_buffers) free_.push_back(std::move(block.data));
}

BlockReader::Status BlockReader::next(TextBlock& block, int wait_ms) {
  for (;;) {
    if (fd_ < 0 && !open_next()) return Status::end;
    // A new buffer starting with the carried partial line; a line longer than a block
    // doubles the buffer until it fits.
    std::size_t capacity;
    auto data = buffer(std::max(block_bytes_, 2 * carry_.size()), capacity);
    std::size_t size = carry_.size();
    std::memcpy(data.get(), carry_.data(), size);
    bool got_input = false;
    while (!eof_ && size < capacity) {
      if (pipe_ && got_input) break;  // a pipe: take what has arrived, do not wait for more
      if (pipe_ && wait_ms >= 0) {
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, wait_ms);
        if (ready < 0 && errno != EINTR) fail("read", file_, errno);
        if (ready <= 0) break;
      }
      const ssize_t n = ::read(fd_, data.get() + size, capacity - size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("read", file_, errno);
      if (n == 0) eof_ = true;
      size += static_cast<std::size_t>(n);
      got_input = true;
    }
    std::size_t start = 0;
    if (file_start_ && (size >= 3 || eof_)) {
      file_start_ = false;
      if (size >= 3 && std::memcmp(data.get(), "\xEF\xBB\xBF", 3) == 0) start = 3;
    }
    // Whole lines only: the block ends after its last newline, unless the file has ended.
    std::size_t end = size;
    if (!eof_) {
      const void* last = size > start ? ::memrchr(data.get() + start, '\n', size - start) : nullptr;
      end = last ? static_cast<std::size_t>(static_cast<const char*>(last) - data.get()) + 1 : start;
    }
    carry_.assign(data.get() + end, size - end);
    if (end == start) {  // no complete line yet
      TextBlock unused;
      unused.data = std::move(data);
      unused.capacity = capacity;
      recycle(std::move(unused));
      if (eof_) {
        close_current();
        continue;
      }
      if (pipe_ && !got_input) return Status::waiting;
      continue;
    }
    if (start > 0) std::memmove(data.get(), data.get() + start, end - start);
    block.data = std::move(data);
    block.capacity = capacity;
    block.size = end - start;
    std::memset(block.data.get() + block.size, 0, TextBlock::padding);
    block.file = file_;
    block.first_line = line_;
    line_ += count_newlines(block.data.get(), block.size);
    if (eof_ && carry_.empty()) close_current();
    return Status::block;
  }
}

}  // namespace graph_runner::plugins
