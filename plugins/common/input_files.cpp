#include "input_files.hpp"

#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace graph_runner::plugins {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(err));
}

bool is_directory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> match_input_paths(const std::string& pattern) {
  glob_t matches{};
  const int rc = ::glob(pattern.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &matches);
  std::vector<std::string> files;
  if (rc == 0)
    for (std::size_t i = 0; i < matches.gl_pathc; ++i)
      if (!is_directory(matches.gl_pathv[i])) files.emplace_back(matches.gl_pathv[i]);  // sorted by glob
  ::globfree(&matches);
  if (rc != 0 && rc != GLOB_NOMATCH) throw std::runtime_error("cannot expand '" + pattern + "': glob failed");
  return files;
}

std::string read_first_line(const std::string& path, std::size_t max_bytes) {
  LineReader reader({path}, max_bytes, 4096);
  std::string_view line;
  const auto status = reader.next(line);
  if (status == LineReader::Status::oversized) throw std::runtime_error(reader.oversized().message() + " (the header)");
  return status == LineReader::Status::line ? std::string(line) : std::string();
}

bool is_pattern(const std::string& path) { return path.find_first_of("*?[{") != std::string::npos; }

std::vector<std::string> expand_input_paths(const std::string& path) {
  if (path == "-") return {path};
  if (!is_pattern(path)) {
    if (::access(path.c_str(), R_OK) != 0) fail("open", path, errno);
    if (is_directory(path)) throw std::runtime_error("'" + path + "' is a folder; use a pattern such as '" + path + "/*.csv'");
    return {path};
  }
  std::vector<std::string> files = match_input_paths(path);
  if (files.empty()) throw std::runtime_error("no file matches '" + path + "'");
  return files;
}

LineReader::LineReader(std::vector<std::string> paths, std::size_t max_record_bytes, std::size_t block_bytes)
    : blocks_(std::move(paths), block_bytes, max_record_bytes) {}

LineReader::LineReader(std::unique_ptr<FileSet> files, std::size_t max_record_bytes, std::size_t block_bytes)
    : blocks_(std::move(files), block_bytes, max_record_bytes) {}

void LineReader::take_positions(std::vector<FilePosition>& out) {
  for (auto& p : passed_) out.push_back(std::move(p));
  passed_.clear();
  if (block_.data && block_.id.ino != 0)
    out.push_back(FilePosition{block_.file, block_.id, block_.start_offset + pos_, line_no_ + 1});
}

LineReader::Status LineReader::next(std::string_view& line, int wait_ms) {
  for (;;) {
    if (pos_ < block_.size) {
      const char* p = block_.data.get() + pos_;
      const std::size_t left = block_.size - pos_;
      const void* nl = std::memchr(p, '\n', left);
      std::size_t size = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - p) : left;
      pos_ += nl ? size + 1 : size;
      if (size > 0 && p[size - 1] == '\r') --size;
      line = std::string_view(p, size);
      ++line_no_;
      return Status::line;
    }
    if (block_.data) {  // done with this block: its buffer goes back before the next is read
      if (block_.id.ino != 0) passed_.push_back(block_.end_position());  // not a pipe
      blocks_.recycle(std::move(block_));
      block_.data.reset();
    }
    block_.size = pos_ = 0;
    switch (blocks_.next(block_, wait_ms)) {
      case BlockReader::Status::block:
        file_ = block_.file;
        line_no_ = block_.first_line - 1;
        continue;
      case BlockReader::Status::oversized:
        file_ = blocks_.oversized().file;
        line_no_ = blocks_.oversized().line;
        return Status::oversized;
      case BlockReader::Status::waiting: return Status::waiting;
      case BlockReader::Status::end: return Status::end;
    }
  }
}

}  // namespace graph_runner::plugins
