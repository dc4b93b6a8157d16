// csv (formerly read_csv): a source of CSV records from files, a glob or stdin. The first row of each file
// names the columns (or `columns` does, with header = false); quoting per RFC 4180, so a
// quoted field may hold the delimiter, doubled quotes and newlines. Column types are
// declared (`types = { age = "int" }`) or inferred per value (see csv_value).
// A bad row (another number of fields than columns, unless ragged = "null" fills short rows;
// a value that is not of its declared type; a record over max_record_bytes) goes to the
// node's on_error policy (Context::reject_input) as "FILE:LINE: message"; a bad file (an
// unclosed quote at its end, a header that disagrees with `columns` or `types`, a header
// over max_record_bytes) fails the read.
#include <atomic>
#include <utility>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "csv_text.hpp"
#include "graph_runner/sdk.hpp"
#include "file_source.hpp"
#include "input_files.hpp"
#include "line_source.hpp"

namespace graph_runner::plugins {
namespace {

char delimiter_of(Context& c) {
  const std::string& d = c.params().get_string("delimiter");
  if (d == "\\t" || d == "tab") return '\t';
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r')
    c.param_error("delimiter", "the delimiter is one character other than a quote or newline, e.g. \",\", \";\" or \"\\t\"");
  return d[0];
}

class ReadCsv : public Source {
 public:
  explicit ReadCsv(Context& c)
      : ctx_(c),
        path_(c.params().get_string("path")),
        header_(c.params().get_bool("header")),
        names_(c.params().get_string_list("columns")),
        ragged_null_(c.params().get_string("ragged") == "null"),
        max_record_bytes_(max_record_bytes_of(c)),
        splitter_(delimiter_of(c)) {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for standard input");
    if (!header_ && names_.empty()) c.param_error("columns", "with header = false, `columns` names the columns");
    for (const auto& [column, type] : c.params().get_string_map("types")) {
      auto t = csv_type(type);
      if (!t) c.param_error("types", "column '" + column + "': unknown type '" + type + "' (int, double, string, bool)");
      declared_.emplace_back(column, *t);
    }
  }

  void open() override {
    reader_.emplace(open_file_set(ctx_, path_, checkpoints_), max_record_bytes_);
    declare_fields();
  }

  bool read(BatchBuilder& out) override {
    if (!reader_) open();
    bad_.rethrow();  // a bad row under on_error = "fail", after the rows before it went out
    std::fill(columns_.begin(), columns_.end(), nullptr);  // a new builder: look the columns up again
    const std::size_t first = out.size();
    std::size_t row = first;
    const ReadDeadline deadline(ctx_.linger_ms());
    std::string_view line;
    // Whatever this call reads is committed with the batch it fills, unless it ends inside
    // a quoted record (resuming there would split it): then with a later batch.
    struct Record {
      ReadCsv& self;
      ~Record() {
        self.reader_->take_positions(self.positions_);
        if (self.splitter_.in_quotes()) self.positions_.clear();
        record_positions(self.ctx_, self.checkpoints_, self.positions_, self.reader_->blocks());
      }
    } record{*this};
    while (row < out.capacity()) {
      if (stopped_.load(std::memory_order_relaxed)) return finish(out, row, false);
      const auto status = reader_->next(line, deadline.wait_ms(row > first));
      if (status == LineReader::Status::end) {
        if (splitter_.in_quotes() && !skipping_)
          throw std::runtime_error(position(record_line_) + ": a quoted field is not closed before the end of the file");
        return finish(out, row, false);
      }
      if (status == LineReader::Status::waiting) break;
      if (reader_->line_no() == 1 || reader_->file() != file_) start_file();
      if (status == LineReader::Status::oversized) {
        if (!reject_too_long(oversized_line(), row > first)) return finish(out, row, true);
        continue;
      }
      const bool continued = splitter_.in_quotes();
      if (!continued) {
        if (line.empty()) continue;  // blank lines separate nothing
        record_line_ = reader_->line_no();
        skipping_ = false;
      }
      const bool complete = splitter_.feed(line);
      if (skipping_) {  // the rest of a record too long to keep
        splitter_.drop_text();
        continue;
      }
      if (!complete || continued) {  // a record over several lines: kept whole in case it is bad
        if (!continued) record_text_.clear();
        else record_text_ += '\n';
        record_text_ += line;
      }
      if (!complete) {  // a quoted field goes on to the next line
        if (record_text_.size() <= max_record_bytes_) continue;
        // Too long: rejected now, and skipped to the record's end without keeping it.
        const OversizedRecord r = oversized_record(record_text_.size(), false);
        skipping_ = true;
        splitter_.drop_text();
        record_text_.clear();
        if (!reject_too_long(r, row > first)) return finish(out, row, true);
        continue;
      }
      if (expect_header_) {
        use_header();
        continue;
      }
      const std::string_view text = continued ? std::string_view(record_text_) : line;
      if (continued && text.size() > max_record_bytes_) {
        if (!reject_too_long(oversized_record(text.size(), true), row > first)) return finish(out, row, true);
      } else if (auto error = add_record(out, row)) {
        if (!bad_.reject(ctx_, text, *error, row > first)) return finish(out, row, true);
      } else {
        ++row;
      }
    }
    return finish(out, row, true);
  }

