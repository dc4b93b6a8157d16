#include "output_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace graph_runner::plugins {

OutputFile::~OutputFile() {
  if (file_ && file_ != stdout) std::fclose(file_);
}

void OutputFile::open(bool append) {
  if (is_stdout()) {
    file_ = stdout;
    return;
  }
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw std::runtime_error(plugin_ + ": cannot create folder '" + parent.string() + "': " + ec.message());
  }
  file_ = std::fopen(path_.c_str(), append ? "ab" : "wb");
  if (!file_) fail("open");
}

void OutputFile::drain() {
  if (buffer_.empty() || !file_) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) fail("write");
  buffer_.clear();
}

void OutputFile::flush() {
  drain();
  if (file_ && std::fflush(file_) != 0) fail("write");
}

void OutputFile::close() {
  flush();
  if (file_ && file_ != stdout && std::fclose(file_) != 0) {
    file_ = nullptr;
    fail("close");
  }
  file_ = nullptr;
}

void OutputFile::fail(const char* what) const {
  throw std::runtime_error(plugin_ + ": cannot " + what + " '" + path_ + "': " + std::strerror(errno));
}

}  // namespace graph_runner::plugins
