// jsonl: writes one JSON object per record to a file (or stdout), fields in column order.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "format.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

constexpr std::size_t flush_bytes = 1 << 16;  // write to the file in chunks of about this size

class Jsonl : public Sink {
 public:
  explicit Jsonl(Context& c) : path_(c.params().get_string("path")), append_(c.params().get_bool("append")) {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for stdout");
  }
  ~Jsonl() override {
    if (file_ && file_ != stdout) std::fclose(file_);  // close() was not called: an aborted run
  }

  void open() override {
    if (path_ == "-") {
      file_ = stdout;
      return;
    }
    const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) throw std::runtime_error("jsonl: cannot create folder '" + parent.string() + "': " + ec.message());
    }
    file_ = std::fopen(path_.c_str(), append_ ? "ab" : "wb");
    if (!file_) fail("open");
  }

  void write(const Batch& batch) override {
    const auto columns = batch.columns();
    names_.clear();
    for (const auto& c : columns) {  // the `"name":` prefixes, once per batch
      std::string prefix;
      append_json_string(prefix, field_name(c->field));
      names_.push_back(prefix + ':');
    }
    for (std::size_t row = 0; row < batch.size(); ++row) {
      buffer_ += '{';
      for (std::size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) buffer_ += ',';
        buffer_ += names_[i];
        append_json_value(buffer_, columns[i]->values[row]);
      }
      buffer_ += "}\n";
    }
    if (buffer_.size() >= flush_bytes) drain();
  }

  void flush() override {
    drain();
    if (file_ && std::fflush(file_) != 0) fail("write");
  }

  void close() override {
    flush();
    if (file_ && file_ != stdout && std::fclose(file_) != 0) {
      file_ = nullptr;
      fail("close");
    }
    file_ = nullptr;
  }

 private:
  void drain() {
    if (buffer_.empty() || !file_) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) fail("write");
    buffer_.clear();
  }

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("jsonl: cannot ") + what + " '" + path_ + "': " + std::strerror(errno));
  }

  const std::string path_;
  const bool append_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::vector<std::string> names_;
};

}  // namespace

PluginDescriptor describe_jsonl() {
  return PluginDescriptor::sink<Jsonl>("jsonl", "writes records as JSON lines to a file or stdout")
      .with_params({
          ParamSpec::string("path", "file to write (parent folders are created); \"-\" = stdout").mandatory(),
          ParamSpec::boolean("append", "append to the file instead of replacing it").with_default(false),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_PLUGIN(jsonl, graph_runner::plugins::describe_jsonl)
