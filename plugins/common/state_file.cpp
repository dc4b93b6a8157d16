#include "state_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace graph_runner::plugins {
namespace {

constexpr const char* format_name = "graph-runner/source-checkpoint";

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

[[noreturn]] void io_fail(const std::string& what, const std::string& path) {
  throw std::runtime_error("cannot " + what + " state file '" + path + "': " + std::strerror(errno));
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) io_fail("write", path);
    done += static_cast<std::size_t>(n);
  }
}

FilePosition file_entry(const nlohmann::json& j) {
  FilePosition p;
  p.path = j.at("path").get<std::string>();
  p.id.dev = j.at("dev").get<std::uint64_t>();
  p.id.ino = j.at("inode").get<std::uint64_t>();
  p.id.head_bytes = j.at("head_bytes").get<std::uint32_t>();
  const std::string sum = j.at("head_fnv1a").get<std::string>();
  std::size_t used = 0;
  p.id.head_sum = std::stoull(sum, &used, 16);
  if (sum.size() != 16 || used != 16) throw std::invalid_argument("head_fnv1a is not 16 hex digits");
  p.offset = j.at("offset").get<std::uint64_t>();
  p.line = j.at("line").get<std::uint64_t>();
  if (p.id.head_bytes > fingerprint_bytes) throw std::invalid_argument("head_bytes is over " + std::to_string(fingerprint_bytes));
  if (p.line == 0) throw std::invalid_argument("line is 0");
  return p;
}

}  // namespace

std::optional<SourceState> read_state_file(const std::string& file, const std::string& key) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    throw StateFileError("cannot read state file '" + file + "': " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string where = "state file '" + file + "'";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.str());
  } catch (const std::exception& e) {
    throw StateFileError(where + " is corrupt (not valid JSON: " + e.what() +
                         "); move it away to start from zero, or run with --from-start");
  }
  if (!j.is_object() || !j.contains("format") || j["format"] != format_name)
    throw StateFileError(where + " is not a graph-runner source checkpoint (no \"format\": \"" + format_name +
                         "\"); is the state_dir shared with something else?");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"] != state_file_version)
    throw StateFileError(where + " has version " + (j.contains("version") ? j["version"].dump() : "none") +
                         "; this graph-runner reads version " + std::to_string(state_file_version));
  if (!j.contains("key") || !j["key"].is_string() || j["key"] != key)
    throw StateFileError(where + " belongs to " + (j.contains("key") ? j["key"].dump() : "no source") +
                         ", not to '" + key + "'");
  SourceState state;
  try {
    for (const auto& f : j.at("files")) state.files.push_back(file_entry(f));
  } catch (const std::exception& e) {
    throw StateFileError(where + " is corrupt (" + e.what() + "); move it away to start from zero, or run with --from-start");
  }
  return state;
}

void write_state_file(const std::string& file, const std::string& key, const SourceState& state) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& p : state.files)
    files.push_back({{"path", p.path}, {"dev", p.id.dev}, {"inode", p.id.ino}, {"head_bytes", p.id.head_bytes},
                     {"head_fnv1a", hex(p.id.head_sum)}, {"offset", p.offset}, {"line", p.line}});
  const nlohmann::json j = {{"format", format_name}, {"version", state_file_version}, {"key", key}, {"files", files}};
  const std::string text = j.dump(1) + "\n";

  const std::filesystem::path path(file);
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create state_dir '" + dir.string() + "': " + ec.message());
  const std::string tmp = file + ".tmp";  // one writer per state file: the key is graph + node
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_fail("create", tmp);
  try {
    write_all(fd, text, tmp);
    if (::fsync(fd) != 0) io_fail("fsync", tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) io_fail("close", tmp);
  if (::rename(tmp.c_str(), file.c_str()) != 0) io_fail("rename", file);
  // The rename itself is durable only once the folder is.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) io_fail("open the folder of", file);
  const int rc = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  errno = err;
  if (rc != 0) io_fail("fsync the folder of", file);
}

}  // namespace graph_runner::plugins
