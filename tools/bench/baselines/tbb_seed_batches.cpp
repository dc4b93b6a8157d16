// Baseline (a'): the hand-written oneTBB graph of tbb_seed.cpp, the same nodes, batching and
// limiter, but carrying graph-runner's own batches (graph_runner::Batch, SDK 2.0: typed
// columns) built and changed through the SDK as the plugins do it: typed int64/float64/string
// columns in the source, Batch::select (a selection, no copy) in the filter, the batch changed
// in place in the maps (its only holder, as Emitter::take gives it), a column-wise checksum
// over typed spans in the sink, as count computes it. Comparing it with tbb_seed separates what the
// record format costs from what the engine costs (graph-runner against this program).
//
//   tbb_seed_batches RECORDS [BATCH_SIZE] [MAX_IN_FLIGHT]   -> total: N records, checksum X
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "graph_runner/batch.hpp"
#include "seed_graph.hpp"
#include "vector_clones.hpp"

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

// As the engine runs a source: one builder per source, kept from batch to batch (finish()
// resets it and its vectors keep their capacity), and a name that fits in a string view
// held inline (generate does the same), with no arena.
gr::BatchPtr make_batch(const bench::SeedSource& src, std::int64_t first, std::int64_t end, const Fields& f,
                        gr::BatchBuilder& b) {
  const std::size_t n = static_cast<std::size_t>(end - first);
  gr::Column& ids = b.column(f.id, gr::ColumnType::int64);
  gr::Column& values = b.column(f.value, gr::ColumnType::float64);
  gr::Column& sources = b.column(f.source, gr::ColumnType::string);
  gr::Column& stamps = b.column(f.ts, gr::ColumnType::int64);
  for (gr::Column* c : {&ids, &values, &sources, &stamps}) c->resize(n);
  const gr::StringView name(src.name.size() <= gr::StringView::max_inline ? std::string_view(src.name)
                                                                           : b.string(src.name).as_string());
  const auto id = ids.ints_for_write();
  const auto value = values.doubles_for_write();
  const auto ts = stamps.ints_for_write();
  const auto source = sources.strings_for_write();
  for (std::size_t i = 0; i < n; ++i) {
    const bench::Record r = src.make(first + static_cast<std::int64_t>(i));
    id[i] = r.id;
    ts[i] = r.ts;
    source[i] = name;
    value[i] = r.value;
  }
  for (gr::Column* c : {&ids, &values, &sources, &stamps}) c->mark_all_valid();
  b.resize(n);
  return b.finish();
}

// The batch to change in place: the stage is its only holder here (as Emitter::take gives
// it in the engine), so no copy.
std::shared_ptr<gr::Batch> take(gr::BatchPtr& batch) {
  auto b = std::const_pointer_cast<gr::Batch>(std::move(batch));
  return b;
}

// count's loops over whole columns, compiled also for AVX-512 and AVX2, chosen at load.
GR_VECTOR_CLONES void add_int_parts(std::uint64_t* sums, const std::int64_t* v, std::size_t n, std::uint64_t name) {
  for (std::size_t r = 0; r < n; ++r) sums[r] += bench::mix(name ^ bench::hash_int(v[r]));
}
GR_VECTOR_CLONES void add_double_parts(std::uint64_t* sums, const double* v, std::size_t n, std::uint64_t name) {
  for (std::size_t r = 0; r < n; ++r) sums[r] += bench::mix(name ^ bench::hash_double(v[r]));
}

}  // namespace

int main(int argc, char** argv) {
  const bench::SeedArgs args(argc, argv);
  std::vector<bench::SeedSource> sources = bench::seed_sources(args.total);
  const Fields f;
  std::uint64_t records = 0, sum = 0;
  std::vector<std::uint64_t> record_hashes, name_hashes;  // name_hashes: by field id, as count keeps them
  std::vector<gr::BatchBuilder> builders;  // by source: its input_node calls one make at a time
  for (std::size_t s = 0; s < sources.size(); ++s) builders.emplace_back(args.batch_size);
  bench::run_seed_graph<Item>(
      sources, args,
      [&](const bench::SeedSource& src, std::size_t s, std::int64_t first, std::int64_t end) {
        return Item{s, make_batch(src, first, end, f, builders[s])};
      },
      [&](Item item) {
        const auto v = item.batch->find(f.value)->doubles();
        std::vector<std::uint32_t> kept;
        kept.reserve(item.batch->size());
        for (std::size_t i = 0; i < item.batch->size(); ++i)
          if (v[i] >= 0) kept.push_back(static_cast<std::uint32_t>(i));
        if (kept.size() != item.batch->size()) {  // in place, as the filter plugins do (Emitter::take)
          std::shared_ptr<gr::Batch> b = take(item.batch);
          b->keep_rows(kept);
          item.batch = std::move(b);
        }
        return item;
      },
      [&](Item item) {
        std::shared_ptr<gr::Batch> b = take(item.batch);
        const auto v = b->column_for_write(f.value).doubles_for_write();
        b->for_each_row([&](std::size_t r) { v[r] *= 2; });
        item.batch = std::move(b);
        return item;
      },
      [&](Item item) {
        std::shared_ptr<gr::Batch> b = take(item.batch);
        const auto v = b->find(f.value)->doubles();
        gr::Column& category = b->column_for_write(f.category, gr::ColumnType::float64);
        const auto c = category.doubles_for_write();
        b->for_each_row([&](std::size_t r) {
          const double d = v[r];
          c[r] = d < 200 ? 0.0 : (d < 1000 ? 1.0 : 2.0);
        });
        category.mark_all_valid();  // a new column: its rows outside the selection are no records
        item.batch = std::move(b);
        return item;
      },
      [&](const Item& item) {
        // As count does it: the records' hashes summed by physical row, column by column in
        // loops over whole typed columns (the deselected rows too: 9 % here), then the
        // selected rows' sums mixed.
        const gr::Batch& b = *item.batch;
        const std::size_t rows = b.physical_size();
        record_hashes.assign(rows, 0);
        for (const auto& column : b.columns()) {
          const std::uint32_t id = column->field().id;
          if (id >= name_hashes.size()) name_hashes.resize(id + 1, 0);
          if (!name_hashes[id]) name_hashes[id] = bench::name_hash(gr::field_name(column->field()));
          const std::uint64_t name = name_hashes[id];
          switch (column->type()) {  // every row valid
            case gr::ColumnType::int64: add_int_parts(record_hashes.data(), column->ints().data(), rows, name); break;
            case gr::ColumnType::float64: add_double_parts(record_hashes.data(), column->doubles().data(), rows, name); break;
            case gr::ColumnType::string: {
              const auto v = column->strings();
              gr::StringView last;
              std::uint64_t last_part = bench::mix(name ^ bench::hash_string({}));
              for (std::size_t r = 0; r < rows; ++r) {
                const gr::StringView& s = v[r];
                if (std::memcmp(&s, &last, sizeof s) != 0) {
                  last = s;
                  last_part = bench::mix(name ^ bench::hash_string(s.view()));
                }
                record_hashes[r] += last_part;
              }
              break;
            }
            default: std::abort();  // the seed pipeline has no other type
          }
        }
        const std::size_t n = b.size();
        for (std::size_t i = 0; i < n; ++i) sum += bench::mix(record_hashes[b.row(i)]);
        records += n;
        return item.source;
      });
  bench::print_total(records, sum);
}
