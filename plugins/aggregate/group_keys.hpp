#pragma once
// Group keys: what decides which group a record belongs to, as bytes, and the table from
// those bytes to a group number.
//
// A key is the values of the `group_by` fields, each encoded as a type tag and its bytes
// (strings with their length), so int 1, double 1.0 and string "1" are different groups and
// a key decodes back into typed values for the output. A missing field is null.
//
// KeyReader is the one place that reads key values from a record: a field, or an expression
// of the record language evaluated over the whole batch (`country = lower(user.country)`).
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "expr/expr.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::plugins::agg {

inline std::uint64_t mix64(std::uint64_t x) noexcept {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  return x ^ (x >> 32);
}

// A fast hash of a short byte string (keys are mostly a few bytes).
inline std::uint64_t hash_bytes(const char* p, std::size_t n) noexcept {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0x94d049bb133111ebULL;
  }
  return mix64(h);
}
inline std::uint64_t hash_bytes(std::string_view s) noexcept { return hash_bytes(s.data(), s.size()); }

// Appends `v` as tag + bytes to `out`.
void encode_value(const Value& v, std::string& out);
// Decodes one value at `pos` of `key` (advancing pos); strings point into `key`.
Value decode_value(std::string_view key, std::size_t& pos);

// Reads the group_by values of records into encoded keys.
class KeyReader {
 public:
  // Key k is the field `names[k]`, or, when `expressions[k]` is not empty, that expression's
  // value (results carry it as the field `names[k]`). Throws expr::CompileError.
  explicit KeyReader(const std::vector<std::string>& names, const std::vector<std::string>& expressions = {});
  std::size_t size() const noexcept { return fields_.size(); }
  Field field(std::size_t k) const noexcept { return fields_[k]; }
  // Looks up the batch's key columns and evaluates the key expressions over `records` (indexes
  // into it); call before key() for each new batch.
  void bind(const Batch& batch, std::span<const std::uint32_t> records);
  // The key of record `record` (physical row `row`) of the bound batch into `out` (cleared first).
  void key(std::size_t record, std::size_t row, std::string& out) const;
  // Whether a key expression failed on record `record` of the bound batch (a type error),
  // and why: the record is rejected, never grouped under a made-up key.
  bool failed(std::size_t record) const noexcept { return !failures_.empty() && failed_[record] != 0; }
  const std::string& failure(std::size_t record) const noexcept { return failures_[failed_[record] - 1]; }
  // The bound batch has one key, a string column: its StringViews are the keys' text (a
  // fast path; every row valid or not).
  const Column* single_string_column() const noexcept { return single_string_; }

 private:
  struct Computed {
    expr::Program program;
    std::unique_ptr<expr::Scratch> scratch;
    const expr::Vector* values = nullptr;  // of the bound batch
  };
  std::vector<Field> fields_;
  std::vector<const Column*> columns_;
  std::vector<std::optional<Computed>> computed_;  // per key: set for an expression
  std::vector<std::string> failures_;
  std::vector<std::uint32_t> failed_;  // per record: 0, or 1 + its index in failures_
  const Column* single_string_ = nullptr;
};

// Encoded key -> group number (0, 1, 2, ... in order of first appearance). Open addressing
// over 8-byte slots (a part of the hash and the group), the keys by group: a key of up to
// 12 bytes sits in its 16-byte entry, a longer one in one string. Small entries keep a
// table of many groups in cache, which is what a lookup costs.
class GroupTable {
 public:
  static constexpr std::uint32_t none = UINT32_MAX;
  GroupTable() { slots_.assign(64, Slot{}); }
  std::uint32_t find(std::string_view key, std::uint64_t hash) const noexcept {
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = hash & mask();; i = (i + 1) & mask()) {
      const Slot s = slots_[i];
      if (s.group == none) return none;
      if (s.tag == tag && equal(keys_[s.group], key)) return s.group;
    }
  }
  void prefetch(std::uint64_t hash) const noexcept { __builtin_prefetch(&slots_[hash & mask()]); }
  // Adds a key that find() did not find; returns its group number.
  std::uint32_t add(std::string_view key, std::uint64_t hash);
  std::size_t size() const noexcept { return keys_.size(); }
  std::string_view key(std::uint32_t g) const noexcept {
    const Key& k = keys_[g];
    if (k.size <= Key::inline_size) return {k.bytes, k.size};
    std::uint64_t offset;
    std::memcpy(&offset, k.bytes, sizeof offset);
    return std::string_view(long_keys_).substr(offset, k.size);
  }
  void clear();

 private:
  struct Slot {
    std::uint32_t tag = 0;  // the hash's high half
    std::uint32_t group = none;
  };
  struct Key {
    static constexpr std::size_t inline_size = 12;
    std::uint32_t size = 0;
    char bytes[inline_size] = {};  // the key, or its offset in long_keys_
  };
  bool equal(const Key& k, std::string_view key) const noexcept {
    if (k.size != key.size()) return false;
    if (k.size <= Key::inline_size) return std::memcmp(k.bytes, key.data(), k.size) == 0;
    return this->key(static_cast<std::uint32_t>(&k - keys_.data())) == key;
  }
  void place(std::uint64_t hash, std::uint32_t group) noexcept;
  std::size_t mask() const noexcept { return slots_.size() - 1; }
  std::vector<Slot> slots_;
  std::vector<Key> keys_;
  std::vector<std::uint64_t> hashes_;  // by group, to grow the table
  std::string long_keys_;
};

}  // namespace graph_runner::plugins::agg
