#pragma once
// Opening an output file on a machine shared with other users (issue 20): graph-runner often
// runs as root, and a path through a folder someone else can write could lead anywhere, e.g.
// `out.jsonl -> /etc/shadow` planted in /tmp, or `outdir -> /etc` in a 0777 folder.
//
// The rule is sshd's StrictModes: every folder from `/` down to the file's folder must be
// owned by root or by us (geteuid()) and writable by nobody else (group write only for its
// owner's private group). A folder others can write is accepted only when it is sticky (/tmp)
// and the entry we use in it is owned by root or by us: nobody else can remove or replace it.
// Symbolic links are followed only where that rule trusts them (a user's own `out ->
// /data/out` works), and their targets are checked the same way.
//
// No check-then-use race: the path is walked from `/` one component at a time with
// openat(O_PATH | O_DIRECTORY | O_NOFOLLOW), each folder checked with fstat on the descriptor
// we hold, missing folders created with mkdirat, and the file opened relative to the last
// folder with O_NOFOLLOW. Nothing is truncated before the file's descriptor is checked.
#include <cstdint>
#include <string>

namespace graph_runner::plugins {

struct OpenedOutput {
  int fd = -1;
  bool regular = false;        // a regular file (not a device or pipe)
  std::uintmax_t size = 0;     // its size when opened, before truncation
};

// Opens `path` for writing: created with mode 0666 & ~umask, truncated unless `append`
// (then every write goes to its end). Parent folders are created like `mkdir -p`.
// Throws std::runtime_error "PLUGIN: refusing to write 'PATH': why" for a path the rule
// above refuses, "PLUGIN: cannot open 'PATH': reason" (or create folder) for I/O errors.
OpenedOutput open_output_path(const std::string& plugin, const std::string& path, bool append);

}  // namespace graph_runner::plugins
