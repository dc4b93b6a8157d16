#pragma once
// The hand-written oneTBB graph of the seed pipeline, shared by tbb_seed.cpp (structs moved
// along and changed in place) and tbb_seed_batches.cpp (graph-runner's batches): per source
// an input_node making batches behind a limiter_node (max in flight), filter, scale and
// categorize as function_nodes of unlimited concurrency, one serial sink that hands the
// token back to the batch's limiter. Only the batch type and the work differ.
#include <tbb/flow_graph.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "seed_work.hpp"

namespace bench {

struct SeedArgs {
  std::int64_t total = 10'000'000;
  std::size_t batch_size = 256, in_flight = 64;
  SeedArgs(int argc, char** argv) {  // RECORDS [BATCH_SIZE] [MAX_IN_FLIGHT]
    if (argc > 1) total = std::atoll(argv[1]);
    if (argc > 2) batch_size = std::strtoul(argv[2], nullptr, 10);
    if (argc > 3) in_flight = std::strtoul(argv[3], nullptr, 10);
  }
};

// make(source, index, first, end) -> Item; filter/scale/categorize(Item) -> Item;
// sink(const Item&) consumes it and returns the index of the source it came from.
template <class Item, class Make, class Stage1, class Stage2, class Stage3, class Sink>
void run_seed_graph(std::vector<SeedSource>& sources, const SeedArgs& args, Make make, Stage1 filter_work,
                    Stage2 scale_work, Stage3 categorize_work, Sink sink_work) {
  namespace flow = tbb::flow;
  flow::graph g;
  std::vector<std::unique_ptr<flow::input_node<Item>>> inputs;
  std::vector<std::unique_ptr<flow::limiter_node<Item>>> limiters;
  flow::function_node<Item, Item> filter(g, flow::unlimited, filter_work);
  flow::function_node<Item, Item> scale(g, flow::unlimited, scale_work);
  flow::function_node<Item, Item> categorize(g, flow::unlimited, categorize_work);
  flow::function_node<Item> sink(g, flow::serial, [&](const Item& item) {
    const std::size_t source = sink_work(item);
    limiters[source]->decrementer().try_put(flow::continue_msg());
  });
  flow::make_edge(filter, scale);
  flow::make_edge(scale, categorize);
  flow::make_edge(categorize, sink);
  for (std::size_t s = 0; s < sources.size(); ++s) {
    limiters.push_back(std::make_unique<flow::limiter_node<Item>>(g, args.in_flight));
    inputs.push_back(std::make_unique<flow::input_node<Item>>(g, [&, s](tbb::flow_control& fc) -> Item {
      SeedSource& src = sources[s];
      if (src.next >= src.count) {
        fc.stop();
        return {};
      }
      const std::int64_t end = std::min<std::int64_t>(src.count, src.next + static_cast<std::int64_t>(args.batch_size));
      Item item = make(src, s, src.next, end);
      src.next = end;
      return item;
    }));
    flow::make_edge(*inputs.back(), *limiters.back());
    flow::make_edge(*limiters.back(), filter);
  }
  for (auto& in : inputs) in->activate();
  g.wait_for_all();
}

inline void print_total(std::uint64_t records, std::uint64_t sum) {
  std::printf("total: %llu records, checksum %016llx\n", static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(sum));
}

}  // namespace bench
