#include "input_files.hpp"

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace graph_runner::plugins {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> expand_input_paths(const std::string& path) {
  if (path == "-") return {path};
  if (path.find_first_of("*?[{") == std::string::npos) {
    if (::access(path.c_str(), R_OK) != 0) fail("open", path, errno);
    if (is_directory(path)) throw std::runtime_error("'" + path + "' is a folder; use a pattern such as '" + path + "/*.csv'");
    return {path};
  }
  glob_t matches{};
  const int rc = ::glob(path.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &matches);
  std::vector<std::string> files;
  if (rc == 0)
    for (std::size_t i = 0; i < matches.gl_pathc; ++i)
      if (!is_directory(matches.gl_pathv[i])) files.emplace_back(matches.gl_pathv[i]);  // sorted by glob
  ::globfree(&matches);
  if (rc != 0 && rc != GLOB_NOMATCH) throw std::runtime_error("cannot expand '" + path + "': glob failed");
  if (files.empty()) throw std::runtime_error("no file matches '" + path + "'");
  return files;
}

LineReader::LineReader(std::vector<std::string> paths, std::size_t chunk_bytes)
    : paths_(std::move(paths)),
      buffer_(std::make_unique<char[]>(chunk_bytes + padding)),  // zeroed: padding bytes are defined
      capacity_(chunk_bytes),
      begin_(buffer_.get()),
      end_(buffer_.get()) {}

LineReader::~LineReader() { close_current(); }

void LineReader::close_current() noexcept {
  if (fd_ > 0) ::close(fd_);  // fd 0 (stdin) stays open for the process
  fd_ = -1;
}

bool LineReader::open_next() {
  close_current();
  if (next_path_ >= paths_.size()) return false;
  const std::string& path = paths_[next_path_++];
  if (path == "-") {
    fd_ = 0;
    display_name_ = "<stdin>";
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail("open", path, errno);
    display_name_ = path;
  }
  struct stat st;
  pipe_ = ::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode);
  if (!pipe_) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  begin_ = end_ = buffer_.get();
  scanned_ = 0;
  eof_ = false;
  file_start_ = true;
  line_no_ = 0;
  return true;
}

bool LineReader::fill(int wait_ms) {
  // Keep the unfinished line: move it to the front, or grow the buffer for a long line.
  const std::size_t pending = static_cast<std::size_t>(end_ - begin_);
  if (begin_ != buffer_.get()) {
    std::memmove(buffer_.get(), begin_, pending);
    begin_ = buffer_.get();
    end_ = begin_ + pending;
  }
  if (pending == capacity_) {
    auto bigger = std::make_unique<char[]>(2 * capacity_ + padding);
    std::memcpy(bigger.get(), buffer_.get(), pending);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
    begin_ = buffer_.get();
    end_ = begin_ + pending;
  }
  if (pipe_ && wait_ms >= 0) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready == 0) return false;
    if (ready < 0 && errno != EINTR) fail("read", display_name_, errno);
    if (ready < 0) return false;
  }
  ssize_t n;
  do {
    n = ::read(fd_, end_, capacity_ - pending);
  } while (n < 0 && errno == EINTR);
  if (n < 0) fail("read", display_name_, errno);
  if (n == 0) eof_ = true;
  end_ += n;
  std::memset(end_, 0, padding);  // bytes after the data are defined, for simdjson and valgrind
  if (file_start_ && (end_ - begin_ >= 3 || eof_)) {
    file_start_ = false;
    if (end_ - begin_ >= 3 && std::memcmp(begin_, "\xEF\xBB\xBF", 3) == 0) begin_ += 3;
  }
  return true;
}

LineReader::Status LineReader::next(std::string_view& line, int wait_ms) {
  for (;;) {
    if (fd_ >= 0) {
      const std::size_t available = static_cast<std::size_t>(end_ - begin_);
      const void* nl = scanned_ < available ? std::memchr(begin_ + scanned_, '\n', available - scanned_) : nullptr;
      if (nl || (eof_ && available > 0)) {
        const char* stop = nl ? static_cast<const char*>(nl) : end_;
        std::size_t size = static_cast<std::size_t>(stop - begin_);
        if (size > 0 && begin_[size - 1] == '\r') --size;
        line = std::string_view(begin_, size);
        begin_ = nl ? static_cast<char*>(const_cast<void*>(nl)) + 1 : end_;
        scanned_ = 0;
        file_start_ = false;
        ++line_no_;
        return Status::line;
      }
      scanned_ = available;
      if (eof_) {
        close_current();
        continue;
      }
      if (!fill(wait_ms)) return Status::waiting;
      continue;
    }
    if (!open_next()) return Status::end;
  }
}

}  // namespace graph_runner::plugins
