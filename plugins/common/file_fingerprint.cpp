#include "file_fingerprint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace graph_runner::plugins {
namespace {

// The first `want` bytes of fd (fewer at its end), by pread: the read position stays.
std::size_t read_head(int fd, char* buf, std::size_t want) {
  std::size_t got = 0;
  while (got < want) {
    const ssize_t n = ::pread(fd, buf + got, want - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

}  // namespace

std::uint64_t fnv1a(const char* p, std::size_t n, std::uint64_t h) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

FileId fingerprint(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) throw std::runtime_error("cannot stat '" + path + "': " + std::strerror(errno));
  FileId id;
  id.dev = static_cast<std::uint64_t>(st.st_dev);
  id.ino = static_cast<std::uint64_t>(st.st_ino);
  char head[fingerprint_bytes];
  const std::size_t n = read_head(fd, head, fingerprint_bytes);
  id.head_bytes = static_cast<std::uint32_t>(n);
  id.head_sum = fnv1a(head, n);
  return id;
}

bool is_same_file(int fd, const FileId& now, const FileId& saved) {
  if (!now.same_inode(saved) || saved.head_bytes > fingerprint_bytes) return false;
  if (now.head_bytes == saved.head_bytes) return now.head_sum == saved.head_sum;
  if (now.head_bytes < saved.head_bytes) return false;  // shorter than it was: another file (or truncated)
  char head[fingerprint_bytes];
  return read_head(fd, head, saved.head_bytes) == saved.head_bytes && fnv1a(head, saved.head_bytes) == saved.head_sum;
}

bool is_same_file_path(const std::string& path, const FileId& saved) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool same = false;
  try {
    same = is_same_file(fd, fingerprint(fd, path), saved);
  } catch (const std::exception&) {
  }
  ::close(fd);
  return same;
}

}  // namespace graph_runner::plugins
