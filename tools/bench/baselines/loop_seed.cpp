// Baseline (b): the seed pipeline as one single-threaded loop, record by record: the floor
// the engine's parallelism has to pay for. Same records, work and checksum as the graph.
//
//   loop_seed RECORDS   -> total: N records, checksum X
#include <cstdio>
#include <cstdlib>

#include "seed_work.hpp"

int main(int argc, char** argv) {
  const std::int64_t total = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  bench::Checksum checksum;
  for (const bench::SeedSource& src : bench::seed_sources(total)) {
    for (std::int64_t id = 0; id < src.count; ++id) {
      bench::Record r = src.make(id);
      if (!bench::keep(r)) continue;
      bench::scale(r);
      bench::categorize(r);
      checksum.add(r, src.name_hash_value);
    }
  }
  std::printf("total: %llu records, checksum %016llx\n", static_cast<unsigned long long>(checksum.records),
              static_cast<unsigned long long>(checksum.sum));
}
