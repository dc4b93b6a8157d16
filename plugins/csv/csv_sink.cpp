// csv: writes records as CSV to a file or stdout. The first batch's fields, in column order,
// are the header and the columns of every row; a field that appears only later is left out
// (with a warning, once). Fields are quoted per RFC 4180 when needed, and also when read_csv
// would otherwise read them back as another type ("42" the string, "" the empty string).
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "csv_text.hpp"
#include "format.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

constexpr std::size_t flush_bytes = 1 << 16;

class CsvSink : public Sink {
 public:
  explicit CsvSink(Context& c)
      : ctx_(c),
        path_(c.params().get_string("path")),
        append_(c.params().get_bool("append")),
        header_(c.params().get_bool("header")) {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for stdout");
    const std::string& d = c.params().get_string("delimiter");
    if (d == "\\t" || d == "tab") delimiter_ = '\t';
    else if (d.size() == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r') delimiter_ = d[0];
    else c.param_error("delimiter", "the delimiter is one character other than a quote or newline, e.g. \",\" or \";\"");
  }
  ~CsvSink() override {
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
      if (ec) throw std::runtime_error("csv: cannot create folder '" + parent.string() + "': " + ec.message());
    }
    // Appending to a file that already has rows: it already has its header too.
    std::error_code ec;
    if (append_ && std::filesystem::file_size(path_, ec) > 0 && !ec) header_ = false;
    file_ = std::fopen(path_.c_str(), append_ ? "ab" : "wb");
    if (!file_) fail("open");
  }

  void write(const Batch& batch) override {
    if (batch.empty()) return;
    if (fields_.empty()) start(batch);
    columns_.clear();
    for (Field f : fields_) columns_.push_back(batch.find(f));
    warn_about_new_fields(batch);
    for (std::size_t row = 0; row < batch.size(); ++row) {
      for (std::size_t j = 0; j < columns_.size(); ++j) {
        if (j > 0) buffer_ += delimiter_;
        if (columns_[j]) append_value(columns_[j]->values[row]);
      }
      buffer_ += '\n';
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
  void start(const Batch& batch) {
    for (const auto& c : batch.columns()) {
      fields_.push_back(c->field);
      known_.insert(c->field.id);
    }
    if (!header_) return;
    for (std::size_t j = 0; j < fields_.size(); ++j) {
      if (j > 0) buffer_ += delimiter_;
      append_csv_field(buffer_, field_name(fields_[j]), delimiter_);
    }
    buffer_ += '\n';
  }

  void warn_about_new_fields(const Batch& batch) {
    for (const auto& c : batch.columns()) {
      if (!known_.insert(c->field.id).second) continue;
      ctx_.log(LogLevel::warn, "field '" + std::string(field_name(c->field)) +
                                   "' is not a column (the header comes from the first batch); it is not written");
    }
  }

  void append_value(const Value& v) {
    switch (v.type()) {
      case Type::null: return;  // an empty field
      case Type::boolean: buffer_ += v.as_bool() ? "true" : "false"; return;
      case Type::int64: buffer_ += std::to_string(v.as_int()); return;
      case Type::float64:
        if (std::isfinite(v.as_double())) append_double(buffer_, v.as_double(), false);  // else empty, as JSON's null
        return;
      case Type::string: append_csv_field(buffer_, v.as_string(), delimiter_); return;
      case Type::bytes: {
        std::string text;
        append_base64(text, v.as_string());
        append_csv_field(buffer_, text, delimiter_);
        return;
      }
    }
  }

  void drain() {
    if (buffer_.empty() || !file_) return;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) fail("write");
    buffer_.clear();
  }

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("csv: cannot ") + what + " '" + path_ + "': " + std::strerror(errno));
  }

  const Context& ctx_;
  const std::string path_;
  const bool append_;
  bool header_;
  char delimiter_ = ',';
  std::FILE* file_ = nullptr;
  std::string buffer_;
  std::vector<Field> fields_;           // the columns, from the first batch
  std::set<std::uint32_t> known_;       // fields already written or warned about
  std::vector<const Column*> columns_;  // per column, in the batch being written
};

}  // namespace

PluginDescriptor describe_csv() {
  return PluginDescriptor::sink<CsvSink>("csv", "writes records as CSV (RFC 4180) to a file or stdout")
      .with_params({
          ParamSpec::string("path", "file to write (parent folders are created); \"-\" = stdout").mandatory(),
          ParamSpec::boolean("append", "append to the file instead of replacing it (no second header)").with_default(false),
          ParamSpec::boolean("header", "write a header row of field names").with_default(true),
          ParamSpec::string("delimiter", "field separator: one character, or \"\\t\" for tab").with_default(","),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_PLUGIN(csv, graph_runner::plugins::describe_csv)
