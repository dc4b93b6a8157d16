#include "output_file.hpp"

#include "output_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <system_error>

namespace graph_runner::plugins {

struct OutputFile::Shared {
  std::string key;  // in the registry below
  std::mutex mutex;
  int fd = -1;
  bool owns_fd = true;   // false for stdout, which stays open
  bool regular = false;  // a regular file: a half-written batch can be cut off again
  std::uintmax_t size_at_open = 0;
  std::uintmax_t torn_bytes = 0;
  std::shared_ptr<void> state;
  ~Shared() {
    if (owns_fd && fd >= 0) ::close(fd);
  }
};

namespace {

// The files open in this plugin library, by plugin name and absolute path. Entries live as
// long as an OutputFile holds them.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<void>> files;
};
Registry& registry() {
  static Registry r;
  return r;
}

// The size of `fd` without its torn last line: just after its last "\n" (0 if it has none).
// Read backwards in blocks: a huge file costs one block unless its last line is huge.
std::uintmax_t whole_lines_size(int fd, std::uintmax_t size) {
  char buf[65536];
  std::uintmax_t end = size;
  while (end > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uintmax_t>(sizeof buf, end));
    const off_t at = static_cast<off_t>(end - n);
    std::size_t got = 0;
    while (got < n) {
      const ssize_t r = ::pread(fd, buf + got, n - got, at + static_cast<off_t>(got));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return size;  // cannot read it (a write-only file): leave it as it is
      got += static_cast<std::size_t>(r);
    }
    if (const void* nl = ::memrchr(buf, '\n', n)) return static_cast<std::uintmax_t>(at) + static_cast<std::size_t>(static_cast<const char*>(nl) - buf) + 1;
    end -= n;
  }
  return 0;
}

std::string registry_key(const std::string& plugin, const std::string& path) {
  if (path == "-") return plugin + "\n-";
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return plugin + "\n" + (ec ? path : absolute.lexically_normal().string());
}

}  // namespace

OutputFile::~OutputFile() {
  try {
    close();
  } catch (...) {
    // an aborted run: the error of a close nobody asked for is not reported
  }
}

bool OutputFile::open(bool append) {
  const std::string key = registry_key(plugin_, path_);
  std::lock_guard lock(registry().mutex);
  std::weak_ptr<void>& slot = registry().files[key];
  if (auto existing = slot.lock()) {
    shared_ = std::static_pointer_cast<Shared>(existing);
    return false;
  }
  auto shared = std::make_shared<Shared>();
  shared->key = key;
  if (is_stdout()) {
    shared->fd = STDOUT_FILENO;
    shared->owns_fd = false;
  } else {
    const OpenedOutput file = open_output_path(plugin_, path_, append);
    shared->fd = file.fd;
    shared->regular = file.regular;
    shared->size_at_open = file.size;
    if (append && file.regular && file.size > 0) {
      const std::uintmax_t whole = whole_lines_size(file.fd, file.size);
      if (whole < file.size) {
        if (::ftruncate(file.fd, static_cast<off_t>(whole)) != 0) {
          const int error = errno;
          ::close(file.fd);
          fail("cut the torn last line of", error);
        }
        shared->torn_bytes = file.size - whole;
        shared->size_at_open = whole;
      }
    }
  }
  slot = shared;
  shared_ = std::move(shared);
  return true;
}

std::uintmax_t OutputFile::size_at_open() const noexcept { return shared_ ? shared_->size_at_open : 0; }
std::uintmax_t OutputFile::torn_bytes_cut() const noexcept { return shared_ ? shared_->torn_bytes : 0; }

std::mutex& OutputFile::shared_mutex() {
  if (!shared_) throw std::logic_error(plugin_ + ": '" + path_ + "' written before it was opened");
  return shared_->mutex;
}

std::shared_ptr<void>& OutputFile::shared_state_slot() {
  if (!shared_) throw std::logic_error(plugin_ + ": '" + path_ + "' used before it was opened");
  return shared_->state;
}

void OutputFile::write() {
  if (buffer_.empty()) return;
  std::lock_guard lock(shared_mutex());
  write_locked();
}

void OutputFile::write_locked() {
  if (buffer_.empty()) return;
  const Shared& s = *shared_;
  if (!s.owns_fd) std::fflush(stdout);  // what the process printed through stdio goes first
  // We are the file's only writer (under the lock), so its end is where this batch starts.
  const off_t start = s.regular ? ::lseek(s.fd, 0, SEEK_END) : -1;
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t n = ::write(s.fd, buffer_.data() + done, buffer_.size() - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    const int error = n < 0 ? errno : EIO;
    buffer_.clear();  // the batch failed: its bytes must not go out with the next one
    if (done > 0 && start >= 0 && ::ftruncate(s.fd, start) == 0) ::lseek(s.fd, start, SEEK_SET);
    fail("write", error);
  }
  buffer_.clear();
}

void OutputFile::close() {
  if (!shared_) return;
  buffer_.clear();  // every write() emptied it; what is left belongs to a failed batch
  std::shared_ptr<Shared> shared = std::move(shared_);
  bool last = false;
  {
    std::lock_guard lock(registry().mutex);  // no instance joins meanwhile
    last = shared.use_count() == 1;
    if (last) registry().files.erase(shared->key);
  }
  if (!last || !shared->owns_fd) return;
  const int fd = shared->fd;
  shared->fd = -1;
  if (::close(fd) != 0) fail("close", errno);
}

void OutputFile::fail(const char* what, int error) const {
  throw std::runtime_error(plugin_ + ": cannot " + what + " '" + path_ + "': " + std::strerror(error));
}

}  // namespace graph_runner::plugins
