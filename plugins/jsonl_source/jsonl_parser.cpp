#include "jsonl_parser.hpp"

#include <algorithm>
#include <cstring>

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

namespace {

static_assert(TextBlock::padding >= simdjson::SIMDJSON_PADDING, "blocks must be readable as padded JSON");

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool blank(std::string_view line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// Where the line holding `offset` starts.
std::size_t line_start(const char* text, std::size_t offset) {
  const void* nl = offset > 0 ? ::memrchr(text, '\n', offset) : nullptr;
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text) + 1 : 0;
}

// The first newline at or after `offset`, or `size`.
std::size_t line_end(const char* text, std::size_t offset, std::size_t size) {
  const void* nl = std::memchr(text + offset, '\n', size - offset);
  return nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text) : size;
}

// The end of the stretch of about `bytes` from `offset`: just after a newline, or `size`.
std::size_t stretch_end(const char* text, std::size_t offset, std::size_t bytes, std::size_t size) {
  if (bytes >= size - offset) return size;
  return std::min(line_end(text, offset + bytes, size) + 1, size);
}

// True when the document that starts at `start` (whose line ends at `end`) is alone on its
// line: what follows it up to `next` (the next document, or the end) is whitespace that
// includes the newline, and the document ended before that newline.
bool alone_on_line(const char* text, std::size_t end, std::size_t next) {
  if (next < end) return false;  // (next == end only at the end of a block without a final newline)
  std::size_t p = next;
  while (p > 0 && is_space(text[p - 1])) --p;
  return p <= end;
}

const char* type_word(od::json_type t) {
  switch (t) {
    case od::json_type::array: return "an array";
    case od::json_type::number: return "a number";
    case od::json_type::string: return "a string";
    case od::json_type::boolean: return "a boolean";
    case od::json_type::null: return "null";
    default: return "an object";
  }
}

}  // namespace

ParsedBatch oversized_batch(const OversizedRecord& r) {
  ParsedBatch b;
  b.capacity = 0;
  b.bad_lines.push_back({0, r.head, r.message()});
  return b;
}

void JsonlParser::parse(const TextBlock& block, std::vector<ParsedBatch>& out) {
  const char* text = block.data.get();
  std::size_t offset = 0;
  counted_block_ = nullptr;  // a reused buffer holds a new block: count its lines afresh
  // The fast path up to a line it cannot vouch for; that line alone on the slow path (a
  // bad line is rejected there, with its exact position); then the fast path again.
  //
  // Why stretches: the fast path's stage 1 indexes all of its text first, and one bad line
  // anywhere in it (a truncated line leaves a string open) fails the whole of it, before
  // any record. Over the rest of the block, that sent every line up to the bad one through
  // the slow path, each with another stage 1 over the rest: 0.5 % of bad lines cost 40x
  // the clean file. Now the fast path runs on stretches of lines: after a stretch that fails
  // before its first record, on a short one, doubled while they parse, halved while they
  // fail, down to one line (which then goes to the slow path); after a bad line, on a short
  // one again, doubled up to a cap. A bad line costs stage 1 over a few times the distance
  // from the previous one, and a clean block is still one pass.
  std::size_t stretch = block.size, cap = block.size;
  while (offset < block.size) {
    const std::size_t stop = stretch_end(text, offset, stretch, block.size);
    const std::size_t failed = parse_many(block, offset, stop, out);
    if (failed >= stop) {
      offset = stop;
      stretch = std::min(2 * stretch, cap);
      continue;
    }
    const std::size_t end = line_end(text, failed, block.size);
    if (failed == offset && end + 1 < stop) {  // nothing parsed, and more than one line
      stretch = stretch > restart_bytes ? restart_bytes : (stop - offset) / 2;
      if (stretch_end(text, offset, stretch, block.size) >= stop) stretch = 0;  // just the first line
      continue;
    }
    std::string_view line(text + failed, end - failed);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!blank(line)) parse_line(block, line, failed, out);
    offset = end + 1;
    stretch = restart_bytes;
    cap = restart_cap;
  }
  while (!out.empty() && out.back().rows == 0 && out.back().bad_lines.empty()) out.pop_back();
  if (!out.empty()) out.back().columns.shrink_to_fit();
}

ParsedBatch& JsonlParser::batch_for_next_record(std::vector<ParsedBatch>& out) {
  if (out.empty() || out.back().full()) {
    if (!out.empty()) {
      const ParsedBatch& last = out.back();
      // Mostly absent columns (sparse keys): even the first record's fields are likely to
      // hold one value each, so they start with room for one row too.
      last_rows_ = 2 * last.cells >= last.columns.size() * last.rows ? last.rows : 1;
      // Sparse keys: ~110 columns of ~128 bytes each in a vector grown by doubling; the
      // slack, held until the batch is handed out, was ~15 % of a parsed block.
      out.back().columns.shrink_to_fit();
    }
    out.emplace_back();
    out.back().capacity = batch_records_;
    out.back().expected_rows = last_rows_;
  }
  return out.back();
}