  void stop() override { stopped_.store(true, std::memory_order_relaxed); }
  void acknowledge(std::uint64_t batch) override { checkpoints_.acknowledge(batch); }
  void close() override { checkpoints_.close(); }

 private:
  bool finish(BatchBuilder& out, std::size_t rows, bool more) {
    out.resize(rows);
    return more;
  }

  std::string position(std::uint64_t line) const { return file_ + ":" + std::to_string(line); }

  // The record being read (from record_line_, its text so far in record_text_) is longer
  // than max_record_bytes.
  OversizedRecord oversized_record(std::size_t bytes, bool complete) const {
    OversizedRecord r;
    r.file = file_;
    r.line = record_line_;
    r.bytes = bytes;
    r.complete = complete;
    r.limit = max_record_bytes_;
    r.head = OversizedRecord::head_of(record_text_);
    return r;
  }

  // A record too long is a bad record; a header too long, a bad file. False: the batch ends
  // here (on_error = "fail"; the failure follows).
  bool reject_too_long(const OversizedRecord& r, bool batch_has_records) {
    if (expect_header_) throw std::runtime_error(r.message() + " (the header)");
    return bad_.reject(ctx_, r, batch_has_records);
  }

  // The reader skipped a line over max_record_bytes. It ends the record it belongs to (its
  // quotes were not seen); a record that began on earlier lines is reported from its start.
  OversizedRecord oversized_line() {
    const OversizedRecord& line = reader_->oversized();
    const bool continued = splitter_.in_quotes() && !skipping_;
    splitter_.reset();
    skipping_ = false;
    if (!continued) return line;
    record_text_ += '\n';
    record_text_ += line.head;
    return oversized_record(record_text_.size() - line.head.size() + line.bytes, false);
  }

  void start_file() {
    if (splitter_.in_quotes() && !skipping_)
      throw std::runtime_error(position(record_line_) + ": a quoted field is not closed before the end of the file");
    splitter_.reset();
    skipping_ = false;
    file_ = reader_->file();
    expect_header_ = header_;
    if (!header_) set_columns(names_);
    // Resumed (a checkpoint, or back to a followed file): its header is its first line.
    if (header_ && reader_->line_no() > 1) {
      const std::string header = read_first_line(file_, max_record_bytes_);
      record_line_ = 1;
      if (!splitter_.feed(header)) throw std::runtime_error(position(1) + ": the header is not complete on its line");
      use_header();
      splitter_.reset();
    }
  }

  // The columns are known before the run from `columns`, or from the first file's header
  // (every file of a glob should share it: a file that differs is not caught here).
  void declare_fields() {
    std::vector<std::string> names = names_;
    if (names.empty() && path_ != "-") {
      CsvSplitter splitter(splitter_);
      try {
        const auto files = expand_input_paths(path_);
        if (files.empty() || !splitter.feed(read_first_line(files.front(), max_record_bytes_))) return;
      } catch (const std::exception&) {
        return;  // unreadable now: read() reports it with its position
      }
      std::size_t i = 0;
      for (const CsvField& f : splitter.fields()) {
        ++i;
        names.push_back(f.text.empty() ? "column_" + std::to_string(i) : std::string(f.text));
      }
    }
    if (!names.empty()) ctx_.declare_fields({.writes = names});
  }

  // The header names the columns, unless `columns` renames them.
  void use_header() {
    expect_header_ = false;
    std::vector<std::string> names;
    std::size_t i = 0;
    for (const CsvField& f : splitter_.fields()) {
      ++i;
      names.push_back(f.text.empty() ? "column_" + std::to_string(i) : std::string(f.text));
    }
    if (!names_.empty()) {
      if (names_.size() != names.size())
        throw std::runtime_error(position(record_line_) + ": the header has " + std::to_string(names.size()) +
                                 " columns, `columns` names " + std::to_string(names_.size()));
      names = names_;
    }
    set_columns(names);
  }

