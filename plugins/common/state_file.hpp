#pragma once
// A file source's checkpoint on disk: per file, its identity and the position of the
// contiguous acknowledged prefix. Format (JSON, documented in docs/lifecycle.md):
//
//   {"format": "graph-runner/source-checkpoint", "version": 1, "key": "GRAPH/NODE",
//    "files": [{"path": "logs/app.log", "dev": 2049, "inode": 131, "head_bytes": 256,
//               "head_fnv1a": "9f2c...", "offset": 81920, "line": 1025}]}
//
// Written atomically: a temporary file in the same folder, fsync, rename over the old one,
// fsync of the folder; a crash leaves the old checkpoint or the new one, never half of one.
// Read strictly: a file that is not valid JSON of this shape is corrupt, one with another
// format, version or key is foreign; both are errors, never a silent start from zero.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "file_fingerprint.hpp"

namespace graph_runner::plugins {

inline constexpr int state_file_version = 1;

struct FilePosition {
  std::string path;          // where the file was last read (matching goes by `id`)
  FileId id;
  std::uint64_t offset = 0;  // bytes of whole lines committed (the next line starts here)
  std::uint64_t line = 1;    // the number of the line that starts at `offset`
};

struct SourceState {
  std::vector<FilePosition> files;
};

/// A state file that cannot be used: corrupt, foreign, or unreadable.
class StateFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The state saved in `file` for `key`; nullopt when there is no such file (a first run).
/// Throws StateFileError naming the file and what is wrong with it.
std::optional<SourceState> read_state_file(const std::string& file, const std::string& key);

/// Replaces `file` atomically (see above), creating its folder when needed. Throws
/// std::runtime_error naming the file on an I/O error.
void write_state_file(const std::string& file, const std::string& key, const SourceState& state);

}  // namespace graph_runner::plugins
