#pragma once
// `run --metrics-listen HOST:PORT`: serves GET /metrics (Prometheus text format) from a
// thread of its own while the graph runs, from the latest progress snapshot.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "listen_address.hpp"
#include "run/run_graph.hpp"

namespace httplib {
class Server;
}

namespace graph_runner::cli {

class MetricsServer {
 public:
  // Binds at once (throws std::runtime_error naming the address when it cannot) and serves
  // from its own thread until destroyed.
  MetricsServer(const ListenAddress& address, std::string graph_name);
  ~MetricsServer();  // stops serving and joins the thread
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port actually bound (the free one chosen for port 0) and the URL to scrape.
  int port() const noexcept { return port_; }
  std::string url() const;

  // RunOptions::on_progress, and the final figures: what the next scrape shows.
  void publish(const engine::RunResult& snapshot);

 private:
  std::string render();

  std::string host_, graph_name_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  std::mutex mutex_;
  engine::RunResult latest_;
};

}  // namespace graph_runner::cli
