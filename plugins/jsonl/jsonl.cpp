// jsonl: writes one JSON object per record to a file (or stdout), fields in column order:
// absent fields left out, explicit nulls as null, dotted paths nested again, json values
// verbatim (see format.hpp). A jsonl source's lines come back as they were read.
// Each batch reaches the OS before write() returns (see output_file.hpp).
#include <string>
#include <vector>

#include "format.hpp"
#include "output_file.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

class Jsonl : public Sink {
 public:
  explicit Jsonl(Context& c)
      : ctx_(c), out_("jsonl", c.params().get_string("path")), append_(c.params().get_bool("append")) {
    if (out_.path().empty()) c.param_error("path", "path is empty; use \"-\" for stdout");
  }

  void open() override {
    if (out_.open(append_)) log_torn_line_cut(ctx_, out_);
  }

  void write(const Batch& batch) override {
    json_layout(batch, layout_);  // the `"name":` prefixes and paths, once per batch
    std::string& text = out_.buffer();
    text.clear();  // a retried batch is encoded again from the start
    for (std::size_t row = 0; row < batch.size(); ++row) {
      append_json_record(text, batch, row, layout_);
      text += '\n';
    }
    out_.write();
  }

  void flush() override { out_.flush(); }
  void close() override { out_.close(); }

 private:
  Context& ctx_;
  OutputFile out_;
  const bool append_;
  JsonLayout layout_;
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

GRAPH_RUNNER_SINK_PLUGIN(jsonl, graph_runner::plugins::describe_jsonl)