  void set_columns(const std::vector<std::string>& names) {
    fields_.clear();
    types_.clear();
    for (const auto& name : names) {
      for (const Field f : fields_)
        if (field_name(f) == name) throw std::runtime_error(position(record_line_) + ": column '" + name + "' appears twice");
      fields_.push_back(field(name));
      types_.push_back(CsvType::infer);
    }
    for (const auto& [column, type] : declared_) {
      std::size_t j = 0;
      while (j < names.size() && names[j] != column) ++j;
      if (j == names.size())
        throw std::runtime_error(position(record_line_) + ": `types` names column '" + column +
                                 "', which the header does not have");
      types_[j] = type;
    }
    columns_.assign(fields_.size(), nullptr);
  }

  // Adds the splitter's fields as record `row`; or says why the row is bad (nothing of it is
  // stored then).
  std::optional<std::string> add_record(BatchBuilder& out, std::size_t row) {
    const auto& values = splitter_.fields();
    // More fields than columns is always bad (a value would be lost); fewer only unless
    // ragged = "null" fills them.
    if (values.size() > fields_.size() || (values.size() < fields_.size() && !ragged_null_))
      return position(record_line_) + ": row has " + std::to_string(values.size()) + " fields, " +
             (header_ ? "the header has " : "`columns` names ") + std::to_string(fields_.size());
    // Every value is converted before any is stored: a bad row leaves no trace in `out`.
    row_values_.clear();
    for (std::size_t j = 0; j < values.size(); ++j) {
      std::optional<Value> v = csv_value(values[j], types_[j], out);
      if (!v)
        return position(record_line_) + ": column '" + std::string(field_name(fields_[j])) + "': '" +
               std::string(values[j].text) + "' is not a valid " + type_word(types_[j]);
      row_values_.push_back(*v);
    }
    // Fewer fields than columns (ragged = "null"): the rest are explicit nulls. A column
    // is typed by its declared type, else by its first value (a later value of another
    // type makes it mixed).
    for (std::size_t j = 0; j < fields_.size(); ++j) {
      const Value v = j < row_values_.size() ? row_values_[j] : Value{};
      Column*& column = columns_[j];
      if (!column) column = &out.column(fields_[j], column_type_of(types_[j], v));
      if (column->size() <= row) column->resize(row + 1);
      column->set(row, v);
    }
    return std::nullopt;
  }

  static ColumnType column_type_of(CsvType t, const Value& first) {
    switch (t) {
      case CsvType::integer: return ColumnType::int64;
      case CsvType::number: return ColumnType::float64;
      case CsvType::boolean: return ColumnType::boolean;
      case CsvType::string: return ColumnType::string;
      default: return column_type_for(first.type());
    }
  }

  static const char* type_word(CsvType t) {
    switch (t) {
      case CsvType::integer: return "int";
      case CsvType::number: return "double";
      case CsvType::boolean: return "bool";
      default: return "value";
    }
  }

  Context& ctx_;
  const std::string path_;
  const bool header_;
  const std::vector<std::string> names_;
  const bool ragged_null_;
  const std::size_t max_record_bytes_;
  std::vector<std::pair<std::string, CsvType>> declared_;
  CsvSplitter splitter_;
  std::optional<LineReader> reader_;
  std::string file_;
  Checkpointer checkpoints_{ctx_, "path"};
  std::vector<FilePosition> positions_;
  bool expect_header_ = false;
  std::uint64_t record_line_ = 0;
  std::string record_text_;        // a record that spans lines, so far
  bool skipping_ = false;          // in a record too long to keep, up to its end
  std::vector<Value> row_values_;  // the record being added
  BadRecords bad_;
  std::vector<Field> fields_;
  std::vector<CsvType> types_;
  std::vector<Column*> columns_;  // in the current builder, per column
  std::atomic<bool> stopped_{false};
};

}  // namespace

PluginDescriptor describe_read_csv() {
  return PluginDescriptor::source<ReadCsv>("csv", "CSV records (RFC 4180) from files, a glob or stdin")
      .with_params(with_follow_params({
          ParamSpec::string("path", "file, glob pattern (\"data/*.csv\", sorted) or \"-\" for stdin").mandatory(),
          ParamSpec::boolean("header", "the first row of each file names the columns").with_default(true),
          ParamSpec::string_list("columns", "column names (required with header = false; else they replace the header's)")
              .with_default(std::vector<std::string>{}),
          ParamSpec::string_map("types",
                                "column types: int, double, string or bool, e.g. { age = \"int\" }; other columns "
                                "are inferred per value (int, double, true/false, else string; empty = null)")
              .with_default(StringMap{}),
          ParamSpec::string("delimiter", "field separator: one character, or \"\\t\" for tab").with_default(","),
          ParamSpec::string("ragged",
                            "a row with fewer fields than columns: \"error\" = a bad row for on_error, \"null\" = "
                            "the missing fields are null; more fields than columns is always a bad row")
              .with_default("error")
              .one_of({"error", "null"}),
          max_record_bytes_param(),
      }));
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SOURCE_PLUGIN(csv, graph_runner::plugins::describe_read_csv)
