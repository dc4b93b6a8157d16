// Baseline (a'): the hand-written oneTBB graph of tbb_seed.cpp, the same nodes, batching and
// limiter, but carrying graph-runner's own batches (graph_runner::Batch: columns of 16-byte
// Values, shared and immutable) built and changed through the SDK as the plugins do it:
// BatchBuilder columns in the source, Batch::select in the filter, Batch::with_column in the
// maps, a column-wise checksum in the sink. Comparing it with tbb_seed separates what the
// record format costs from what the engine costs (graph-runner against this program).
//
//   tbb_seed_batches RECORDS [BATCH_SIZE] [MAX_IN_FLIGHT]   -> total: N records, checksum X
#include <memory>
#include <vector>

#include "graph_runner/batch.hpp"
#include "seed_graph.hpp"

namespace gr = graph_runner;

namespace {

struct Fields {
  gr::Field id = gr::field("id"), value = gr::field("value"), source = gr::field("source"), ts = gr::field("ts"),
            category = gr::field("category");
};

struct Item {
  std::size_t source = 0;
  gr::BatchPtr batch;
};

gr::BatchPtr make_batch(const bench::SeedSource& src, std::int64_t first, std::int64_t end, const Fields& f,
                        std::size_t capacity) {
  gr::BatchBuilder b(capacity);
  auto& ids = b.column(f.id);
  auto& values = b.column(f.value);
  auto& sources = b.column(f.source);
  auto& stamps = b.column(f.ts);
  const gr::Value name = b.string(src.name);
  for (std::int64_t id = first; id < end; ++id) {
    const bench::Record r = src.make(id);
    ids.push_back(gr::Value::of(r.id));
    stamps.push_back(gr::Value::of(r.ts));
    sources.push_back(name);
    values.push_back(gr::Value::of(r.value));
  }
  return b.finish();
}

// count's checksum over Values: the hash of each value by its type, mixed with its field's name.
std::uint64_t value_hash(const gr::Value& v) {
  switch (v.type()) {
    case gr::Type::int64: return bench::hash_int(v.as_int());
    case gr::Type::float64: return bench::hash_double(v.as_double());
    case gr::Type::string: return bench::hash_string(v.as_string());
    default: std::abort();  // the seed pipeline has no other type
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bench::SeedArgs args(argc, argv);
  std::vector<bench::SeedSource> sources = bench::seed_sources(args.total);
  const Fields f;
  std::uint64_t records = 0, sum = 0;
  std::vector<std::uint64_t> record_hashes, name_hashes;  // name_hashes: by field id, as count keeps them
  bench::run_seed_graph<Item>(
      sources, args,
      [&](const bench::SeedSource& src, std::size_t s, std::int64_t first, std::int64_t end) {
        return Item{s, make_batch(src, first, end, f, args.batch_size)};
      },
      [&](Item item) {
        const gr::Column* col = item.batch->find(f.value);
        std::vector<std::uint32_t> kept;
        kept.reserve(item.batch->size());
        for (std::size_t i = 0; i < item.batch->size(); ++i)
          if (col->values[i].as_double() >= 0) kept.push_back(static_cast<std::uint32_t>(i));
        if (kept.size() != item.batch->size()) item.batch = item.batch->select(kept);
        return item;
      },
      [&](Item item) {
        const gr::Column* col = item.batch->find(f.value);
        std::vector<gr::Value> scaled(item.batch->size());
        for (std::size_t i = 0; i < scaled.size(); ++i) scaled[i] = gr::Value::of(col->values[i].as_double() * 2);
        item.batch = item.batch->with_column(f.value, std::move(scaled));
        return item;
      },
      [&](Item item) {
        const gr::Column* col = item.batch->find(f.value);
        std::vector<gr::Value> category(item.batch->size());
        for (std::size_t i = 0; i < category.size(); ++i) {
          const double d = col->values[i].as_double();
          category[i] = gr::Value::of(d < 200 ? 0.0 : (d < 1000 ? 1.0 : 2.0));
        }
        item.batch = item.batch->with_column(f.category, std::move(category));
        return item;
      },
      [&](const Item& item) {
        const gr::Batch& b = *item.batch;
        record_hashes.assign(b.size(), 0);
        for (const auto& column : b.columns()) {
          const std::uint32_t id = column->field.id;
          if (id >= name_hashes.size()) name_hashes.resize(id + 1, 0);
          if (!name_hashes[id]) name_hashes[id] = bench::name_hash(gr::field_name(column->field));
          const std::uint64_t name = name_hashes[id];
          const gr::Value* v = column->values.data();
          // As count does it: a column of one numeric type without a branch per value.
          bool all_int = true, all_double = true;
          for (std::size_t row = 0; row < b.size(); ++row) {
            all_int = all_int && v[row].type() == gr::Type::int64;
            all_double = all_double && v[row].type() == gr::Type::float64;
          }
          if (all_int) {
            for (std::size_t row = 0; row < b.size(); ++row) record_hashes[row] += bench::mix(name ^ bench::hash_int(v[row].as_int()));
          } else if (all_double) {
            for (std::size_t row = 0; row < b.size(); ++row) record_hashes[row] += bench::mix(name ^ bench::hash_double(v[row].as_double()));
          } else {
            for (std::size_t row = 0; row < b.size(); ++row) record_hashes[row] += bench::mix(name ^ value_hash(v[row]));
          }
        }
        for (std::uint64_t h : record_hashes) sum += bench::mix(h);
        records += b.size();
        return item.source;
      });
  bench::print_total(records, sum);
}
