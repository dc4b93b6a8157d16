#include "group_keys.hpp"

#include <algorithm>

namespace graph_runner::plugins::agg {

void encode_value(const Value& v, std::string& out) {
  out.push_back(static_cast<char>(v.type()));
  switch (v.type()) {
    case Type::null: break;
    case Type::boolean: out.push_back(v.as_bool() ? 1 : 0); break;
    case Type::int64: {
      const std::int64_t i = v.as_int();
      out.append(reinterpret_cast<const char*>(&i), sizeof i);
      break;
    }
    case Type::float64: {
      double d = v.as_double();
      if (d == 0) d = 0;  // -0.0 groups with 0.0
      out.append(reinterpret_cast<const char*>(&d), sizeof d);
      break;
    }
    default: {
      const std::string_view s = v.as_string();
      const auto n = static_cast<std::uint32_t>(s.size());
      out.append(reinterpret_cast<const char*>(&n), sizeof n);
      out.append(s);
    }
  }
}

Value decode_value(std::string_view key, std::size_t& pos) {
  const auto type = static_cast<Type>(key[pos++]);
  switch (type) {
    case Type::null: return Value{};
    case Type::boolean: return Value::of(key[pos++] != 0);
    case Type::int64: {
      std::int64_t i;
      std::memcpy(&i, key.data() + pos, sizeof i);
      pos += sizeof i;
      return Value::of(i);
    }
    case Type::float64: {
      double d;
      std::memcpy(&d, key.data() + pos, sizeof d);
      pos += sizeof d;
      return Value::of(d);
    }
    default: {
      std::uint32_t n;
      std::memcpy(&n, key.data() + pos, sizeof n);
      pos += sizeof n;
      const std::string_view s = key.substr(pos, n);
      pos += n;
      return Value::string_ref(s, type);
    }
  }
}

KeyReader::KeyReader(const std::vector<std::string>& names, const std::vector<std::string>& expressions) {
  for (std::size_t k = 0; k < names.size(); ++k) {
    fields_.push_back(graph_runner::field(names[k]));
    auto& c = computed_.emplace_back();
    if (k < expressions.size() && !expressions[k].empty()) {
      c.emplace(Computed{expr::compile(expressions[k]), nullptr, nullptr});
      c->scratch = c->program.make_scratch();
    }
  }
  columns_.resize(fields_.size());
}

void KeyReader::bind(const Batch& batch, std::span<const std::uint32_t> records) {
  // Only the records asked for (an event-time window's share of the batch), when in order.
  const bool some = records.size() < batch.size() && std::is_sorted(records.begin(), records.end());
  failures_.clear();
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    auto& c = computed_[k];
    columns_[k] = c ? nullptr : batch.find(fields_[k]);
    if (!c) continue;
    c->values = some ? &c->program.evaluate(batch, records, *c->scratch) : &c->program.evaluate(batch, *c->scratch);
    for (const expr::RowError& e : c->scratch->errors()) {
      if (failures_.empty()) failed_.assign(batch.size(), 0);  // only a batch with failures pays for it
      if (failed_[e.record]) continue;  // one reason per record: its first key that failed
      failures_.push_back("group_by " + std::string(field_name(fields_[k])) + ": " + e.message);
      failed_[e.record] = static_cast<std::uint32_t>(failures_.size());
    }
  }
  single_string_ = fields_.size() == 1 && !computed_[0] && columns_[0] && columns_[0]->type() == ColumnType::string
                       ? columns_[0]
                       : nullptr;
}

void KeyReader::key(std::size_t record, std::size_t row, std::string& out) const {
  out.clear();
  for (std::size_t k = 0; k < fields_.size(); ++k) {
    if (const auto& c = computed_[k]) encode_value(c->values->get(record), out);
    else encode_value(columns_[k] ? columns_[k]->get(row) : Value{}, out);
  }
}

void GroupTable::place(std::uint64_t hash, std::uint32_t group) noexcept {
  std::size_t i = hash & mask();
  while (slots_[i].group != none) i = (i + 1) & mask();
  slots_[i] = Slot{static_cast<std::uint32_t>(hash >> 32), group};
}

std::uint32_t GroupTable::add(std::string_view key, std::uint64_t hash) {
  if ((keys_.size() + 1) * 2 > slots_.size()) {  // keep the load under one half
    slots_.assign(slots_.size() * 2, Slot{});
    for (std::uint32_t g = 0; g < keys_.size(); ++g) place(hashes_[g], g);
  }
  const auto g = static_cast<std::uint32_t>(keys_.size());
  Key k;
  k.size = static_cast<std::uint32_t>(key.size());
  if (key.size() <= Key::inline_size) {
    std::memcpy(k.bytes, key.data(), key.size());
  } else {
    const std::uint64_t offset = long_keys_.size();
    std::memcpy(k.bytes, &offset, sizeof offset);
    long_keys_.append(key);
  }
  keys_.push_back(k);
  hashes_.push_back(hash);
  place(hash, g);
  return g;
}

void GroupTable::clear() {
  slots_.assign(64, Slot{});
  keys_.clear();
  hashes_.clear();
  long_keys_.clear();
}

}  // namespace graph_runner::plugins::agg
