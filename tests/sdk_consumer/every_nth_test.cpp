// Unit test of every_nth with the SDK's harness; no test framework, so the project needs
// nothing but the installed graph-runner. Exit code 0 = pass.
#include <cstdio>
#include <cstdint>
#include <vector>

#include <graph_runner/testing.hpp>

graph_runner::PluginDescriptor describe_every_nth();

namespace gt = graph_runner::testing;

int main() {
  auto in = gt::make_batch({{{"id", 0}}, {{"id", 1}}, {{"id", 2}}, {{"id", 3}}, {{"id", 6}}});
  gt::StageOutput result = gt::run_stage(describe_every_nth(), {{"n", 3}}, {in});
  const std::vector<std::int64_t> kept = gt::ints(result.out(), "id");
  if (kept != std::vector<std::int64_t>{0, 3, 6}) {
    std::fprintf(stderr, "every_nth_test: kept %zu records, expected ids 0, 3, 6\n", kept.size());
    return 1;
  }
  std::puts("every_nth_test: ok");
  return 0;
}
