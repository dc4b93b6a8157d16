// lines: a source of text lines from files, a glob of files, or standard input; one
// record per line with the text in field `line` (and, with position = true, the `file` and
// 1-based `line_no` it came from). A line longer than `max_record_bytes` is a bad record
// for the node's `on_error`, skipped to its newline.
#include <atomic>
#include <optional>
#include <string>

#include "graph_runner/sdk.hpp"
#include "file_source.hpp"
#include "input_files.hpp"
#include "line_source.hpp"

namespace graph_runner::plugins {
namespace {

class Lines : public Source {
 public:
  explicit Lines(Context& c)
      : ctx_(c),
        path_(c.params().get_string("path")),
        max_record_bytes_(max_record_bytes_of(c)),
        skip_empty_(c.params().get_bool("skip_empty")),
        position_(c.params().get_bool("position")),
        line_(field(c.params().get_string("field"))),
        file_(field("file")),
        line_no_(field("line_no")),
        checkpoints_(c, "path") {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for standard input");
    if (c.params().get_string("field").empty()) c.param_error("field", "the field name is empty");
  }

  void open() override { reader_.emplace(open_file_set(ctx_, path_, checkpoints_), max_record_bytes_); }

  bool read(BatchBuilder& out) override {
    if (!reader_) open();
    bad_.rethrow();
    // Whatever this call reads is committed with the batch it fills.
    struct Record {
      Lines& self;
      ~Record() {
        self.reader_->take_positions(self.positions_);
        record_positions(self.ctx_, self.checkpoints_, self.positions_, self.reader_->blocks());
      }
    } record{*this};
    // A string column per field (and an int column of line numbers), appended to.
    Column& text = out.column(line_, ColumnType::string);
    Column* files = position_ ? &out.column(file_, ColumnType::string) : nullptr;
    Column* numbers = position_ ? &out.column(line_no_, ColumnType::int64) : nullptr;
    const ReadDeadline deadline(ctx_.linger_ms());
    std::string_view line;
    Value file_value;
    while (text.size() < out.capacity()) {
      if (stopped_.load(std::memory_order_relaxed)) return finish(out, text, false);
      const auto status = reader_->next(line, deadline.wait_ms(text.size() > 0));
      if (status == LineReader::Status::end) return finish(out, text, false);
      if (status == LineReader::Status::waiting) break;
      if (status == LineReader::Status::oversized) {
        if (!bad_.reject(ctx_, reader_->oversized(), text.size() > 0)) break;
        continue;
      }
      if (skip_empty_ && line.empty()) continue;
      text.append(out.string(line));
      if (position_) {
        // One arena copy of the file name per batch and file, shared by its records.
        if (file_value.is_null() || file_value.as_string() != reader_->file()) file_value = out.string(reader_->file());
        files->append(file_value);
        numbers->append(Value::of(static_cast<std::int64_t>(reader_->line_no())));
      }
    }
    return finish(out, text, true);
  }

  void stop() override { stopped_.store(true, std::memory_order_relaxed); }
  void acknowledge(std::uint64_t batch) override { checkpoints_.acknowledge(batch); }
  void close() override { checkpoints_.close(); }

 private:
  // The records are the rows appended to the line column.
  static bool finish(BatchBuilder& out, const Column& text, bool more) {
    out.resize(text.size());
    return more;
  }

  Context& ctx_;
  const std::string path_;
  const std::size_t max_record_bytes_;
  const bool skip_empty_, position_;
  const Field line_, file_, line_no_;
  std::optional<LineReader> reader_;
  BadRecords bad_;
  std::atomic<bool> stopped_{false};
  Checkpointer checkpoints_;
  std::vector<FilePosition> positions_;
};

}  // namespace

PluginDescriptor describe_lines() {
  return PluginDescriptor::source<Lines>("lines", "text lines from files, a glob or stdin: one record per line")
      .with_params(with_follow_params({
          ParamSpec::string("path", "file, glob pattern (\"logs/*.log\", sorted) or \"-\" for stdin").mandatory(),
          ParamSpec::string("field", "field that receives the line's text (without its newline)").with_default("line"),
          ParamSpec::boolean("skip_empty", "skip empty lines").with_default(false),
          ParamSpec::boolean("position", "add `file` (string) and `line_no` (int, from 1) to each record")
              .with_default(false),
          max_record_bytes_param(),
      }));
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SOURCE_PLUGIN(lines, graph_runner::plugins::describe_lines)
