// The per-node table printed at the end of a run.
#include <cstdio>
#include <string>
#include <vector>

#include "run/run_graph.hpp"

namespace graph_runner::engine {
namespace {

std::string count(std::uint64_t n) {
  char buf[32];
  if (n >= 10'000'000'000ULL) std::snprintf(buf, sizeof buf, "%.1fG", static_cast<double>(n) / 1e9);
  else if (n >= 10'000'000ULL) std::snprintf(buf, sizeof buf, "%.1fM", static_cast<double>(n) / 1e6);
  else std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
  return buf;
}

std::string pad(std::string s, std::size_t width, bool right = false) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}

// "812us", "3.4ms", "1.20s", right-aligned in 7 characters.
std::string duration(double seconds) {
  char buf[32];
  if (seconds < 1e-3) std::snprintf(buf, sizeof buf, "%.0fus", seconds * 1e6);
  else if (seconds < 1) std::snprintf(buf, sizeof buf, "%.1fms", seconds * 1e3);
  else std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  return pad(buf, 7, true);
}

}  // namespace

std::string format_summary(const RunResult& r) {
  std::size_t name_w = 4, plugin_w = 6;
  for (const auto& n : r.nodes) {
    name_w = std::max(name_w, n.name.size());
    plugin_w = std::max(plugin_w, n.plugin.size());
  }
  std::string out = pad("node", name_w) + "  " + pad("plugin", plugin_w) + "  kind    conc " +
                    pad("in", 10, true) + " " + pad("out", 10, true) + " " + pad("errors", 7, true) + " " +
                    pad("dropped", 8, true) + " " + pad("routed", 7, true) + " " +
                    pad("retries", 7, true) + "   busy%     p50     p99\n";
  std::uint64_t produced = 0;
  for (const auto& n : r.nodes) {
    const bool source = n.kind == NodeKind::source;
    if (source) produced += n.records_out;
    // An adaptive node shows where its limit ended, with a "~" (the range is in the graph).
    const std::string conc = n.concurrency == 0       ? "unl"
                             : n.min_concurrency > 0 ? "~" + std::to_string(n.concurrency_now)
                                                     : std::to_string(n.concurrency);
    // Time inside the plugin's calls against the wall time: over 100% when calls ran in
    // parallel (like top's CPU%).
    const double busy_percent = r.wall_seconds > 0 ? 100.0 * n.busy_seconds / r.wall_seconds : 0;
    char busy[64];
    std::snprintf(busy, sizeof busy, "%6.1f%% %s %s", busy_percent, duration(n.latency.quantile(0.5)).c_str(),
                  duration(n.latency.quantile(0.99)).c_str());
    out += pad(n.name, name_w) + "  " + pad(n.plugin, plugin_w) + "  " + pad(std::string(node_kind_name(n.kind)), 6) +
           "  " + pad(conc, 4, true) + " " + pad(source ? "-" : count(n.records_in), 10, true) + " " +
           pad(n.kind == NodeKind::sink ? "-" : count(n.records_out), 10, true) + " " + pad(count(n.errors), 7, true) +
           " " + pad(count(n.dropped), 8, true) + " " + pad(count(n.routed), 7, true) + " " +
           pad(count(n.retries), 7, true) + " " + busy + "\n";
  }
  char total[160];
  const double rate = r.wall_seconds > 0 ? static_cast<double>(produced) / r.wall_seconds : 0;
  std::snprintf(total, sizeof total, "%s records in %.3f s (%s records/s), %llu/%llu batches acknowledged",
                count(produced).c_str(), r.wall_seconds, count(static_cast<std::uint64_t>(rate)).c_str(),
                static_cast<unsigned long long>(r.acknowledged_batches),
                static_cast<unsigned long long>(r.source_batches));
  out += total;
  if (r.ack_failures > 0)  // the batches were delivered, but the source may deliver them again
    out += " (" + count(r.ack_failures) + " failed: acknowledge() threw)";
  return out + "\n";
}

}  // namespace graph_runner::engine
