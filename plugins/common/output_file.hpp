#pragma once
// The output side of the file sinks (jsonl, csv): a path or "-" for stdout, its folder
// created on open, every I/O failure thrown with the plugin's name, the path and errno's text.
// The path is opened without following a link someone else could have planted
// (output_path.hpp): a refused path fails open(), that is the run's start.
//
// Delivery: a sink encodes a batch into buffer(), then write() hands those bytes to the OS in
// one write(2) before returning. The engine acknowledges a batch when Sink::write returns, so
// nothing may wait in a user-space buffer, and a full disk fails the write() of the batch that
// did not fit (its on_error applies), never a later flush. A batch that fails half-written is
// cut off a regular file again: the file holds whole batches only.
//
// Sharing: the instances of one node (`concurrency = N`, `partition_by`) - and any sinks of the
// same plugin writing the same path - share one open file. The first open creates or truncates
// it, each batch is written whole under a mutex (batches never interleave inside a line), and
// the last close closes it.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "graph_runner/context.hpp"

namespace graph_runner::plugins {

class OutputFile {
 public:
  OutputFile(std::string plugin, std::string path) : plugin_(std::move(plugin)), path_(std::move(path)) {}
  ~OutputFile();  // leaves the shared file without writing what buffer() holds (the run was aborted)
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const noexcept { return path_; }
  bool is_stdout() const noexcept { return path_ == "-"; }
  // Opens the file, or joins the sink instance that has it open already. True when this call
  // opened it: decisions about the file's start (a CSV header) belong to that instance.
  bool open(bool append);
  // The file's size when it was opened, before truncation (0 for stdout and devices); after
  // the cut of a torn last line when appending.
  std::uintmax_t size_at_open() const noexcept;
  // Appending to a regular file that does not end with "\n" (a run killed in the middle of
  // a write): the bytes after its last newline, cut off by open() so that the next record
  // does not glue onto half a line. "At least once" then means duplicates, never a corrupt
  // line. 0 when nothing was cut; the sink logs it.
  std::uintmax_t torn_bytes_cut() const noexcept;
  // This instance's encoding buffer, reused from batch to batch.
  std::string& buffer() noexcept { return buffer_; }
  // Writes buffer() to the OS (one write(2), looping only on a short write) and clears it,
  // also when the write fails.
  void write();
  // Runs `f()` under the shared file's lock: for state that the instances share and the
  // file's order depends on (a CSV header, which must precede every row).
  template <class F>
  void locked(F&& f) {
    std::lock_guard lock(shared_mutex());
    f();
  }
  // write(), for a caller inside locked().
  void write_holding_lock() { write_locked(); }
  // State of type T shared by every instance of this file, made on first use. Call it
  // inside locked().
  template <class T>
  T& shared_state() {
    std::shared_ptr<void>& state = shared_state_slot();
    if (!state) state = std::make_shared<T>();
    return *static_cast<T*>(state.get());
  }
  void flush() { write(); }  // nothing waits in our buffer after write(); kept for the Sink API
  void close();              // leaves the shared file; the last instance closes it

 private:
  struct Shared;
  std::mutex& shared_mutex();
  std::shared_ptr<void>& shared_state_slot();
  void write_locked();
  [[noreturn]] void fail(const char* what, int error) const;

  const std::string plugin_, path_;
  std::shared_ptr<Shared> shared_;
  std::string buffer_;
};

// Says what open() cut (if anything): "appending to 'out.jsonl': cut a torn last line of 37 bytes ...".
inline void log_torn_line_cut(const Context& c, const OutputFile& out) {
  if (const auto n = out.torn_bytes_cut())
    c.log(LogLevel::warn, "appending to '" + out.path() + "': cut a torn last line of " + std::to_string(n) +
                              " byte(s) (left by a run that was killed while writing)");
}

}  // namespace graph_runner::plugins
