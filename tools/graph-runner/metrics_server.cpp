#include "metrics_server.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <httplib.h>

#include "metrics_prometheus.hpp"

namespace graph_runner::cli {

MetricsServer::MetricsServer(const ListenAddress& address, std::string graph_name)
    : host_(address.host), graph_name_(std::move(graph_name)), server_(std::make_unique<httplib::Server>()) {
  // One scrape at a time is plenty; httplib's default pool would start a thread per core.
  server_->new_task_queue = [] { return new httplib::ThreadPool(1); };
  // A scraper's keep-alive connection must not hold up the end of the run for long.
  server_->set_keep_alive_timeout(1);
  server_->set_read_timeout(std::chrono::seconds(5));
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("graph-runner: metrics are at /metrics\n", "text/plain; charset=utf-8");
  });

  errno = 0;
  port_ = address.port == 0 ? server_->bind_to_any_port(address.host)
                            : (server_->bind_to_port(address.host, address.port) ? address.port : -1);
  if (port_ <= 0) {
    const std::string reason = errno != 0 ? std::strerror(errno) : "cannot bind";
    throw std::runtime_error("cannot listen on " + address.host + ":" + std::to_string(address.port) + ": " + reason);
  }
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    finished_ = true;
  });
  // stop() is a no-op until the server runs: wait for that, so the destructor always stops it.
  while (!server_->is_running() && !finished_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

MetricsServer::~MetricsServer() {
  server_->stop();
  thread_.join();
}

std::string MetricsServer::url() const {
  const bool ipv6 = host_.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_) + "/metrics";
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
