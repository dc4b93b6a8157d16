#pragma once
// The seed pipeline's per-record work, written by hand, shared by the C++ baselines
// (tbb_seed.cpp, loop_seed.cpp). It reproduces exactly what the graph computes, so the
// baselines print the same checksum as `count`:
// - records as the `generate` plugin makes them (id, value, source, ts);
// - filter value >= 0, value = value * 2, category = value < 200 ? 0 : (value < 1000 ? 1 : 2)
//   (a double, as `map` types it);
// - the `count` sink's order-independent checksum.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed) {
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

// Type tags of graph_runner::Type (int64 = 2, float64 = 3, string = 4), as count hashes them.
inline std::uint64_t hash_int(std::int64_t v) { return mix((std::uint64_t{2} << 56) ^ static_cast<std::uint64_t>(v)); }
inline std::uint64_t hash_double(double d) {
  if (d == 0) d = 0;
  std::uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return mix((std::uint64_t{3} << 56) ^ mix(bits));
}
inline std::uint64_t hash_string(std::string_view s) { return hash_bytes(s, std::uint64_t{4} << 56); }
inline std::uint64_t name_hash(std::string_view name) { return hash_bytes(name, 0x6e616d65); }

struct Record {
  std::int64_t id;
  double value;
  std::int64_t ts;
  double category;
  const std::string* source;  // the source's name, shared by its records
};

// One source of the seed pipeline, as `generate` with `seed` and `count`.
struct SeedSource {
  std::string name;
  std::uint64_t stream;
  std::int64_t count;
  std::int64_t next = 0;
  std::uint64_t name_hash_value;  // hash_string(name), once

  SeedSource(std::string n, std::int64_t seed, std::int64_t c)
      : name(std::move(n)), stream(mix(static_cast<std::uint64_t>(seed))), count(c), name_hash_value(hash_string(name)) {}

  Record make(std::int64_t id) const {
    const double unit = static_cast<double>(mix(stream + static_cast<std::uint64_t>(id)) >> 11) * 0x1.0p-53;
    return Record{id, -100.0 + 1100.0 * unit, 1'700'000'000'000'000'000 + id * 1000, 0.0, &name};
  }
};

inline bool keep(const Record& r) { return r.value >= 0; }
inline void scale(Record& r) { r.value = r.value * 2; }
inline void categorize(Record& r) { r.category = r.value < 200 ? 0.0 : (r.value < 1000 ? 1.0 : 2.0); }

// The `count` sink's checksum over records with fields id, value, source, ts, category.
struct Checksum {
  const std::uint64_t id = name_hash("id"), value = name_hash("value"), source = name_hash("source"),
                      ts = name_hash("ts"), category = name_hash("category");
  std::uint64_t records = 0, sum = 0;

  void add(const Record& r, std::uint64_t source_hash) {
    std::uint64_t h = mix(id ^ hash_int(r.id)) + mix(value ^ hash_double(r.value)) + mix(source ^ source_hash) +
                      mix(ts ^ hash_int(r.ts)) + mix(category ^ hash_double(r.category));
    sum += mix(h);
    ++records;
  }
};

// The three sources of the seed pipeline: `total` records split as generate nodes s1, s2, s3
// with seeds 1, 2, 3 (see tools/bench/graphs/seed_*.toml).
inline std::vector<SeedSource> seed_sources(std::int64_t total) {
  std::vector<SeedSource> s;
  for (int i = 0; i < 3; ++i) s.emplace_back("s" + std::to_string(i + 1), i + 1, total / 3 + (i < total % 3 ? 1 : 0));
  return s;
}

}  // namespace bench
