#include "json_fields.hpp"

#include <charconv>
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

simdjson::error_code to_value(od::value json, Arena& arena, Value& result) {
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
    std::vector<Value>& column = out.column(f);
    if (base == 0 && column.empty()) {
      column.swap(values);
    } else {
      column.resize(base);
      column.insert(column.end(), values.begin(), values.end());
    }
  }
  out.resize(base + rows);
  out.attach(arena);
}

simdjson::error_code JsonFields::add(od::object& object, ParsedBatch& batch, std::size_t row, std::string& what) {
  std::size_t position = 0;
  for (auto member : object) {
    od::field f;
    if (auto e = std::move(member).get(f)) {
      what = "invalid JSON";
      return e;
    }
    std::size_t s;
    if (auto e = slot(f, position++, s)) {
      what = "invalid key";
      return e;
    }
    Value v;
    if (auto e = to_value(f.value(), *batch.arena, v)) {
      what = "invalid value for key '" + names_[s] + "'";
      return e;
    }
    if (batch.columns.size() <= s) batch.columns.resize(s + 1);
    auto& [field_of, column] = batch.columns[s];
    field_of = fields_[s];
    if (column.capacity() == 0) column.reserve(batch.capacity);
    if (column.size() < row) column.resize(row);
    if (column.size() == row) column.push_back(v);
    else column[row] = v;  // a key repeated in one object: the last value wins
  }
  return simdjson::SUCCESS;
}

simdjson::error_code JsonFields::slot(od::field& f, std::size_t position, std::size_t& out_slot) {
  if (position < by_position_.size()) {
    const Seen& seen = by_position_[position];
    if (seen.comparable && f.key().unsafe_is_equal(names_[seen.slot])) {
      out_slot = seen.slot;
      return simdjson::SUCCESS;
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
  const bool comparable = key.find_first_of("\\\"") == std::string_view::npos;
  if (position >= by_position_.size()) by_position_.resize(position + 1, Seen{0, false});
  by_position_[position] = Seen{slot, comparable};
  return simdjson::SUCCESS;
}

}  // namespace graph_runner::plugins
