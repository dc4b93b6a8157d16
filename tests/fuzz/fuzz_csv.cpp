// Fuzz target: CSV text (plugins/csv/csv_text.*), as read_csv and the csv sink use it.
// The first byte picks the delimiter and the declared type; the rest is fed line by line
// (as LineReader hands it: without "\n", without a trailing "\r"). Checks, besides "no
// crash": every completed record's fields, written back with append_csv_field, split into
// the same texts again (what the csv sink writes, read_csv reads back).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "csv_text.hpp"

namespace gp = graph_runner::plugins;

namespace {

constexpr char delimiters[] = {',', ';', '\t', '|'};
constexpr gp::CsvType types[] = {gp::CsvType::infer, gp::CsvType::integer, gp::CsvType::number,
                                 gp::CsvType::string, gp::CsvType::boolean};

template <typename F>
void for_each_line(std::string_view text, F&& f) {
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    f(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// Writes `fields` as the csv sink does and splits the result again: same texts expected.
void check_round_trip(const std::vector<std::string>& fields, char delimiter) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) line += delimiter;
    gp::append_csv_field(line, fields[i], delimiter);
  }
  gp::CsvSplitter again(delimiter);
  bool complete = false;
  for_each_line(line, [&](std::string_view l) { complete = again.feed(l); });
  if (line.empty()) complete = again.feed("");
  if (!complete || again.fields().size() != fields.size()) __builtin_trap();
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (again.fields()[i].text != fields[i]) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const char delimiter = delimiters[data[0] % 4];
  const gp::CsvType type = types[(data[0] >> 2) % 5];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  gp::CsvSplitter splitter(delimiter);
  graph_runner::BatchBuilder out;
  for_each_line(text, [&](std::string_view line) {
    if (!splitter.feed(line)) return;
    std::vector<std::string> texts;
    for (const gp::CsvField& f : splitter.fields()) {
      (void)gp::csv_value(f, type, out);
      texts.emplace_back(f.text);
    }
    // A text with "\r" or a lone "\r\n" cannot survive line splitting that strips "\r":
    // the round trip holds for what a line reader can deliver.
    bool has_cr = false;
    for (const auto& t : texts) has_cr = has_cr || t.find('\r') != std::string::npos;
    if (!has_cr) check_round_trip(texts, delimiter);
  });
  return 0;
}
