// count: counts records and computes a checksum of their content that does not depend on
// arrival order or batching, then prints `<node>: <N> records, checksum <16 hex digits>` at
// the end of the stream (Sink::finish).
// Two runs over the same records print the same line, which makes it a cheap end-to-end
// check for parallel and reordering pipelines.
//
// checksum = sum over records (mod 2^64) of mix(sum over non-null fields of h(name, value)).
// The outer sum makes record order irrelevant, the inner one field order; the mix between
// them ties each value to its record. Null fields are skipped, so a record reads the same
// whether or not its batch has a column for a field it lacks. Values hash by type and
// content (int 2 and double 2.0 differ); field names by their text, not the process-local
// Field id.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = mix(seed ^ s.size());
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = mix(h ^ word);
  }
  std::uint64_t tail = 0;
  if (i < s.size()) std::memcpy(&tail, s.data() + i, s.size() - i);
  return mix(h ^ tail);
}

constexpr std::uint64_t int_tag = static_cast<std::uint64_t>(Type::int64) << 56;
constexpr std::uint64_t double_tag = static_cast<std::uint64_t>(Type::float64) << 56;

std::uint64_t double_bits(double d) {
  if (d == 0) d = 0;  // -0.0 and 0.0 are the same value
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

// Numbers, inline: the hot loops of Count::write call these per value.
inline std::uint64_t hash_int(const Value& v) { return mix(int_tag ^ static_cast<std::uint64_t>(v.as_int())); }
inline std::uint64_t hash_double(const Value& v) { return mix(double_tag ^ mix(double_bits(v.as_double()))); }

// Distinct per type, so equal bits of different types hash differently.
std::uint64_t hash_value(const Value& v) {
  const auto tag = static_cast<std::uint64_t>(v.type()) << 56;
  switch (v.type()) {
    case Type::null: return 0;
    case Type::boolean: return mix(tag | (v.as_bool() ? 1 : 0));
    case Type::int64: return hash_int(v);
    case Type::float64: return hash_double(v);
    case Type::string:
    case Type::bytes: return hash_bytes(v.as_string(), tag);
  }
  return 0;
}

class Count : public Sink {
 public:
  explicit Count(Context& c) : name_(c.node_name()) {}

  void write(const Batch& batch) override {
    const std::size_t n = batch.size();
    record_hashes_.assign(n, 0);
    for (const auto& column : batch.columns()) {  // column-wise: one name hash per batch
      const std::uint64_t name = name_hash(column->field);
      const Value* values = column->values.data();
      if (add_uniform(values, n, name)) continue;
      // Records of a batch often share one string (a source name copied once into the
      // batch's arena): same address, size and type means same bytes, so hash it once.
      // Numbers, the common case, are hashed inline (as hash_value does) rather than
      // through a call per value.
      Value last;
      std::uint64_t last_hash = 0;
      for (std::size_t row = 0; row < n; ++row) {
        const Value& v = values[row];
        std::uint64_t h;
        switch (v.type()) {
          case Type::null: continue;
          case Type::int64: h = hash_int(v); break;
          case Type::float64: h = hash_double(v); break;
          case Type::string:
          case Type::bytes:
            if (v.type() != last.type() || v.as_string().data() != last.as_string().data() ||
                v.as_string().size() != last.as_string().size()) {
              last = v;
              last_hash = hash_value(v);
            }
            h = last_hash;
            break;
          default: h = hash_value(v);
        }
        record_hashes_[row] += mix(name ^ h);
      }
    }
    for (std::uint64_t h : record_hashes_) checksum_ += mix(h);
    records_ += n;
  }

  // The end of the stream: a failed or cancelled run prints no partial count.
  void finish() override {
    std::string line = name_ + ": " + std::to_string(records_) + " records, checksum ";
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(checksum_));
    line += hex;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 private:
  // A column whose values are all ints, or all doubles (the common case), without a branch
  // on each value's type: a loop of hash mixes the compiler can interleave. False (nothing
  // added) for any other column.
  bool add_uniform(const Value* values, std::size_t n, std::uint64_t name) {
    if (n == 0) return false;
    const Type type = values[0].type();
    if (type != Type::int64 && type != Type::float64) return false;
    for (std::size_t row = 1; row < n; ++row)
      if (values[row].type() != type) return false;
    std::uint64_t* sums = record_hashes_.data();
    if (type == Type::int64) {
      for (std::size_t row = 0; row < n; ++row) sums[row] += mix(name ^ hash_int(values[row]));
    } else {
      for (std::size_t row = 0; row < n; ++row) sums[row] += mix(name ^ hash_double(values[row]));
    }
    return true;
  }

  // The hash of a field's name, remembered per field id: field_name() takes the intern
  // table's lock, which cost 5% of a run when called for every column of every batch.
  std::uint64_t name_hash(Field f) {
    if (f.id >= name_hashes_.size()) name_hashes_.resize(f.id + 1);
    auto& [known, h] = name_hashes_[f.id];
    if (!known) {
      h = hash_bytes(field_name(f), 0x6e616d65);
      known = true;
    }
    return h;
  }

  const std::string name_;
  std::vector<std::pair<bool, std::uint64_t>> name_hashes_;  // by field id
  std::uint64_t records_ = 0, checksum_ = 0;
  std::vector<std::uint64_t> record_hashes_;  // scratch, reused across batches
};

}  // namespace

PluginDescriptor describe_count() {
  // One count for the whole stream: N instances would print N partial lines.
  return PluginDescriptor::sink<Count>("count", "counts records and prints an order-independent checksum at the end")
      .single_instance();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SINK_PLUGIN(count, graph_runner::plugins::describe_count)
