#pragma once
// The files a source reads, and where in each it goes on: for BlockReader.
//
// Without `follow`: the files of `path` in order (expand_input_paths), each opened when its
// turn comes, at its checkpoint when it has one; the end of the last is the end.
//
// With `follow`: files are read as they grow, and the pattern is rescanned for new ones,
// by polling every `poll_ms` (not inotify: polling sees the same on every file system -
// NFS, overlay and bind mounts in containers, where inotify misses changes - and one
// fstat per file per interval costs nothing measurable; Vector's file source polls too).
// A file is known by its identity (file_fingerprint.hpp), not its name:
// - rotation (rename, then a new file under the old name): the renamed file is read to its
//   end, then closed; the new file is read from its start;
// - copytruncate (the file shrinks below what was read): read again from its start (what
//   was written between the last read and the truncation cannot be seen, as with any reader);
// - deletion: the open file is read to its end, closed, and dropped from the checkpoint.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "file_fingerprint.hpp"
#include "graph_runner/context.hpp"

namespace graph_runner::plugins {

class Checkpointer;

struct FileSetOptions {
  bool follow = false;
  std::chrono::milliseconds poll{250};
  Checkpointer* checkpoints = nullptr;  // resume positions; nullptr: every file from its start
  std::function<void(LogLevel, const std::string&)> log;
};

struct TrackedFile {
  std::string path;       // "<stdin>" for "-"
  int fd = -1;
  bool pipe = false;      // standard input or a pipe: no offsets, no follow
  FileId id;
  std::uint64_t offset = 0, line = 1;  // where reading goes on (the start of a line)
  std::chrono::steady_clock::time_point gone_since{};  // follow: its path names it no more
  bool gone = false;
};

class FileSet {
 public:
  /// `pattern` is the source's `path` parameter. Throws std::runtime_error when it names no
  /// readable file (with follow, a pattern matching nothing yet is allowed).
  FileSet(const std::string& pattern, FileSetOptions options);
  /// These files, in this order, without follow or checkpoints.
  explicit FileSet(std::vector<std::string> paths);
  ~FileSet();
  FileSet(const FileSet&) = delete;
  FileSet& operator=(const FileSet&) = delete;

  bool follow() const noexcept { return options_.follow; }

  /// The file to read next, positioned at its `offset`, or nullptr: the end (without
  /// follow), or no file has unread bytes now (with follow). `current` (may be null) has been
  /// read up to its `offset`/`line`; with follow it stays open and is offered again when it grows.
  TrackedFile* next(TrackedFile* current);

  enum class Change { none, truncated, gone };
  /// With follow, `f` read to its end (`read_to` bytes): was it truncated (then it is
  /// positioned at 0), or is it gone for good (renamed or deleted, and no longer written)?
  Change check(TrackedFile& f, std::uint64_t read_to);
  /// Done with `f`: closed; with follow, never offered again.
  void close(TrackedFile& f);
  /// True when the file `f` has no name any more (deleted): its checkpoint entry can go.
  static bool deleted(const TrackedFile& f);
  /// Updates f.id's head checksum while the file is shorter than fingerprint_bytes.
  void refresh_id(TrackedFile& f);

 private:
  void open_at_checkpoint(TrackedFile& f);
  void restart_truncated(TrackedFile& f, std::uint64_t size);
  // Its path names it no more (renamed away, deleted) for a poll interval: a writer that
  // still had it open has had the time to add what it buffered.
  bool gone_for_good(TrackedFile& f);
  void rescan();
  void log(LogLevel level, const std::string& message) const {
    if (options_.log) options_.log(level, message);
  }

  const std::string pattern_;
  const FileSetOptions options_;
  std::vector<std::unique_ptr<TrackedFile>> files_;  // without follow: in reading order
  std::size_t next_ = 0;                             // without follow: the next to open
  std::chrono::steady_clock::time_point last_scan_{};
};

}  // namespace graph_runner::plugins
