#include "graph_test/test_plugins.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

#include "format.hpp"
#include "graph_runner/sdk.hpp"
#include "jsonl_parser.hpp"

namespace graph_runner::cli::graph_test {

namespace {
using Texts = std::map<std::string, std::vector<std::string>>;

void append(Texts& to, const std::string& node, std::vector<std::string> texts) {
  auto& into = to[node];
  into.insert(into.end(), std::make_move_iterator(texts.begin()), std::make_move_iterator(texts.end()));
}

std::vector<std::string> of(const Texts& from, const std::string& node) {
  auto it = from.find(node);
  return it == from.end() ? std::vector<std::string>{} : it->second;
}
}  // namespace

void TestStore::set_input(const std::string& node, std::vector<std::string> lines) {
  std::lock_guard lock(mutex_);
  append(inputs_, node, std::move(lines));
}

std::vector<std::string> TestStore::input(const std::string& node) const {
  std::lock_guard lock(mutex_);
  return of(inputs_, node);
}

void TestStore::capture(const std::string& node, std::vector<std::string> records) {
  std::lock_guard lock(mutex_);
  append(captured_, node, std::move(records));
}

std::vector<std::string> TestStore::captured(const std::string& node) const {
  std::lock_guard lock(mutex_);
  return of(captured_, node);
}

void TestStore::clear() {
  std::lock_guard lock(mutex_);
  inputs_.clear();
  captured_.clear();
}

namespace {

// Parsed by the jsonl source's own parser, so injected records are exactly what a jsonl
// source reading the same lines would send (nested objects as paths, arrays as json values).
class TestInput : public Source {
 public:
  TestInput(Context& c, const TestStore& store) : ctx_(c), lines_(store.input(std::string(c.node_name()))) {}

  bool read(BatchBuilder& out) override {
    if (!parsed_) parse(out.capacity());
    if (next_ == batches_.size()) return false;
    auto& batch = batches_[next_++];
    if (!batch.bad_lines.empty())  // checked when the test was read: a parser disagreement
      throw std::runtime_error("test input '" + std::string(ctx_.node_name()) + "': " + batch.bad_lines.front().error);
    batch.move_into(out);
    return next_ < batches_.size();
  }

 private:
  void parse(std::size_t batch_records) {
    parsed_ = true;
    std::string text;
    for (const auto& line : lines_) text += line + '\n';
    if (text.empty()) return;
    plugins::TextBlock block;
    block.capacity = text.size();
    block.data = std::make_unique<char[]>(text.size() + plugins::TextBlock::padding);
    std::memcpy(block.data.get(), text.data(), text.size());
    std::memset(block.data.get() + text.size(), 0, plugins::TextBlock::padding);
    block.size = text.size();
    block.file = "test input '" + std::string(ctx_.node_name()) + "'";
    block.first_line = 1;
    plugins::JsonlParser parser(batch_records);
    parser.parse(block, batches_);
  }

  Context& ctx_;
  std::vector<std::string> lines_;
  std::vector<plugins::ParsedBatch> batches_;
  std::size_t next_ = 0;
  bool parsed_ = false;
};

// Each record as the jsonl sink would write it, so a test compares what a user would see.
class TestCapture : public Sink {
 public:
  TestCapture(Context& c, TestStore& store) : name_(c.node_name()), store_(store) {}

  void write(const Batch& batch) override {
    plugins::json_layout(batch, layout_);
    std::vector<std::string> records;
    records.reserve(batch.size());
    for (std::size_t row = 0; row < batch.size(); ++row) {
      std::string text;
      plugins::append_json_record(text, batch, row, layout_);
      records.push_back(std::move(text));
    }
    store_.capture(name_, std::move(records));
  }

 private:
  std::string name_;
  TestStore& store_;
  plugins::JsonLayout layout_;
};

}  // namespace

void register_test_plugins(engine::PluginRegistry& registry, TestStore& store) {
  PluginDescriptor input;
  input.name = input_plugin;
  input.kind = NodeKind::source;
  input.summary = "sends a test's records (graph-runner test)";
  input.create_source = [&store](Context& c) -> std::unique_ptr<Source> { return std::make_unique<TestInput>(c, store); };
  registry.add_static(std::move(input));

  PluginDescriptor capture;
  capture.name = capture_plugin;
  capture.kind = NodeKind::sink;
  capture.summary = "keeps what reaches it for a test's expectations (graph-runner test)";
  capture.create_sink = [&store](Context& c) -> std::unique_ptr<Sink> { return std::make_unique<TestCapture>(c, store); };
  registry.add_static(std::move(capture));
}

}  // namespace graph_runner::cli::graph_test
