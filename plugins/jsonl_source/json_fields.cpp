#include "json_fields.hpp"

#include <bit>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <string>

#include "graph_runner/field_path.hpp"

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

namespace {

// A text value: short ones (StringView::max_inline bytes) are copied into the column's
// cell by Column::set, so only long ones need the arena.
// A short string needs no copy when it goes straight into a column (a StringView holds it);
// a value kept longer (http_call's response items) is copied whatever its size.
Value text_value(std::string_view s, Arena& arena, Type t, bool copy_short) {
  return Value::string_ref(s.size() <= StringView::max_inline && !copy_short ? s : arena.copy(s), t);
}

std::string_view trimmed(std::string_view token) {
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r' || token.back() == '\n'))
    token.remove_suffix(1);
  return token;
}

simdjson::error_code number_value(od::value& json, Arena& arena, Value& result, bool copy_short) {
  od::number n;
  if (auto e = json.get_number().get(n)) {
    // simdjson refuses integers beyond 64 bits and numbers beyond double: a valid JSON number
    // keeps its text, as a json value (written back verbatim).
    if (e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::NUMBER_ERROR) return e;
    const std::string_view token = trimmed(json.raw_json_token());
    double d;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
    if (end != token.data() + token.size() || (ec != std::errc() && ec != std::errc::result_out_of_range)) return e;
    result = text_value(token, arena, Type::json, copy_short);
    return simdjson::SUCCESS;
  }
  switch (n.get_number_type()) {
    case od::number_type::signed_integer: result = Value::of(n.get_int64()); break;
    case od::number_type::unsigned_integer:  // beyond int64: the digits, verbatim
      result = text_value(trimmed(json.raw_json_token()), arena, Type::json, copy_short);
      break;
    default: result = Value::of(n.get_double()); break;
  }
  return simdjson::SUCCESS;
}

}  // namespace

