#include "metrics_server.hpp"

#include <httplib.h>

#include "metrics_prometheus.hpp"

namespace graph_runner::cli {

MetricsServer::MetricsServer(const ListenAddress& address, std::string graph_name, ConnectionLimits limits)
    : graph_name_(std::move(graph_name)) {
  http_ = std::make_unique<HttpServer>(
      address,
      [this](httplib::Server& routes) {
        routes.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
          res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
        });
        routes.Get("/", [](const httplib::Request&, httplib::Response& res) {
          res.set_content("graph-runner: metrics are at /metrics\n", "text/plain; charset=utf-8");
        });
      },
      limits);
}

void MetricsServer::publish(const engine::RunResult& snapshot) {
  std::lock_guard lock(mutex_);
  latest_ = snapshot;
}

std::string MetricsServer::render() {
  engine::RunResult copy;
  {
    std::lock_guard lock(mutex_);
    copy = latest_;
  }
  return prometheus_text(copy, graph_name_);
}

}  // namespace graph_runner::cli
