// csv: writes records as CSV to a file or stdout. The first batch's fields, in column order,
// are the header and the columns of every row; a field that appears only later is left out
// (with a warning, once). Fields are quoted per RFC 4180 when needed, and also when the csv source
// would otherwise read them back as another type ("42" the string, "" the empty string).
// Each batch reaches the OS before write() returns (see output_file.hpp).
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "csv_text.hpp"
#include "format.hpp"
#include "output_file.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

class CsvSink : public Sink {
 public:
  explicit CsvSink(Context& c)
      : ctx_(c),
        out_("csv", c.params().get_string("path")),
        append_(c.params().get_bool("append")),
        header_(c.params().get_bool("header")) {
    if (out_.path().empty()) c.param_error("path", "path is empty; use \"-\" for stdout");
    const std::string& d = c.params().get_string("delimiter");
    if (d == "\\t" || d == "tab") delimiter_ = '\t';
    else if (d.size() == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r') delimiter_ = d[0];
    else c.param_error("delimiter", "the delimiter is one character other than a quote or newline, e.g. \",\" or \";\"");
  }
  void open() override {
    if (!out_.open(append_)) return;  // joined the instance that opened the file and decided
    log_torn_line_cut(ctx_, out_);
    // Appending to a file that already has rows: it already has its header too. (The size
    // of the file we opened, not of whatever the path names now.)
    const bool has_rows = append_ && out_.size_at_open() > 0;
    out_.locked([&] { out_.shared_state<Columns>().header = header_ && !has_rows; });
  }

  void write(const Batch& batch) override {
    if (batch.empty()) return;
    std::string& text = out_.buffer();
    text.clear();  // a retried batch is encoded again from the start
    if (fields_.empty() || has_new_fields(batch)) out_.locked([&] { learn_columns(batch); });
    columns_.clear();
    for (Field f : fields_) columns_.push_back(batch.find(f));
    // Absent and null alike are an empty field (CSV has no way to tell them apart).
    batch.for_each_row([&](std::size_t row) {
      for (std::size_t j = 0; j < columns_.size(); ++j) {
        if (j > 0) text += delimiter_;
        if (columns_[j]) append_csv_value(text, columns_[j]->get(row), delimiter_);
      }
      text += '\n';
    });
    out_.write();
  }

  void flush() override { out_.flush(); }
  void close() override { out_.close(); }

 private:
  // What the instances writing one file share (concurrency = N): the columns come from the
  // first batch any of them writes, and the header goes out once, before any row.
  struct Columns {
    bool header = true;  // wanted: decided by the instance that opened the file
    bool header_written = false;
    std::vector<Field> fields;
    std::set<std::uint32_t> known;  // fields written or warned about
  };

  bool has_new_fields(const Batch& batch) const {
    for (const auto& c : batch.columns())
      if (!known_.count(c->field().id)) return true;
    return false;
  }

  // Under the file's lock, so the header goes out before any instance's rows. A header
  // that failed to be written is tried again with the next batch (a retry).
  void learn_columns(const Batch& batch) {
    Columns& shared = out_.shared_state<Columns>();
    if (shared.fields.empty()) {
      for (const auto& c : batch.columns()) {
        shared.fields.push_back(c->field());
        shared.known.insert(c->field().id);
      }
    }
    if (shared.header && !shared.header_written) {
      std::string& text = out_.buffer();
      for (std::size_t j = 0; j < shared.fields.size(); ++j) {
        if (j > 0) text += delimiter_;
        append_csv_field(text, field_name(shared.fields[j]), delimiter_);
      }
      text += '\n';
      out_.write_holding_lock();
      shared.header_written = true;
    }
    fields_ = shared.fields;
    for (const auto& c : batch.columns()) {
      if (!known_.insert(c->field().id).second || !shared.known.insert(c->field().id).second) continue;
      ctx_.log(LogLevel::warn, "field '" + std::string(field_name(c->field())) +
                                   "' is not a column (the header comes from the first batch); it is not written");
    }
  }

  const Context& ctx_;
  OutputFile out_;
  const bool append_;
  bool header_;
  char delimiter_ = ',';
  std::vector<Field> fields_;           // a copy of Columns::fields, once known
  std::set<std::uint32_t> known_;       // fields this instance saw in Columns::known
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

GRAPH_RUNNER_SINK_PLUGIN(csv, graph_runner::plugins::describe_csv)