simdjson::error_code to_value(od::value& json, Arena& arena, Value& result, bool copy_short) {
  od::json_type type;
  if (auto e = json.type().get(type)) return e;
  switch (type) {
    case od::json_type::number: return number_value(json, arena, result, copy_short);
    case od::json_type::string: {
      // Without an escape, as it stands in the input (simdjson would copy it to unescape it;
      // stage 1 has validated its UTF-8 and refused control characters).
      const char* text = json.raw_json_token().data() + 1;
      std::string_view s(text, plain_string_length(text));
      // A NUL: a string left open at the end of the input (the padding's first byte), which
      // simdjson's get_string() would read on past the padding, or a raw NUL, which JSON
      // does not allow in a string either.
      if (text[s.size()] == '\0') return simdjson::UNCLOSED_STRING;
      if (text[s.size()] != '"')
        if (auto e = json.get_string().get(s)) return e;
      result = text_value(s, arena, Type::string, copy_short);
      return simdjson::SUCCESS;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = json.get_bool().get(b)) return e;
      result = Value::of(b);
      return simdjson::SUCCESS;
    }
    case od::json_type::null: {
      bool is_null;
      if (auto e = json.is_null().get(is_null)) return e;
      if (!is_null) return simdjson::N_ATOM_ERROR;
      result = Value{};
      return simdjson::SUCCESS;
    }
    case od::json_type::object: {
      od::object o;
      std::string_view raw;
      if (auto e = json.get_object().get(o)) return e;
      if (auto e = o.raw_json().get(raw)) return e;
      result = text_value(raw, arena, Type::json, copy_short);
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      std::string_view raw;
      if (auto e = json.get_array().get(a)) return e;
      if (auto e = a.raw_json().get(raw)) return e;
      result = text_value(raw, arena, Type::json, copy_short);
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

simdjson::error_code JsonFields::add(od::object& object, ParsedBatch& batch, std::string& what) {
  batch.begin_record();
  if (&batch != batch_) {
    // Another batch than the last one: its columns' hints may point into that one. (Hints
    // of fields it has no column for are caught by ParsedBatch::set.)
    for (std::size_t i = 0; i < batch.columns.size(); ++i)
      column_of(batch.columns[i].field()) = static_cast<std::uint32_t>(i);
    batch_ = &batch;
  }
  std::size_t position = 0;
  return add_members(object, top, batch, position, what, 0);
}

simdjson::error_code JsonFields::key_field(od::field& f, Field parent, std::size_t position, Field& out) {
  if (position < by_position_.size()) {
    const Seen& seen = by_position_[position];
    // The raw key ends with its closing quote, and blocks end with 64 bytes of padding:
    // reading 8 bytes from the key's start stays inside the buffer, and a byte loop stops
    // at the quote at the latest (a comparable key holds none).
    const char* raw = reinterpret_cast<const char*>(f.key().raw());
    if (seen.comparable && seen.parent == parent) {
      bool same;
      if (seen.size <= 8) {
        std::uint64_t head;
        std::memcpy(&head, raw, 8);
        same = (head & seen.mask) == seen.head;
      } else {
        std::size_t i = 0;
        while (i < seen.size && raw[i] == seen.text[i]) ++i;
        same = i == seen.size;
      }
      if (same && raw[seen.size] == '"') {
        out = seen.field;
        return simdjson::SUCCESS;
      }
    }
  }
  return new_key_field(f, parent, position, out);
}

simdjson::error_code JsonFields::add_members(od::object& object, Field parent, ParsedBatch& batch,
                                             std::size_t& position, std::string& what, int depth) {
  for (auto member : object) {
    if (auto e = member.error()) {
      what = "invalid JSON";
      return e;
    }
    // By reference: copying simdjson's small structs through the stack cost a
    // store-forwarding stall each (measured: the two hottest instructions of the loop).
    auto&& f = std::move(member).value_unsafe();
    Field key;
    if (auto e = key_field(f, parent, position++, key)) {
      what = "invalid key";
      return e;
    }
    auto invalid_value = [&] { what = "invalid value for key '" + std::string(field_name(key)) + '\''; };
    od::value& json = f.value();
    const std::string_view token = json.raw_json_token();
    // A non-empty object: its members are fields of their own, with paths under this one.
    if (is_nested_object(token)) {
      od::object inner;
      if (auto e = json.get_object().get(inner)) {
        invalid_value();
        return e;
      }
      if (auto e = add_members(inner, key, batch, position, what, depth + 1)) return e;
      continue;
    }
    if (auto e = add_value(json, token, key, batch)) {
      invalid_value();
      return e;
    }
  }
  return simdjson::SUCCESS;
}

// The common values in line, so that none goes through memory as a Value (to_value() out of
// line wrote one that the caller read back at once: a store-forwarding stall per value).
simdjson::error_code JsonFields::add_value(od::value& json, std::string_view token, Field key, ParsedBatch& batch) {
  std::uint32_t& column = column_of(key);
  switch (token.empty() ? '\0' : token[0]) {
    case '"': {
      const std::size_t n = plain_string_length(token.data() + 1);
      if (token.data()[1 + n] != '"') break;  // an escape: unescaped by simdjson, below
      batch.set_text(column, key, {token.data() + 1, n}, Type::string);
      return simdjson::SUCCESS;
    }
    case '[': {
      od::array a;
      std::string_view raw;
      if (auto e = json.get_array().get(a)) return e;
      if (auto e = a.raw_json().get(raw)) return e;
      batch.set_text(column, key, raw, Type::json);
      return simdjson::SUCCESS;
    }
    case 't':
    case 'f': {
      bool b;
      if (auto e = json.get_bool().get(b)) return e;
      batch.set(column, key, Value::of(b));
      return simdjson::SUCCESS;
    }
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
      od::number n;
      if (json.get_number().get(n)) break;  // not a number simdjson reads: below (not consumed)
      if (n.is_int64()) batch.set(column, key, Value::of(n.get_int64()));
      else if (n.is_double()) batch.set(column, key, Value::of(n.get_double()));
      else batch.set_text(column, key, trimmed(token), Type::json);  // beyond int64: its digits
      return simdjson::SUCCESS;
    }
    default: break;
  }
  Value v;
  if (auto e = to_value(json, *batch.arena, v, /*copy_short=*/false)) return e;
  batch.set(column, key, v);
  return simdjson::SUCCESS;
}

simdjson::error_code JsonFields::new_key_field(od::field& f, Field parent, std::size_t position, Field& out) {
  std::string_view key;
  if (auto e = f.unescaped_key().get(key)) return e;
  path_.clear();
  if (parent != top) {
    path_ = field_name(parent);
    path_ += '.';
  } else if (!prefix_.empty()) {
    path_ = prefix_;
    path_ += '.';
  }
  append_path_key(path_, key);
  out = field(path_);
  Seen seen;
  seen.field = out;
  seen.parent = parent;
  seen.size = key.size();
  seen.comparable = key.find_first_of("\\\".") == std::string_view::npos;
  if (seen.comparable) {
    const std::string_view name = field_name(out);
    seen.text = name.data() + name.size() - key.size();
  }
  if (key.size() <= 8) {
    char bytes[8] = {};
    std::memcpy(bytes, key.data(), key.size());
    std::memcpy(&seen.head, bytes, 8);
    seen.mask = key.size() == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * key.size())) - 1;  // little-endian
    if constexpr (std::endian::native != std::endian::little) seen.comparable = false;
  }
  if (position >= by_position_.size()) by_position_.resize(position + 1);
  by_position_[position] = seen;
  return simdjson::SUCCESS;
}

}  // namespace graph_runner::plugins
