#pragma once
// The output side of the file sinks (jsonl, csv): a path or "-" for stdout, its folder
// created on open, records formatted into a buffer that is written in chunks of about
// 64 KiB, and every I/O failure thrown with the plugin's name, the path and errno's text.
#include <cstdio>
#include <string>

namespace graph_runner::plugins {

class OutputFile {
 public:
  OutputFile(std::string plugin, std::string path) : plugin_(std::move(plugin)), path_(std::move(path)) {}
  ~OutputFile();  // closes without flushing: close() was not called, the run was aborted
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const noexcept { return path_; }
  bool is_stdout() const noexcept { return path_ == "-"; }
  void open(bool append);
  // Format records into buffer(), then call wrote() to pass a full chunk on to the file.
  std::string& buffer() noexcept { return buffer_; }
  void wrote() {
    if (buffer_.size() >= chunk_bytes) drain();
  }
  void flush();
  void close();  // flushes; stdout stays open

 private:
  static constexpr std::size_t chunk_bytes = 1 << 16;
  void drain();
  [[noreturn]] void fail(const char* what) const;

  const std::string plugin_, path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
};

}  // namespace graph_runner::plugins
