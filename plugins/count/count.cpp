// count: counts records and computes a checksum of their content that does not depend on
// arrival order or batching, then prints `<node>: <N> records, checksum <16 hex digits>` at
// the end of the stream (Sink::finish).
// Two runs over the same records print the same line, which makes it a cheap end-to-end
// check for parallel and reordering pipelines.
//
// checksum = sum over records (mod 2^64) of mix(sum over non-null fields of h(name, value)).
// The outer sum makes record order irrelevant, the inner one field order; the mix between
// them ties each value to its record. Null and absent fields are skipped alike, so a record
// reads the same whether or not its batch has a column for a field it lacks (and as before
// SDK 2.0, when absent was null). Values hash by type and
// content (int 2 and double 2.0 differ); field names by their text, not the process-local
// Field id.
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "pool.hpp"
#include "vector_clones.hpp"

namespace graph_runner::plugins {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The n < 8 bytes at p as the low bytes of a word, the rest zero (little-endian): what a
// memcpy into a zeroed word gives, without the call a memcpy of variable length is.
inline std::uint64_t load_tail(const char* p, std::size_t n) {
  if constexpr (std::endian::native != std::endian::little) {
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, n);
    return tail;
  }
  auto byte = [&](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(p[i])); };
  if (n >= 4) {  // two 4-byte loads that overlap
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | (static_cast<std::uint64_t>(hi) << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}

std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
  std::uint64_t h = mix(seed ^ s.size());
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = mix(h ^ word);
  }
  return mix(h ^ load_tail(s.data() + i, s.size() - i));
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
inline std::uint64_t hash_int(std::int64_t i) { return mix(int_tag ^ static_cast<std::uint64_t>(i)); }
inline std::uint64_t hash_double(double d) { return mix(double_tag ^ mix(double_bits(d))); }
constexpr std::uint64_t tag_of(Type t) { return static_cast<std::uint64_t>(t) << 56; }
inline std::uint64_t hash_bool(bool b) { return mix(tag_of(Type::boolean) | (b ? 1 : 0)); }

// Distinct per type, so equal bits of different types hash differently.
std::uint64_t hash_value(const Value& v) {
  const auto tag = static_cast<std::uint64_t>(v.type()) << 56;
  switch (v.type()) {
    case Type::null: return 0;
    case Type::boolean: return hash_bool(v.as_bool());
    case Type::int64: return hash_int(v.as_int());
    case Type::float64: return hash_double(v.as_double());
    case Type::string:
    case Type::bytes:
    case Type::json: return hash_bytes(v.as_string(), tag);
  }
  return 0;
}

// The hashes of short strings seen lately. A short StringView holds its whole text (zero
// padded), so its 16 bytes are an exact key: a table lookup instead of hashing again the
// few values a field like a host or a country name takes.
class ShortStringHashes {
 public:
  std::uint64_t hash(const StringView& s, std::uint64_t tag) {
    std::uint64_t lo, hi;
    std::memcpy(&lo, &s, 8);
    std::memcpy(&hi, reinterpret_cast<const char*>(&s) + 8, 8);
    Entry& e = entries_[((lo ^ tag) * 0x9e3779b97f4a7c15ULL ^ hi) * 0xbf58476d1ce4e5b9ULL >> (64 - bits)];
    if (e.lo != lo || e.hi != hi || e.tag != tag) e = {lo, hi, tag, hash_bytes(s.view(), tag)};
    return e.hash;
  }

 private:
  static constexpr int bits = 8;
  struct Entry {
    std::uint64_t lo = ~std::uint64_t{0}, hi = 0, tag = 0, hash = 0;  // no view's length is 2^32 - 1
  };
  std::vector<Entry> entries_ = std::vector<Entry>(std::size_t{1} << bits);
};

// The loops over typed columns, element by element over physical rows: a mix is two 64-bit
// multiplies, which vector units do 4 or 8 at once (vector_clones.hpp).
GR_VECTOR_CLONES void add_int_parts(std::uint64_t* sums, const std::int64_t* v, std::size_t n, std::uint64_t name) {
  for (std::size_t r = 0; r < n; ++r) sums[r] += mix(name ^ hash_int(v[r]));
}
GR_VECTOR_CLONES void add_double_parts(std::uint64_t* sums, const double* v, std::size_t n, std::uint64_t name) {
  for (std::size_t r = 0; r < n; ++r) sums[r] += mix(name ^ hash_double(v[r]));
}
GR_VECTOR_CLONES std::uint64_t sum_of_mixes(const std::uint64_t* sums, std::size_t n) {
  std::uint64_t total = 0;
  for (std::size_t r = 0; r < n; ++r) total += mix(sums[r]);
  return total;
}

// What one call at a time works with and adds to: count is thread-safe, each call leases a
// Tally (per thread, pool.hpp), and finish() sums them. The checksum is a sum, so how the
// records were split among the tallies does not change it.
class Tally {
 public:
  void add(const Batch& batch);
  std::uint64_t records = 0, checksum = 0;

 private:
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

