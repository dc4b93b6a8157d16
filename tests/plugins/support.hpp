#pragma once
// Helpers shared by the plugin tests: the plugins' describe functions (their sources are
// compiled into plugins_tests), stdout capture and temporary folders.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "graph_runner/testing.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_generate();
PluginDescriptor describe_filter();
PluginDescriptor describe_map();
PluginDescriptor describe_jsonl();
PluginDescriptor describe_count();
PluginDescriptor describe_stdout();
}  // namespace graph_runner::plugins

namespace plugin_tests {

// Redirects the process's stdout (file descriptor 1, so printf and std::cout alike) to a
// temporary file while it lives; text() stops capturing and returns what was written.
class CaptureStdout {
 public:
  CaptureStdout() : file_(std::tmpfile()) {
    std::fflush(stdout);
    saved_ = ::dup(1);
    ::dup2(::fileno(file_), 1);
  }
  CaptureStdout(const CaptureStdout&) = delete;
  CaptureStdout& operator=(const CaptureStdout&) = delete;
  ~CaptureStdout() {
    restore();
    std::fclose(file_);
  }
  std::string text() {
    restore();
    std::string out;
    std::rewind(file_);
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, file_)) out.append(buf, n);
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    ::dup2(saved_, 1);
    ::close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_ = -1;
};

// A fresh, empty folder under the system's temporary folder, removed at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("gr-plugins-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `p` (bytes as given) and returns the path as a string.
inline std::string write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

}  // namespace plugin_tests
