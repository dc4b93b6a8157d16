#include "json_text.hpp"

#include <cstring>

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

// The text is parsed inside brackets, as the one element of an array: simdjson's On-Demand
// API turns only an array element (not a scalar document) into a value, which to_value()
// and JsonFields then read as read_jsonl does. The brackets also catch trailing text ("1 2"
// is two elements, "1] [2" text after the array). Positions are shifted back by one.
std::string JsonText::parse(std::string_view text, std::size_t row, ParsedBatch& out, Value& value, bool& is_object) {
  std::string error = parse_value(text, row, out, value, is_object);
  if (!error.empty() && is_object) {  // an error after the object's members were set
    out.drop_record();
    is_object = false;
  }
  return error;
}

std::string JsonText::parse_value(std::string_view text, std::size_t row, ParsedBatch& out, Value& value,
                                  bool& is_object) {
  const std::size_t size = text.size() + 2;
  if (buffer_.size() < size + simdjson::SIMDJSON_PADDING) buffer_.resize(size + simdjson::SIMDJSON_PADDING);
  buffer_[0] = '[';
  if (!text.empty()) std::memcpy(buffer_.data() + 1, text.data(), text.size());
  buffer_[size - 1] = ']';
  std::memset(buffer_.data() + size, 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  auto location = [&]() -> const char* {
    const char* at = nullptr;
    return doc.current_location().get(at) == simdjson::SUCCESS ? at : nullptr;
  };
  if (auto e = parser_.iterate(simdjson::padded_string_view(buffer_.data(), size, buffer_.size())).get(doc))
    return failure(e, nullptr, text, "invalid JSON");
  od::array array;
  if (auto e = doc.get_array().get(array)) return failure(e, location(), text, "invalid JSON");
  std::size_t count = 0;
  is_object = false;
  for (auto element : array) {
    od::value json;
    if (auto e = element.get(json)) return failure(e, location(), text, "invalid JSON");
    if (count++ > 0)
      return failure(simdjson::TRAILING_CONTENT, json.raw_json_token().data(), text, "text after the JSON value");
    // A non-empty object is flattened as read_jsonl does; `{}` is a json value, as there.
    const std::string_view token = json.raw_json_token();
    if (!token.empty() && token[0] == '{' && token.data()[token.size()] != '}') {
      od::object object;
      if (auto e = json.get_object().get(object)) return failure(e, location(), text, "invalid JSON");
      out.rows = row;
      is_object = true;
      if (auto e = fields_.add(object, out, what_)) return failure(e, location(), text, what_);
    } else if (auto e = to_value(json, *out.arena, value, /*copy_short=*/true)) {
      return failure(e, location(), text, "invalid JSON");
    }
  }
  if (count == 0) return failure(simdjson::EMPTY, nullptr, text, "no JSON value");
  const char* rest = location();
  if (rest && rest < buffer_.data() + size)
    return failure(simdjson::TRAILING_CONTENT, rest, text, "text after the JSON value");
  return {};
}

std::string JsonText::failure(simdjson::error_code e, const char* at, std::string_view text,
                              const std::string& what) const {
  // 1-based position in `text` (the buffer has "[" before it); unknown or past it: its end.
  std::size_t position = text.size() + 1;
  if (at && at > buffer_.data() && at <= buffer_.data() + text.size()) position = std::size_t(at - buffer_.data());
  std::string message = what;
  message += " at character ";
  message += std::to_string(position);
  message += " (";
  message += simdjson::error_message(e);
  message += ')';
  return message;
}

}  // namespace graph_runner::plugins
