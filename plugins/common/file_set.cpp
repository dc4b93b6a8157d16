#include "file_set.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "checkpointer.hpp"
#include "input_files.hpp"

namespace graph_runner::plugins {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

std::uint64_t size_of(int fd) {
  struct stat st;
  return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

}  // namespace

FileSet::FileSet(const std::string& pattern, FileSetOptions options) : pattern_(pattern), options_(std::move(options)) {
  if (!options_.follow) {
    for (auto& path : expand_input_paths(pattern)) {
      files_.push_back(std::make_unique<TrackedFile>());
      files_.back()->path = std::move(path);
    }
    return;
  }
  if (pattern == "-") throw std::runtime_error("follow = true reads files; standard input is read as it comes anyway");
  rescan();
  if (files_.empty()) log(LogLevel::info, "no file matches '" + pattern + "' yet: waiting for one");
}

FileSet::FileSet(std::vector<std::string> paths) {
  for (auto& path : paths) {
    files_.push_back(std::make_unique<TrackedFile>());
    files_.back()->path = std::move(path);
  }
}

FileSet::~FileSet() {
  for (auto& f : files_) close(*f);
}

void FileSet::open_at_checkpoint(TrackedFile& f) {
  if (f.path == "-") {
    f.fd = 0;
    f.path = "<stdin>";
  } else {
    f.fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0) fail("open", f.path, errno);
  }
  struct stat st;
  f.pipe = ::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode);
  if (f.pipe) return;
  ::posix_fadvise(f.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  f.id = fingerprint(f.fd, f.path);
  if (!options_.checkpoints) return;
  if (auto saved = options_.checkpoints->saved_position(f.fd, f.id)) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (saved->offset > size) {
      log(LogLevel::warn, "'" + f.path + "' has " + std::to_string(size) + " bytes, fewer than its checkpoint (" +
                              std::to_string(saved->offset) + "): it was truncated; reading it from its start");
    } else {
      f.offset = saved->offset;
      f.line = saved->line;
      if (f.offset > 0) log(LogLevel::info, "'" + f.path + "': resuming at byte " + std::to_string(f.offset) +
                                                " (line " + std::to_string(f.line) + ")");
    }
  }
  if (f.offset > 0 && ::lseek(f.fd, static_cast<off_t>(f.offset), SEEK_SET) < 0) fail("seek in", f.path, errno);
}

void FileSet::rescan() {
  last_scan_ = std::chrono::steady_clock::now();
  std::vector<std::string> paths;
  if (is_pattern(pattern_)) paths = match_input_paths(pattern_);
  else paths.push_back(pattern_);
  for (const auto& path : paths) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // not there (yet)
    TrackedFile* known = nullptr;
    for (auto& f : files_)
      if (f->id.dev == static_cast<std::uint64_t>(st.st_dev) && f->id.ino == static_cast<std::uint64_t>(st.st_ino)) {
        // A closed file of that inode with the same head is one read to its end already; a
        // different head is a new file on a reused inode.
        if (f->fd >= 0 || is_same_file_path(path, f->id)) known = f.get();
      }
    if (known) {
      if (known->fd >= 0 && known->path != path) known->path = path;  // renamed, and still matched
      continue;
    }
    auto f = std::make_unique<TrackedFile>();
    f->path = path;
    try {
      open_at_checkpoint(*f);
    } catch (const std::exception& e) {  // gone between glob and open: seen next time, or never
      log(LogLevel::debug, e.what());
      close(*f);
      continue;
    }
    files_.push_back(std::move(f));
  }
}

TrackedFile* FileSet::next(TrackedFile* current) {
  if (!options_.follow) {
    if (next_ >= files_.size()) return nullptr;
    TrackedFile& f = *files_[next_++];
    open_at_checkpoint(f);
    return &f;
  }
  if (std::chrono::steady_clock::now() - last_scan_ >= options_.poll) rescan();
  // Round robin from the file after `current`, which comes last: a busy file cannot starve
  // the others.
  std::size_t start = 0;
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (files_[i].get() == current) start = i + 1;
  for (std::size_t k = 0; k < files_.size(); ++k) {
    TrackedFile& f = *files_[(start + k) % files_.size()];
    if (f.fd < 0) continue;
    const std::uint64_t size = size_of(f.fd);
    if (size < f.offset) restart_truncated(f, size);
    // A file gone for good is offered too, to be read to its end and let go.
    if (size == f.offset && !gone_for_good(f)) continue;
    if (::lseek(f.fd, static_cast<off_t>(f.offset), SEEK_SET) < 0) fail("seek in", f.path, errno);
    return &f;
  }
  return nullptr;
}

FileSet::Change FileSet::check(TrackedFile& f, std::uint64_t read_to) {
  const std::uint64_t size = size_of(f.fd);
  if (size < read_to) {
    restart_truncated(f, size);
    if (::lseek(f.fd, 0, SEEK_SET) < 0) fail("seek in", f.path, errno);
    return Change::truncated;
  }
  if (std::chrono::steady_clock::now() - last_scan_ >= options_.poll) rescan();  // a renamed file may still match
  return gone_for_good(f) ? Change::gone : Change::none;
}

void FileSet::restart_truncated(TrackedFile& f, std::uint64_t size) {
  log(LogLevel::warn, "'" + f.path + "' shrank to " + std::to_string(size) +
                          " bytes (copytruncate?): reading it again from its start");
  f.offset = 0;
  f.line = 1;
  f.gone = false;
  f.id = fingerprint(f.fd, f.path);  // its first bytes are new
}

bool FileSet::gone_for_good(TrackedFile& f) {
  struct stat st;
  const bool named = ::stat(f.path.c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_dev) == f.id.dev &&
                     static_cast<std::uint64_t>(st.st_ino) == f.id.ino;
  if (named) {
    f.gone = false;
    return false;
  }
  // Renamed away or deleted: a writer may still add what it had buffered; give it a poll
  // interval before the file is read to its end for the last time.
  const auto now = std::chrono::steady_clock::now();
  if (!f.gone) {
    f.gone = true;
    f.gone_since = now;
  }
  return now - f.gone_since >= options_.poll;
}

void FileSet::close(TrackedFile& f) {
  if (f.fd > 0) ::close(f.fd);  // fd 0 (stdin) stays open for the process
  f.fd = -1;
}

bool FileSet::deleted(const TrackedFile& f) {
  struct stat st;
  return f.fd >= 0 && ::fstat(f.fd, &st) == 0 && st.st_nlink == 0;
}

void FileSet::refresh_id(TrackedFile& f) {
  if (!f.pipe && f.fd >= 0 && f.id.head_bytes < fingerprint_bytes) f.id = fingerprint(f.fd, f.path);
}

}  // namespace graph_runner::plugins