std::size_t JsonlParser::parse_many(const TextBlock& block, std::size_t offset, std::size_t size,
                                    std::vector<ParsedBatch>& out) {
  const char* text = block.data.get();
  // simdjson 3.0.1 leaves truncated_bytes() uninitialised for an empty buffer (found by
  // fuzzing: a negative memrchr length); an empty rest of a block has no records anyway.
  if (offset >= size) return size;
  od::document_stream stream;
  // A window as large as the rest of the block: one stage-1 pass, and no stage-1 thread.
  // The window is the block's capacity, the same for every block: simdjson reallocates its
  // buffers (6 MiB for a 1 MiB window) whenever the window size changes, and fresh pages,
  // unmapped again, cost more than the parse (page faults; TLB shootdowns across threads).
  const std::size_t window = std::max<std::size_t>(block.capacity, 64);
  indexed_bytes_ += size - offset;
  if (many_.iterate_many(text + offset, size - offset, window).get(stream))
    return offset;
  // Where the previous document went, to take it back: an index, as `out` may grow.
  std::size_t last = SIZE_MAX;
  std::size_t prev_start = 0, prev_end = 0;
  auto take_back = [&] {
    if (last == SIZE_MAX) return;
    ParsedBatch& b = out[last];
    b.truncate(b.rows - 1);
  };
  std::size_t skip_until = 0;  // the rest of a line parse_line() took
  for (auto it = stream.begin(); it != stream.end(); ++it) {
    const std::size_t start = offset + it.current_index();
    if (start < skip_until) continue;
    if (last != SIZE_MAX && !alone_on_line(text, prev_end, start)) {
      take_back();
      return line_start(text, prev_start);
    }
    od::document_reference doc;
    od::object object;
    if ((*it).get(doc) || doc.get_object().get(object)) return line_start(text, start);
    ParsedBatch& batch = batch_for_next_record(out);
    if (fields_.add(object, batch, what_)) {
      batch.drop_record();
      return line_start(text, start);
    }
    if (batch.reordered()) {
      // Its keys come in another order than the batch's columns: the batch ends before it,
      // and the line is parsed again into the next one (parse_line checks it is alone).
      batch.drop_record();
      batch.closed = true;
      const std::size_t from = line_start(text, start), end = line_end(text, start, size);
      std::string_view line(text + from, end - from);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      parse_line(block, line, from, out);
      skip_until = end;
      last = SIZE_MAX;
      continue;
    }
    batch.end_record();
    last = static_cast<std::size_t>(&batch - out.data());
    prev_start = start;
    prev_end = line_end(text, start, size);
  }
  const std::size_t truncated = stream.truncated_bytes();
  if (last != SIZE_MAX && !alone_on_line(text, prev_end, size - truncated)) {
    take_back();
    return line_start(text, prev_start);
  }
  return truncated > 0 ? line_start(text, size - truncated) : size;
}

void JsonlParser::parse_line(const TextBlock& block, std::string_view line, std::size_t offset,
                             std::vector<ParsedBatch>& out) {
  const std::size_t readable = block.capacity + TextBlock::padding - offset;
  od::document doc;
  if (auto e = single_.iterate(simdjson::padded_string_view(line.data(), line.size(), readable)).get(doc))
    return reject(block, line, offset, nullptr, e, "invalid JSON", out);
  auto where = [&]() -> const char* {
    const char* at = nullptr;
    return doc.current_location().get(at) == simdjson::SUCCESS ? at : nullptr;
  };
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    od::json_type type;
    if (e == simdjson::INCORRECT_TYPE && doc.type().get(type) == simdjson::SUCCESS)
      return reject(block, line, offset, where(), e, std::string("expected a JSON object, found ") + type_word(type), out);
    // simdjson first checks that the line ends with the object's closing brace.
    if (e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT)
      return reject(block, line, offset, nullptr, e, "invalid JSON: the object is not closed, or text follows it", out);
    return reject(block, line, offset, where(), e, "invalid JSON", out);
  }
  ParsedBatch& batch = batch_for_next_record(out);
  if (auto e = fields_.add(object, batch, what_)) {
    batch.drop_record();
    return reject(block, line, offset, where(), e, what_, out);
  }
  // simdjson 3.0 has no document::at_end(): a location after the object means more text.
  if (const char* rest = where()) {
    batch.drop_record();
    return reject(block, line, offset, rest, simdjson::TRAILING_CONTENT, "unexpected text after the object", out);
  }
  if (batch.reordered()) {  // into a new batch (where it is the first record: never reordered)
    batch.drop_record();
    batch.closed = true;
    return parse_line(block, line, offset, out);
  }
  batch.end_record();
}

void JsonlParser::reject(const TextBlock& block, std::string_view line, std::size_t offset, const char* at,
                         simdjson::error_code e, const std::string& what, std::vector<ParsedBatch>& out) const {
  // Bad lines come in order within a block: count newlines from the previous one on, so a
  // file full of bad lines is not quadratic.
  if (counted_block_ != block.data.get() || offset < counted_offset_) {
    counted_block_ = block.data.get();
    counted_offset_ = 0;
    counted_lines_ = 0;
  }
  counted_lines_ += count_newlines(block.data.get() + counted_offset_, offset - counted_offset_);
  counted_offset_ = offset;
  const auto line_no = block.first_line + counted_lines_;
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) about `"literal" + std::string`.
  std::string message = block.file;
  message += ':';
  message += std::to_string(line_no);
  if (at && at >= line.data() && at <= line.data() + line.size()) {
    message += ':';
    message += std::to_string(at - line.data() + 1);
  }
  message += ": ";
  message += what;
  message += " (";
  message += simdjson::error_message(e);
  message += ')';
  // After the records of the last batch so far (the next record may start a new one).
  if (out.empty()) {
    out.emplace_back();
    out.back().capacity = batch_records_;
  }
  out.back().bad_lines.push_back({out.back().rows, std::string(line), std::move(message)});
}

}  // namespace graph_runner::plugins
