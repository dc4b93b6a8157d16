// Baseline (a): the seed pipeline as a C++ programmer would write it by hand on a oneTBB
// flow graph, with the engine's batching: per source an input_node making 256-record
// batches behind a limiter_node (64 in flight), then filter, scale and categorize as
// function_nodes of unlimited concurrency, and one serial sink computing the checksum,
// which hands the token back to the batch's limiter. A batch is a freshly allocated
// vector owned by one node at a time (moved along, changed in place).
//
//   tbb_seed RECORDS [BATCH_SIZE] [MAX_IN_FLIGHT]   -> total: N records, checksum X
#include <tbb/flow_graph.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "seed_work.hpp"

namespace flow = tbb::flow;

struct Batch {
  std::size_t source = 0;
  std::vector<bench::Record> records;
};
using BatchPtr = std::shared_ptr<Batch>;

int main(int argc, char** argv) {
  const std::int64_t total = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
  const std::size_t batch_size = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 256;
  const std::size_t in_flight = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 64;
  std::vector<bench::SeedSource> sources = bench::seed_sources(total);

  flow::graph g;
  std::vector<std::unique_ptr<flow::input_node<BatchPtr>>> inputs;
  std::vector<std::unique_ptr<flow::limiter_node<BatchPtr>>> limiters;
  flow::function_node<BatchPtr, BatchPtr> filter(g, flow::unlimited, [](BatchPtr b) {
    std::erase_if(b->records, [](const bench::Record& r) { return !bench::keep(r); });
    return b;
  });
  flow::function_node<BatchPtr, BatchPtr> scale(g, flow::unlimited, [](BatchPtr b) {
    for (auto& r : b->records) bench::scale(r);
    return b;
  });
  flow::function_node<BatchPtr, BatchPtr> categorize(g, flow::unlimited, [](BatchPtr b) {
    for (auto& r : b->records) bench::categorize(r);
    return b;
  });
  bench::Checksum checksum;
  flow::function_node<BatchPtr> sink(g, flow::serial, [&](const BatchPtr& b) {
    const std::uint64_t source_hash = sources[b->source].name_hash_value;
    for (const auto& r : b->records) checksum.add(r, source_hash);
    limiters[b->source]->decrementer().try_put(flow::continue_msg());
  });
  flow::make_edge(filter, scale);
  flow::make_edge(scale, categorize);
  flow::make_edge(categorize, sink);

  for (std::size_t s = 0; s < sources.size(); ++s) {
    limiters.push_back(std::make_unique<flow::limiter_node<BatchPtr>>(g, in_flight));
    inputs.push_back(std::make_unique<flow::input_node<BatchPtr>>(g, [&, s](tbb::flow_control& fc) -> BatchPtr {
      bench::SeedSource& src = sources[s];
      if (src.next >= src.count) {
        fc.stop();
        return nullptr;
      }
      auto b = std::make_shared<Batch>();
      b->source = s;
      const std::int64_t end = std::min<std::int64_t>(src.count, src.next + static_cast<std::int64_t>(batch_size));
      b->records.reserve(batch_size);
      for (std::int64_t id = src.next; id < end; ++id) b->records.push_back(src.make(id));
      src.next = end;
      return b;
    }));
    flow::make_edge(*inputs.back(), *limiters.back());
    flow::make_edge(*limiters.back(), filter);
  }
  for (auto& in : inputs) in->activate();
  g.wait_for_all();
  std::printf("total: %llu records, checksum %016llx\n", static_cast<unsigned long long>(checksum.records),
              static_cast<unsigned long long>(checksum.sum));
}
