#include "live_state.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "metrics_json.hpp"

namespace graph_runner::cli {
namespace {

using Json = nlohmann::ordered_json;

double per_second(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }

}  // namespace

LiveState::LiveState(const engine::CheckedGraph& graph, std::string graph_file, double window_s)
    : graph_name_(graph.spec.graph.name.empty() ? std::filesystem::path(graph.spec.file).stem().string()
                                                : graph.spec.graph.name),
      graph_file_(std::move(graph_file)),
      window_s_(window_s) {
  for (const auto& e : edges_in_drawing_order(graph))
    edges_.push_back({graph.nodes[e.from].spec->name, graph.nodes[e.from].ports[e.port], graph.nodes[e.to].spec->name,
                      edge_counter(graph, e)});
  // Before the first snapshot: every node at zero, so the page has its rows at once.
  for (const auto& n : graph.nodes) {
    engine::NodeStats s;
    s.name = n.spec->name;
    s.plugin = n.spec->plugin;
    s.kind = n.spec->kind;
    s.concurrency = n.concurrency;
    s.min_concurrency = n.min_concurrency;
    s.concurrency_now = n.min_concurrency > 0 ? n.min_concurrency : n.concurrency;
    if (n.spec->kind == NodeKind::source) s.max_in_flight = n.max_in_flight;
    latest_.nodes.push_back(std::move(s));
  }
}

LiveState::Sample LiveState::sample_of(const engine::RunResult& r) {
  Sample s;
  s.seconds = r.wall_seconds;
  for (const auto& n : r.nodes) {
    s.records_in.push_back(n.records_in);
    s.records_out.push_back(n.records_out);
    s.routed.push_back(n.routed);
    s.busy_seconds.push_back(n.busy_seconds);
  }
  return s;
}

void LiveState::update(const engine::RunResult& snapshot) {
  std::lock_guard lock(mutex_);
  if (finished_) return;  // a late progress call must not overwrite the final figures
  latest_ = snapshot;
  started_ = true;
  window_.push_back(sample_of(snapshot));
  // Keep one sample at least window_s old as the base; drop those older than it.
  while (window_.size() > 2 && window_[1].seconds <= snapshot.wall_seconds - window_s_) window_.pop_front();
}

void LiveState::finish(const engine::RunResult& result) {
  std::lock_guard lock(mutex_);
  latest_ = result;
  started_ = finished_ = true;
  window_.clear();
}

void LiveState::set_drawing_error(std::string error) {
  std::lock_guard lock(mutex_);
  drawing_error_ = std::move(error);
}

std::string LiveState::json() const {
  std::lock_guard lock(mutex_);
  const engine::RunResult& r = latest_;
  // The base of the rates: the oldest sample of the window, or the start of the run (all
  // zero) when finished or when the window has a single sample.
  const Sample zero = [&] {
    Sample z;
    z.records_in.assign(r.nodes.size(), 0);
    z.records_out = z.routed = z.records_in;
    z.busy_seconds.assign(r.nodes.size(), 0.0);
    return z;
  }();
  const Sample& base = !finished_ && window_.size() > 1 ? window_.front() : zero;
  const double span = r.wall_seconds - base.seconds;
  const auto valid = [&](std::size_t i) { return i < base.records_in.size(); };

  Json nodes = Json::array();
  std::uint64_t produced = 0, produced_base = 0;
  for (std::size_t i = 0; i < r.nodes.size(); ++i) {
    const auto& n = r.nodes[i];
    if (!valid(i)) break;
    Json node = {
        {"name", n.name},
        {"plugin", n.plugin},
        {"kind", std::string(node_kind_name(n.kind))},
        {"concurrency", n.concurrency == 0 ? Json("unlimited") : Json(n.concurrency)},
        {"records_in", n.records_in},
        {"records_out", n.records_out},
        {"records_in_per_second", per_second(double(n.records_in - base.records_in[i]), span)},
        {"records_out_per_second", per_second(double(n.records_out - base.records_out[i]), span)},
        {"busy_percent", 100.0 * per_second(n.busy_seconds - base.busy_seconds[i], span)},
        {"errors", n.errors},
        {"dropped", n.dropped},
        {"routed", n.routed},
        {"retries", n.retries},
        {"running", n.running},
        {"queued", n.queued},
    };
    if (n.kind == NodeKind::source) {
      node["in_flight"] = n.in_flight;
      node["max_in_flight"] = n.max_in_flight;
      produced += n.records_out;
      produced_base += base.records_out[i];
    }
    // Figures only some nodes have (adaptive concurrency, a broker's lag), by name; the
    // page lists whatever is here.
    node["gauges"] = Json::object();
    if (n.min_concurrency > 0) node["gauges"]["concurrency"] = n.concurrency_now;
    nodes.push_back(std::move(node));
  }

  Json edges = Json::array();
  for (const auto& e : edges_) {
    Json records = nullptr, rate = nullptr;
    if (e.counter && valid(e.counter->node)) {
      const std::size_t i = e.counter->node;
      const auto& n = r.nodes[i];
      std::uint64_t now = 0, then = 0;
      switch (e.counter->which) {
        case EdgeCounter::records_out: now = n.records_out, then = base.records_out[i]; break;
        case EdgeCounter::routed: now = n.routed, then = base.routed[i]; break;
        case EdgeCounter::records_in: now = n.records_in, then = base.records_in[i]; break;
      }
      records = now;
      rate = per_second(double(now - then), span);
    }
    edges.push_back({{"from", e.from}, {"port", e.port}, {"to", e.to}, {"records", records},
                     {"records_per_second", rate}});
  }

  const Json doc = {
      {"format", 1},
      {"graph", graph_name_},
      {"file", graph_file_},
      {"state", !finished_ ? (started_ ? "running" : "starting") : run_status_name(r.status)},
      {"finished", finished_},
      {"error", r.error},
      {"seconds", r.wall_seconds},
      {"rate_seconds", span},  // what the rates and busy % are measured over
      {"records_produced", produced},
      {"records_per_second", per_second(double(produced - produced_base), span)},
      {"source_batches", r.source_batches},
      {"acknowledged_batches", r.acknowledged_batches},
      {"drawing_error", drawing_error_},
      {"nodes", std::move(nodes)},
      {"edges", std::move(edges)},
  };
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace graph_runner::cli
