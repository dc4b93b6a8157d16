// Baseline (a1): the seed pipeline on the hand-written oneTBB graph of tbb_seed.cpp
// (seed_graph.hpp: the same nodes, limiter and checksum), but with a message per record, as
// a C++ programmer writes it when events arrive one at a time: a message is one record
// struct, copied by value from node to node (no allocation, no batch). A record the filter
// drops still travels to the sink, marked, since the sink hands its source's limiter token
// back. What graph-runner at `graph.batch_size = 1` is measured against (bench.py, "a batch
// of one").
//
//   tbb_seed_records RECORDS [MAX_IN_FLIGHT]   -> total: N records, checksum X
#include <cstdlib>
#include <vector>

#include "seed_graph.hpp"

namespace {

struct Message {
  bench::Record record{};
  std::size_t source = 0;
  bool kept = true;
};

}  // namespace

int main(int argc, char** argv) {
  bench::SeedArgs args(argc > 1 ? 2 : 1, argv);  // RECORDS
  args.batch_size = 1;
  if (argc > 2) args.in_flight = std::strtoul(argv[2], nullptr, 10);
  std::vector<bench::SeedSource> sources = bench::seed_sources(args.total);
  bench::Checksum checksum;
  bench::run_seed_graph<Message>(
      sources, args,
      [](const bench::SeedSource& src, std::size_t s, std::int64_t first, std::int64_t) {
        return Message{src.make(first), s, true};
      },
      [](Message m) {
        m.kept = bench::keep(m.record);
        return m;
      },
      [](Message m) {
        if (m.kept) bench::scale(m.record);
        return m;
      },
      [](Message m) {
        if (m.kept) bench::categorize(m.record);
        return m;
      },
      [&](const Message& m) {
        if (m.kept) checksum.add(m.record, sources[m.source].name_hash_value);
        return m.source;
      });
  bench::print_total(checksum.records, checksum.sum);
}
