#pragma once
// `run --metrics-listen HOST:PORT`: serves GET /metrics (Prometheus text format) while the
// graph runs, from the latest progress snapshot. One event loop serves every client under
// ConnectionLimits (a deadline per request, a cap on connections); cpp-httplib parses the
// requests and writes the answers, in memory.
#include <memory>
#include <mutex>
#include <string>

#include "connection_loop.hpp"
#include "listen_address.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::cli {

using net::ConnectionLimits;
using net::ConnectionLoop;
using net::ListenAddress;
using net::Listener;
using net::open_listener;
using net::parse_listen_address;

class MetricsRoutes;

class MetricsServer {
 public:
  // Binds at once (throws std::runtime_error naming the address when it cannot) and serves
  // from its own thread until destroyed.
  MetricsServer(const ListenAddress& address, std::string graph_name, ConnectionLimits limits = {});
  // Closes the listener and drops open connections: returns at once, whatever clients do.
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port actually bound (the free one chosen for port 0) and the URL to scrape.
  int port() const noexcept { return port_; }
  std::string url() const;

  // RunOptions::on_progress, and the final figures: what the next scrape shows.
  void publish(const engine::RunResult& snapshot);

 private:
  std::string render();
  ConnectionLoop::Reply answer(ConnectionLoop::Request& request);

  std::string host_, graph_name_;
  int port_ = 0;
  std::unique_ptr<MetricsRoutes> routes_;
  std::mutex mutex_;
  engine::RunResult latest_;
  std::unique_ptr<ConnectionLoop> loop_;  // last: stopped first, before what it uses
};

}  // namespace graph_runner::cli
