// Baseline (a): the seed pipeline as a C++ programmer would write it by hand on a oneTBB
// flow graph, with the engine's batching (seed_graph.hpp: 256-record batches, 64 in flight,
// filter, scale and categorize of unlimited concurrency, one serial sink computing the
// checksum). A batch is a freshly allocated vector owned by one node at a time (moved
// along, changed in place).
//
//   tbb_seed RECORDS [BATCH_SIZE] [MAX_IN_FLIGHT]   -> total: N records, checksum X
#include <memory>
#include <vector>

#include "seed_graph.hpp"

struct Batch {
  std::size_t source = 0;
  std::vector<bench::Record> records;
};
using BatchPtr = std::shared_ptr<Batch>;

int main(int argc, char** argv) {
  const bench::SeedArgs args(argc, argv);
  std::vector<bench::SeedSource> sources = bench::seed_sources(args.total);
  bench::Checksum checksum;
  bench::run_seed_graph<BatchPtr>(
      sources, args,
      [&](const bench::SeedSource& src, std::size_t s, std::int64_t first, std::int64_t end) {
        auto b = std::make_shared<Batch>();
        b->source = s;
        b->records.reserve(args.batch_size);
        for (std::int64_t id = first; id < end; ++id) b->records.push_back(src.make(id));
        return b;
      },
      [](BatchPtr b) {
        std::erase_if(b->records, [](const bench::Record& r) { return !bench::keep(r); });
        return b;
      },
      [](BatchPtr b) {
        for (auto& r : b->records) bench::scale(r);
        return b;
      },
      [](BatchPtr b) {
        for (auto& r : b->records) bench::categorize(r);
        return b;
      },
      [&](const BatchPtr& b) {
        const std::uint64_t source_hash = sources[b->source].name_hash_value;
        for (const auto& r : b->records) checksum.add(r, source_hash);
        return b->source;
      });
  bench::print_total(checksum.records, checksum.sum);
}
