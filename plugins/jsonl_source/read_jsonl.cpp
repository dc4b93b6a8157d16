// read_jsonl: a source of JSON lines (one object per line) from files, a glob or stdin,
// parsed with simdjson's On-Demand API. Each top-level key becomes a field:
//   numbers  -> int when the number is an integer that fits int64, else double;
//   strings, true/false, null -> string, bool, null;
//   nested objects and arrays -> a string holding their JSON text, as written.
// Blank lines are skipped. A line that is not a JSON object fails the read with
// "FILE:LINE:COL: message" (see the note on on_error in describe_read_jsonl).
#include <atomic>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>

#include <simdjson.h>

#include "graph_runner/sdk.hpp"
#include "input_files.hpp"
#include "json_fields.hpp"

namespace graph_runner::plugins {
namespace {

namespace od = simdjson::ondemand;

static_assert(LineReader::padding >= simdjson::SIMDJSON_PADDING, "lines must be readable as padded JSON");

bool blank(std::string_view line) {
  for (char c : line)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}

class ReadJsonl : public Source {
 public:
  explicit ReadJsonl(Context& c) : ctx_(c), path_(c.params().get_string("path")) {
    if (path_.empty()) c.param_error("path", "path is empty; use \"-\" for standard input");
  }

  void open() override { reader_.emplace(expand_input_paths(path_)); }

  bool read(BatchBuilder& out) override {
    if (!reader_) open();
    fields_.begin_batch(out);
    const std::size_t first = out.size();
    std::size_t row = first;
    const ReadDeadline deadline(ctx_.linger_ms());
    std::string_view line;
    bool more = true;
    while (row < out.capacity()) {
      if (stopped_.load(std::memory_order_relaxed)) {
        more = false;
        break;
      }
      const auto status = reader_->next(line, deadline.wait_ms(row > first));
      if (status == LineReader::Status::end) {
        more = false;
        break;
      }
      if (status == LineReader::Status::waiting) break;
      if (blank(line)) continue;
      parse(line, out, row);
      ++row;
    }
    out.resize(row);
    return more;
  }

  void stop() override { stopped_.store(true, std::memory_order_relaxed); }

 private:
  void parse(std::string_view line, BatchBuilder& out, std::size_t row) {
    const simdjson::padded_string_view text(line.data(), line.size(), reader_->capacity_from(line));
    od::document doc;
    if (auto e = parser_.iterate(text).get(doc)) fail(line, nullptr, e, "invalid JSON");
    od::object object;
    if (auto e = doc.get_object().get(object)) {
      od::json_type type;
      if (e == simdjson::INCORRECT_TYPE && doc.type().get(type) == simdjson::SUCCESS)
        fail(line, &doc, e, std::string("expected a JSON object, found ") + type_word(type));
      // simdjson checks first that the line ends with the object's closing brace.
      if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT)
        fail(line, nullptr, e, "invalid JSON: the object is not closed, or text follows it");
      fail(line, &doc, e, "invalid JSON");
    }
    std::size_t position = 0;
    for (auto member : object) {
      od::field f;
      if (auto e = std::move(member).get(f)) fail(line, &doc, e, "invalid JSON");
      std::size_t slot;
      if (auto e = fields_.slot(f, position++, slot)) fail(line, &doc, e, "invalid key");
      Value v;
      if (auto e = to_value(f.value(), out, v)) fail(line, &doc, e, "invalid value for key '" + fields_.name(slot) + "'");
      fields_.set(slot, row, v, out);
    }
    // simdjson 3.0 has no document::at_end(): a location after the object means more text.
    const char* rest = nullptr;
    if (doc.current_location().get(rest) == simdjson::SUCCESS)
      fail(line, &doc, simdjson::TRAILING_CONTENT, "unexpected text after the object");
  }

  static const char* type_word(od::json_type t) {
    switch (t) {
      case od::json_type::array: return "an array";
      case od::json_type::number: return "a number";
      case od::json_type::string: return "a string";
      case od::json_type::boolean: return "a boolean";
      case od::json_type::null: return "null";
      default: return "an object";
    }
  }

  // "FILE:LINE:COL: what (simdjson: its message)"; the column is where simdjson stopped.
  // `doc` is nullptr when simdjson has no position to tell.
  [[noreturn]] void fail(std::string_view line, od::document* doc, simdjson::error_code e, const std::string& what) {
    std::string where = reader_->file() + ":" + std::to_string(reader_->line_no());
    const char* at = nullptr;
    if (doc && doc->current_location().get(at) == simdjson::SUCCESS && at >= line.data() &&
        at <= line.data() + line.size())
      where += ":" + std::to_string(at - line.data() + 1);
    throw std::runtime_error(where + ": " + what + " (" + simdjson::error_message(e) + ")");
  }

  const Context& ctx_;
  const std::string path_;
  std::optional<LineReader> reader_;
  od::parser parser_;
  JsonFields fields_;
  std::atomic<bool> stopped_{false};
};

}  // namespace

PluginDescriptor describe_read_jsonl() {
  // on_error: a malformed line stops the run today (the SDK has no way yet for a source to
  // hand one bad record to the node's policy; see Context::reject_input in the report).
  return PluginDescriptor::source<ReadJsonl>("read_jsonl", "JSON lines (one object per line) from files, a glob or stdin")
      .with_params({
          ParamSpec::string("path", "file, glob pattern (\"data/*.jsonl\", sorted) or \"-\" for stdin").mandatory(),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_PLUGIN(read_jsonl, graph_runner::plugins::describe_read_jsonl)
