#include "json_fields.hpp"

#include <bit>
#include <charconv>
#include <cstring>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace graph_runner::plugins {

namespace od = simdjson::ondemand;

namespace {

simdjson::error_code number_value(od::value& json, Value& result) {
  od::number n;
  if (auto e = json.get_number().get(n)) {
    // simdjson 3.0 refuses integers beyond 64 bits: read them as the nearest double.
    if (e != simdjson::NUMBER_OUT_OF_RANGE && e != simdjson::NUMBER_ERROR) return e;
    std::string_view token = json.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t' || token.back() == '\r')) token.remove_suffix(1);
    double d;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
    if (end != token.data() + token.size()) return e;
    if (ec == std::errc::result_out_of_range) {  // beyond double: +-inf or 0, as strtod says
      d = std::strtod(std::string(token).c_str(), nullptr);
    } else if (ec != std::errc()) {
      return e;
    }
    result = Value::of(d);
    return simdjson::SUCCESS;
  }
  switch (n.get_number_type()) {
    case od::number_type::signed_integer: result = Value::of(n.get_int64()); break;
    case od::number_type::unsigned_integer: result = Value::of(static_cast<double>(n.get_uint64())); break;
    default: result = Value::of(n.get_double()); break;
  }
  return simdjson::SUCCESS;
}

}  // namespace

simdjson::error_code to_value(od::value& json, Arena& arena, Value& result) {
  od::json_type type;
  if (auto e = json.type().get(type)) return e;
  switch (type) {
    case od::json_type::number: return number_value(json, result);
    case od::json_type::string: {
      std::string_view s;
      if (auto e = json.get_string().get(s)) return e;
      result = Value::string_ref(arena.copy(s));
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
      result = Value::string_ref(arena.copy(raw));
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array a;
      std::string_view raw;
      if (auto e = json.get_array().get(a)) return e;
      if (auto e = a.raw_json().get(raw)) return e;
      result = Value::string_ref(arena.copy(raw));
      return simdjson::SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

void ParsedBatch::move_into(BatchBuilder& out) {
  const std::size_t base = out.size();
  for (auto& [f, values] : columns) {
    if (values.empty()) continue;
    Column& column = out.column(f);
    column.resize(base);  // rows before these records: absent
    for (const Value& v : values) column.append(v);
  }
  out.resize(base + rows);
  out.attach(arena);
}

simdjson::error_code JsonFields::add(od::object& object, ParsedBatch& batch, std::size_t row, std::string& what) {
  std::size_t position = 0;
  for (auto member : object) {
    if (auto e = member.error()) {
      what = "invalid JSON";
      return e;
    }
    // By reference, and values written straight into their column: copying simdjson's
    // small structs and a Value through the stack cost a store-forwarding stall each
    // (measured: the two hottest instructions of the loop).
    auto&& f = std::move(member).value_unsafe();
    std::size_t s;
    if (auto e = slot(f, position++, s)) {
      what = "invalid key";
      return e;
    }
    if (batch.columns.size() <= s) batch.columns.resize(s + 1);
    auto& [field_of, column] = batch.columns[s];
    field_of = fields_[s];
    if (column.capacity() == 0) column.reserve(batch.capacity);
    if (column.size() < row) column.resize(row);
    Value& v = column.size() == row ? column.emplace_back() : column[row];  // a repeated key: the last wins
    if (auto e = to_value(f.value(), *batch.arena, v)) {
      what = "invalid value for key '";
      what += names_[s];
      what += '\'';
      return e;
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code JsonFields::slot(od::field& f, std::size_t position, std::size_t& out_slot) {
  if (position < by_position_.size()) {
    const Seen& seen = by_position_[position];
    // The raw key ends with its closing quote, and blocks end with 64 bytes of padding:
    // reading 8 bytes from the key's start stays inside the buffer, and a byte loop stops
    // at the quote at the latest (a comparable key holds none).
    const char* raw = reinterpret_cast<const char*>(f.key().raw());
    if (seen.comparable) {
      bool same;
      if (seen.size <= 8) {
        std::uint64_t head;
        std::memcpy(&head, raw, 8);
        same = (head & seen.mask) == seen.head;
      } else {
        const std::string& name = names_[seen.slot];
        std::size_t i = 0;
        while (i < seen.size && raw[i] == name[i]) ++i;
        same = i == seen.size;
      }
      if (same && raw[seen.size] == '"') {
        out_slot = seen.slot;
        return simdjson::SUCCESS;
      }
    }
  }
  std::string_view key;
  if (auto e = f.unescaped_key().get(key)) return e;
  auto it = by_name_.find(key);
  if (it == by_name_.end()) {
    it = by_name_.emplace(std::string(key), fields_.size()).first;
    fields_.push_back(field(key));
    names_.emplace_back(key);
  }
  const std::size_t slot = it->second;
  out_slot = slot;
  Seen seen;
  seen.slot = slot;
  seen.size = key.size();
  seen.comparable = key.find_first_of("\\\"") == std::string_view::npos;
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
