#include "run/accounting.hpp"

namespace graph_runner::engine {

std::vector<std::string> check_accounting(const CheckedGraph& graph,
                                          const std::vector<std::unique_ptr<NodeRuntime>>& nodes,
                                          const FlowGraph& flow) {
  std::vector<std::string> problems;
  std::vector<std::uint64_t> sent_to(nodes.size(), 0);
  std::vector<std::string> senders(nodes.size());
  for (const CheckedEdge& e : graph.edges) {
    sent_to[e.to] += nodes[e.from]->records_sent(e.port);
    std::string& s = senders[e.to];
    s += (s.empty() ? "'" : ", '") + graph.nodes[e.from].spec->name + "'";
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (graph.nodes[i].spec->kind == NodeKind::source) continue;
    const std::uint64_t received = nodes[i]->stats().records_in;
    if (received == sent_to[i]) continue;
    const std::string between = "between " + senders[i] + " and '" + nodes[i]->name() + "'";
    problems.push_back(received < sent_to[i]
                           ? "accounting: " + std::to_string(sent_to[i] - received) + " record(s) unaccounted " + between
                           : "accounting: " + std::to_string(received - sent_to[i]) +
                                 " record(s) received that were never sent, " + between);
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const SourceGate* g = flow.gate_of(i);
    if (!g) continue;
    const std::uint64_t ended = g->acknowledged() + g->abandoned();
    if (g->issued_count() > ended)
      problems.push_back("accounting: " + std::to_string(g->issued_count() - ended) + " of " +
                         std::to_string(g->issued_count()) + " batch(es) of source '" + nodes[i]->name() +
                         "' neither acknowledged nor abandoned at the end of the run (a plugin keeps a batch, or "
                         "records derived from it, past its call?)");
  }
  return problems;
}

}  // namespace graph_runner::engine
