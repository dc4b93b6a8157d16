#pragma once
// Which file is this? A file source resumes a file, or follows it across a rotation, by its
// identity, not its path: a rotated log keeps its inode under a new name, and a new file
// takes the old name. Device and inode alone are not enough: a deleted file's inode is soon
// reused by a new one. So, as Vector's file source does, the identity also holds a checksum
// of the file's first bytes (up to fingerprint_bytes; fewer while the file is shorter).
#include <cstdint>
#include <string>

namespace graph_runner::plugins {

inline constexpr std::size_t fingerprint_bytes = 256;

struct FileId {
  std::uint64_t dev = 0, ino = 0;
  std::uint32_t head_bytes = 0;  // how many of the first bytes head_sum covers
  std::uint64_t head_sum = 0;    // FNV-1a (64 bits) of those bytes

  bool same_inode(const FileId& o) const noexcept { return dev == o.dev && ino == o.ino; }
};

/// FNV-1a, 64 bits: the head checksum (not cryptographic: it tells files apart, it does not
/// defend against someone forging one).
std::uint64_t fnv1a(const char* p, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL) noexcept;

/// The identity of the open file `fd` now (its first min(size, fingerprint_bytes) bytes).
/// Throws std::runtime_error naming `path` when it cannot be read.
FileId fingerprint(int fd, const std::string& path);

/// True when the open file `fd` (identity `now`) is the file `saved` described: the same
/// device and inode, and its first saved.head_bytes bytes have the saved checksum.
bool is_same_file(int fd, const FileId& now, const FileId& saved);
/// is_same_file for the file at `path` (false when it cannot be opened).
bool is_same_file_path(const std::string& path, const FileId& saved);

}  // namespace graph_runner::plugins
