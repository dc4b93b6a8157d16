#pragma once
// A file source's checkpoints (DESIGN.md section 8): the position of its contiguous
// acknowledged prefix, per file, saved to the run's state_dir.
//
// Batches are acknowledged in any order (a slow branch, a retry, concurrency), so the source
// records, under each batch number (Context::batch_being_read), the position reading had
// reached when that batch was complete; a position is committed only when its batch and
// every batch before it are acknowledged. A crash therefore re-reads at most the batches in
// flight plus what was committed but not yet written (one checkpoint_ms): duplicates, never
// a gap.
//
// Writing: a thread of its own writes the state file when something was committed, at most
// every checkpoint_ms (an fsync on a worker thread would stall the graph), and close()
// writes the last state after the drain. Nothing is written before the first read, so
// `graph-runner validate` never touches the state_dir.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "state_file.hpp"

namespace graph_runner::plugins {

class Checkpointer {
 public:
  /// Reads the saved state, unless the run has no state_dir or was started --from-start. A
  /// corrupt or foreign state file is a parameter error of the node (the run does not start,
  /// exit code 2), reported at `param` (the source's path).
  Checkpointer(Context& ctx, const std::string& param);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  bool enabled() const noexcept { return !settings_.file.empty(); }

  /// Where the open file `fd` (identity `id`) was left by an earlier run, if it was read.
  std::optional<FilePosition> saved_position(int fd, const FileId& id) const;

  /// From read(): reading reached `after` with what went into batch `batch`.
  void record(std::uint64_t batch, const FilePosition& after);
  /// From read(): the file `id` was deleted and is read to its end: once `batch` is
  /// committed it leaves the state (otherwise the state of a rotating log grows forever).
  void record_gone(std::uint64_t batch, const FileId& id);
  /// From Source::acknowledge (any thread).
  void acknowledge(std::uint64_t batch);
  /// After the drain (Source::close): stops the writer and writes the last state.
  void close();

  /// The state as committed now (tests, and the writer).
  SourceState committed() const;

 private:
  using Key = std::pair<std::uint64_t, std::uint64_t>;  // dev, inode
  struct Mark {
    FilePosition position;
    bool gone = false;
  };
  void start_writer();
  void writer_loop();
  void write_now();

  Context& ctx_;
  const CheckpointSettings settings_;
  mutable std::mutex mutex_;
  std::map<Key, FilePosition> saved_;      // what the last run left (empty --from-start)
  std::map<Key, FilePosition> committed_;  // saved_, moved on by acknowledged batches
  std::map<std::uint64_t, std::vector<Mark>> marks_;  // by batch, not yet committed
  std::set<std::uint64_t> acked_;          // acknowledged, waiting for an earlier batch
  std::uint64_t next_ = 0;                 // the first batch not yet acknowledged
  bool dirty_ = false, stopping_ = false, write_failed_ = false;
  std::condition_variable wake_;
  std::thread writer_;
  std::mutex write_mutex_;  // one write at a time (the writer thread and close())
};

}  // namespace graph_runner::plugins
