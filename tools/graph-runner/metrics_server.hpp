#pragma once
// `run --metrics-listen HOST:PORT`: serves GET /metrics (Prometheus text format) while the
// graph runs, from the latest progress snapshot, over HttpServer (deadlines, connection cap).
#include <memory>
#include <mutex>
#include <string>

#include "http_server.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::cli {

class MetricsServer {
 public:
  // Binds at once (throws std::runtime_error naming the address when it cannot) and serves
  // from its own thread until destroyed.
  MetricsServer(const ListenAddress& address, std::string graph_name, ConnectionLimits limits = {});

  // The port actually bound (the free one chosen for port 0) and the URL to scrape.
  int port() const noexcept { return http_->port(); }
  std::string url() const { return http_->url("/metrics"); }

  // RunOptions::on_progress, and the final figures: what the next scrape shows.
  void publish(const engine::RunResult& snapshot);

 private:
  std::string render();

  std::string graph_name_;
  std::mutex mutex_;
  engine::RunResult latest_;
  std::unique_ptr<HttpServer> http_;  // last: stopped first, before what its routes use
};

}  // namespace graph_runner::cli
