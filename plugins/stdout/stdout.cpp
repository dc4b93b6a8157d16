// stdout: prints records for people to read, one per line: {id: 1, value: 2.5, source: "a"}.
#include <cstdint>
#include <cstdio>
#include <string>

#include "format.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

class Stdout : public Sink {
 public:
  explicit Stdout(Context& c) : limit_(static_cast<std::uint64_t>(c.params().get_int("limit"))) {}

  void write(const Batch& batch) override {
    std::size_t rows = batch.size();
    if (limit_ > 0) {
      const std::uint64_t room = limit_ > printed_ ? limit_ - printed_ : 0;
      if (rows > room) {
        hidden_ += rows - room;
        rows = static_cast<std::size_t>(room);
      }
    }
    const auto columns = batch.columns();
    std::string text;
    for (std::size_t i = 0; i < rows; ++i) {
      const std::size_t row = batch.row(i);
      text += '{';
      bool first = true;
      for (const auto& c : columns) {
        if (!c->present(row)) continue;  // absent: the record has no such field
        if (!first) text += ", ";
        first = false;
        text += field_name(c->field());
        text += ": ";
        append_readable_value(text, c->get(row));
      }
      text += "}\n";
    }
    printed_ += rows;
    std::fwrite(text.data(), 1, text.size(), stdout);
  }

  void flush() override { std::fflush(stdout); }

  void close() override {
    if (hidden_ > 0) std::printf("... (%llu more records)\n", static_cast<unsigned long long>(hidden_));
    std::fflush(stdout);
  }

 private:
  const std::uint64_t limit_;
  std::uint64_t printed_ = 0, hidden_ = 0;
};

}  // namespace

PluginDescriptor describe_stdout() {
  return PluginDescriptor::sink<Stdout>("stdout", "prints records as readable lines on stdout")
      .with_params({
          ParamSpec::integer("limit", "print at most this many records, then count the rest; 0 = all")
              .with_default(std::int64_t{0}).at_least(0),
      })
      // `limit` and the "... (N more records)" line count the whole stream, not a share of it.
      .single_instance();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SINK_PLUGIN(stdout, graph_runner::plugins::describe_stdout)