  std::vector<std::pair<bool, std::uint64_t>> name_hashes_;  // by field id
  ShortStringHashes short_hashes_;
  std::vector<std::uint64_t> record_hashes_;  // scratch, reused across batches
};

void Tally::add(const Batch& batch) {
  const std::size_t n = batch.size();
  // The records' hashes are summed by physical row: loops over whole columns, without
  // going through the selection for each value, and the selected rows' sums are taken at
  // the end. That hashes the deselected rows too: worth it while most rows are selected
  // (a filter keeping 91 % of them), not for a selection of a few.
  const bool physical = !batch.has_selection() || 4 * n >= 3 * batch.physical_size();
  const std::size_t rows = physical ? batch.physical_size() : n;
  record_hashes_.assign(rows, 0);
  const std::span<const std::uint32_t> selection = batch.selection();
  const bool selected = batch.has_selection() && !physical;
  for (const auto& column : batch.columns()) {  // column-wise: one name hash per batch
    const Column& c = *column;
    if (c.valid_rows() == 0) continue;  // only nulls and absent rows
    const std::uint64_t name = name_hash(c.field());
    // body(i, r): sum i gets physical row r. Two plain loops, no branch on the selection.
    auto each = [&](auto&& body) {
      if (selected) for (std::size_t i = 0; i < rows; ++i) body(i, static_cast<std::size_t>(selection[i]));
      else for (std::size_t i = 0; i < rows; ++i) body(i, i);
    };
    std::uint64_t* sums = record_hashes_.data();
    // Typed columns: a loop of hash mixes over an array, without a branch on each value's
    // type (nor on validity when every row has a value). field(v): the field's part of the
    // record's hash, mix(name ^ hash of the value).
    auto typed = [&](auto values, auto field) {
      if (c.all_valid()) each([&](std::size_t i, std::size_t r) { sums[i] += field(values[r]); });
      else each([&](std::size_t i, std::size_t r) { if (c.valid(r)) sums[i] += field(values[r]); });
    };
    const bool whole = !selected && c.all_valid();  // a kernel over the whole column
    switch (c.type()) {
      case ColumnType::int64:
        if (whole) add_int_parts(sums, c.ints().data(), rows, name);
        else typed(c.ints(), [&](std::int64_t v) { return mix(name ^ hash_int(v)); });
        break;
      case ColumnType::float64:
        if (whole) add_double_parts(sums, c.doubles().data(), rows, name);
        else typed(c.doubles(), [&](double v) { return mix(name ^ hash_double(v)); });
        break;
      case ColumnType::boolean: typed(c.bools(), [&](std::uint8_t v) { return mix(name ^ hash_bool(v != 0)); }); break;
      case ColumnType::string:
      case ColumnType::bytes:
      case ColumnType::json: {
        // Records of a batch often share one string (a source name copied once into the
        // batch's arena, or short enough to live in the view): the same 16 bytes of view
        // (length, prefix and pointer, or the whole short string) mean the same text, so
        // the last one's part of the hash is checked first, then the table of short ones.
        const std::uint64_t tag = tag_of(c.type() == ColumnType::string  ? Type::string
                                         : c.type() == ColumnType::bytes ? Type::bytes
                                                                          : Type::json);
        StringView last;
        std::uint64_t last_part = mix(name ^ hash_bytes({}, tag));
        auto part_of = [&](const StringView& s) {
          if (std::memcmp(&s, &last, sizeof s) != 0) {
            last = s;
            last_part = mix(name ^ (s.is_inline() ? short_hashes_.hash(s, tag) : hash_bytes(s.view(), tag)));
          }
          return last_part;
        };
        typed(c.strings(), part_of);
        break;
      }
      case ColumnType::mixed:
        each([&](std::size_t i, std::size_t r) {
          if (c.valid(r)) sums[i] += mix(name ^ hash_value(c.get(r)));
        });
        break;
    }
  }
  if (physical && batch.has_selection()) {
    for (std::uint32_t r : selection) checksum += mix(record_hashes_[r]);
  } else {
    checksum += sum_of_mixes(record_hashes_.data(), rows);
  }
  records += n;
}

class Count : public Sink {
 public:
  explicit Count(Context& c) : name_(c.node_name()) {}

  void write(const Batch& batch) override { tallies_.acquire()->add(batch); }

  // The end of the stream: a failed or cancelled run prints no partial count.
  void finish() override {
    std::uint64_t records = 0, checksum = 0;
    tallies_.each_idle([&](const Tally& t) {
      records += t.records;
      checksum += t.checksum;
    });
    std::string line = name_ + ": " + std::to_string(records) + " records, checksum ";
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(checksum));
    line += hex;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }

 private:
  const std::string name_;
  Pool<Tally> tallies_{[] { return std::make_unique<Tally>(); }};
};

}  // namespace

PluginDescriptor describe_count() {
  // One instance for the whole stream (N would print N partial lines), and thread-safe, so
  // that it is not the one serial step of a parallel pipeline.
  return PluginDescriptor::sink<Count>("count", "counts records and prints an order-independent checksum at the end")
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SINK_PLUGIN(count, graph_runner::plugins::describe_count)
