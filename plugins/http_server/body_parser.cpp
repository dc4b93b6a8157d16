#include "body_parser.hpp"

#include <algorithm>
#include <cstring>

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

BodyParser::BodyParser(std::size_t batch_records, std::size_t max_body_bytes)
    : batch_records_(batch_records), lines_(batch_records) {
  block_.capacity = std::max<std::size_t>(max_body_bytes, 64);
  block_.data = std::make_unique<char[]>(block_.capacity + TextBlock::padding);
  block_.file = "body";
  block_.first_line = 1;
}

bool BodyParser::parse(std::string_view body, BodyFormat format, ParsedBody& out, std::string& error) {
  if (body.size() > block_.capacity) {  // the connection loop refuses these first (413)
    error = "body larger than max_body_bytes";
    return false;
  }
  std::memcpy(block_.data.get(), body.data(), body.size());
  std::memset(block_.data.get() + body.size(), 0, TextBlock::padding);
  block_.size = body.size();
  out = {};
  if (format == BodyFormat::json) {
    if (!parse_json(body.size(), out, error)) return false;
  } else {
    lines_.parse(block_, out.parts);
    for (auto& part : out.parts)
      if (!part.bad_lines.empty()) {
        error = part.bad_lines.front().error;
        out = {};
        return false;
      }
  }
  for (const auto& part : out.parts) out.records += part.rows;
  return true;
}

ParsedBatch& BodyParser::batch_for_next_record(std::vector<ParsedBatch>& parts) {
  if (parts.empty() || parts.back().full()) {
    parts.emplace_back();
    parts.back().capacity = batch_records_;
  }
  return parts.back();
}

// "body:LINE:COL" of `at` (the start when unknown).
std::string BodyParser::position(const char* at, std::size_t size) const {
  const char* text = block_.data.get();
  if (at == nullptr || at < text || at > text + size) at = text;
  const std::size_t offset = std::size_t(at - text);
  const std::uint64_t line = 1 + count_newlines(text, offset);
  const void* nl = offset > 0 ? ::memrchr(text, '\n', offset) : nullptr;
  const std::size_t column = offset - (nl ? std::size_t(static_cast<const char*>(nl) - text) + 1 : 0) + 1;
  return "body:" + std::to_string(line) + ":" + std::to_string(column);
}

bool BodyParser::parse_json(std::size_t size, ParsedBody& out, std::string& error) {
  const char* text = block_.data.get();
  od::document doc;
  auto location = [&]() -> const char* {
    const char* at = nullptr;
    return doc.current_location().get(at) == simdjson::SUCCESS ? at : text + size;
  };
  auto fail = [&](const char* at, simdjson::error_code e, const std::string& what) {
    error = position(at, size) + ": " + what + " (" + simdjson::error_message(e) + ")";
    out = {};
    return false;
  };
  // A body that ends early is reported where it ends; simdjson knows no position for those.
  const auto at_end = [&](simdjson::error_code e) -> const char* {
    return e == simdjson::INCOMPLETE_ARRAY_OR_OBJECT || e == simdjson::UNCLOSED_STRING ? text + size : nullptr;
  };
  if (auto e = json_.iterate(simdjson::padded_string_view(text, size, block_.capacity + TextBlock::padding)).get(doc))
    return fail(at_end(e), e, "invalid JSON");
  od::json_type type;
  if (auto e = doc.type().get(type)) return fail(at_end(e) ? at_end(e) : location(), e, "invalid JSON");
  auto add = [&](od::object& object) -> simdjson::error_code {
    ParsedBatch& batch = batch_for_next_record(out.parts);
    if (auto e = fields_.add(object, batch, what_)) {
      batch.drop_record();
      return e;
    }
    if (batch.reordered()) {  // keys in another order: the record starts the next batch
      batch.drop_record();
      batch.closed = true;
      bool empty = false;
      if (auto e = object.reset().get(empty)) return e;
      ParsedBatch& next = batch_for_next_record(out.parts);
      if (auto e = fields_.add(object, next, what_)) {
        next.drop_record();
        return e;
      }
      next.end_record();
      return simdjson::SUCCESS;
    }
    batch.end_record();
    return simdjson::SUCCESS;
  };
  if (type == od::json_type::object) {
    od::object object;
    if (auto e = doc.get_object().get(object)) return fail(at_end(e) ? at_end(e) : location(), e, "invalid JSON");
    if (auto e = add(object)) return fail(location(), e, what_);
  } else if (type == od::json_type::array) {
    od::array array;
    if (auto e = doc.get_array().get(array)) return fail(at_end(e) ? at_end(e) : location(), e, "invalid JSON");
    std::size_t index = 0;
    for (auto element : array) {
      od::value value;
      if (auto e = element.get(value)) return fail(location(), e, "invalid JSON");
      od::object object;
      if (auto e = value.get_object().get(object))
        return fail(location(), e, "element " + std::to_string(index) + " of the array is not a JSON object");
      if (auto e = add(object)) return fail(location(), e, what_);
      ++index;
    }
  } else {
    return fail(text, simdjson::INCORRECT_TYPE, "expected a JSON object or an array of objects");
  }
  // simdjson 3.0 has no document::at_end(): a location after the document means more text.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS)
    return fail(rest, simdjson::TRAILING_CONTENT, "unexpected text after the JSON document");
  while (!out.parts.empty() && out.parts.back().rows == 0) out.parts.pop_back();
  return true;
}

}  // namespace graph_runner::plugins
