// The line-length bound shared by the file sources (plugins/common/block_reader.*): a line
// over max_record_bytes is reported once, with its line and size, skipped without being held,
// and reading goes on after it with the right line numbers.
#include <catch2/catch.hpp>

#include <algorithm>

#include "block_reader.hpp"
#include "input_files.hpp"
#include "support.hpp"

using graph_runner::plugins::LineReader;
using graph_runner::plugins::OversizedRecord;
using plugin_tests::TempDir;

namespace {
// What a LineReader hands out: "LINE:text" per line, "LINE:oversized" per line too long.
struct ReadAll {
  std::vector<std::string> items;
  std::vector<OversizedRecord> oversized;
  std::size_t largest_buffer = 0;
};

ReadAll read_all(const std::string& path, std::size_t max_record_bytes, std::size_t block_bytes) {
  LineReader reader({path}, max_record_bytes, block_bytes);
  ReadAll all;
  std::string_view line;
  for (;;) {
    const auto status = reader.next(line);
    if (status == LineReader::Status::end) break;
    if (status == LineReader::Status::oversized) {
      all.items.push_back(std::to_string(reader.line_no()) + ":oversized");
      all.oversized.push_back(reader.oversized());
    } else {
      all.items.push_back(std::to_string(reader.line_no()) + ":" + std::string(line));
    }
  }
  all.largest_buffer = reader.blocks().largest_buffer();
  return all;
}
}  // namespace

TEST_CASE("A 5 MB line over max_record_bytes is reported once and skipped, holding at most about max_record_bytes",
          "[plugins][block_reader]") {
  TempDir dir;
  const std::size_t max = std::size_t{1} << 20;
  const auto path = plugin_tests::write_file(dir.path() / "long.txt", "a\nb\n" + std::string(5'000'000, 'x') + "\nc\nd");
  const auto all = read_all(path, max, 64 * 1024);
  CHECK(all.items == std::vector<std::string>{"1:a", "2:b", "3:oversized", "4:c", "5:d"});
  REQUIRE(all.oversized.size() == 1);
  const OversizedRecord& r = all.oversized[0];
  CHECK(r.message() == path + ":3: record of at least 1048577 bytes exceeds max_record_bytes = 1048576");
  CHECK(r.head == std::string(OversizedRecord::head_bytes, 'x'));  // the error record is bounded too
  CHECK(all.largest_buffer <= max + 1);                              // never the whole line
}

TEST_CASE("A line over max_record_bytes inside a block, or last in a file without newline, is reported with its size",
          "[plugins][block_reader]") {
  TempDir dir;
  const auto path = plugin_tests::write_file(dir.path() / "short.txt", "short\n0123456789AB\r\nok\n" + std::string(20, 'z'));
  const auto all = read_all(path, 10, 1 << 20);
  CHECK(all.items == std::vector<std::string>{"1:short", "2:oversized", "3:ok", "4:oversized"});
  REQUIRE(all.oversized.size() == 2);
  CHECK(all.oversized[0].message() == path + ":2: record of 13 bytes exceeds max_record_bytes = 10");  // with its \r
  CHECK(all.oversized[0].head == "0123456789AB\r");
  CHECK(all.oversized[1].message() == path + ":4: record of 20 bytes exceeds max_record_bytes = 10");
  // A line of exactly max_record_bytes is fine.
  const auto exact = plugin_tests::write_file(dir.path() / "exact.txt", "0123456789\n");
  CHECK(read_all(exact, 10, 1 << 20).items == std::vector<std::string>{"1:0123456789"});
}

TEST_CASE("The text kept of an oversized record is cut at a UTF-8 character boundary", "[plugins][block_reader]") {
  std::string text = "a";
  for (int i = 0; i < 600; ++i) text += "\xC3\xA9";  // é: two bytes; byte 1024 starts none
  const std::string head = OversizedRecord::head_of(text);
  CHECK(head.size() == OversizedRecord::head_bytes - 1);
  CHECK(head == text.substr(0, OversizedRecord::head_bytes - 1));
  CHECK(OversizedRecord::head_of("short") == "short");
}

TEST_CASE("count_newlines counts every newline, whatever the length and the alignment of the text", "[plugins][block_reader]") {
  std::string text(2 * 255 * 16 + 100, 'x');  // past the 255-step flush of its byte counters
  for (std::size_t i = 0; i < text.size(); i += 1 + i % 7) text[i] = '\n';
  for (std::size_t from : {0, 1, 7, 15}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{15}, std::size_t{16}, std::size_t{17},
                          std::size_t{100}, std::size_t{255 * 16}, std::size_t{255 * 16 + 1}, text.size() - from}) {
      CAPTURE(from, n);
      CHECK(graph_runner::plugins::count_newlines(text.data() + from, n) ==
            static_cast<std::uint64_t>(std::count(text.begin() + from, text.begin() + from + n, '\n')));
    }
  }
}
